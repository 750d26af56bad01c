"""The EIA classification API against the running stack: one request per level, OpenAPI examples, errors."""

import html
import re

import pytest

from services.core.db import session_scope
from services.eia.rules import EXAMPLE_FACTS
from tests.factories import make_project

LEVELS = ["report_book", "report_form", "registration", "not_managed"]


@pytest.mark.parametrize("level", LEVELS)
def test_classify_each_level(stack, level):
    with stack.client() as c:
        r = c.post("/api/v1/eia/classify", json=EXAMPLE_FACTS[level]["value"], headers=stack.token("enterprise"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["level"] == level and body["catalogue_version"] == "national-2021" and body["complete"] is True
    assert body["trail"][-1]["step"] == ("art5" if level == "not_managed" else "art4")
    assert all(entry["explanation_zh"] for entry in body["trail"])


def test_openapi_documents_an_example_per_level_and_auth_is_required(stack):
    with stack.client() as c:
        spec = c.get("/openapi.json").json()
        assert c.post("/api/v1/eia/classify", json=EXAMPLE_FACTS["report_form"]["value"]).status_code == 401
    examples = spec["paths"]["/api/v1/eia/classify"]["post"]["requestBody"]["content"]["application/json"]["examples"]
    assert sorted(examples) == sorted(LEVELS)
    assert "/api/v1/eia/questions" in spec["paths"]


def test_bad_facts_and_questions(stack):
    headers = stack.token("enterprise")
    bad = {"industry_codes": [{"code": "3311"}], "facts": {"electroplatng": True},
           "quantities": {"gas_boiler_capacity": {"value": "1", "unit": "吨"}}}
    with stack.client() as c:
        r = c.post("/api/v1/eia/classify", json=bad, headers=headers)
        assert r.status_code == 422
        errors = r.json()["errors"]
        assert "facts.electroplatng" in errors and "不是本环评分类配置" in errors["facts.electroplatng"]
        assert "t/h、MW、kW" in errors["quantities.gas_boiler_capacity.unit"]
        r = c.post("/api/v1/eia/classify", json={"industry_codes": [{"code": "33a1"}]}, headers=headers)
        assert r.status_code == 422 and "4位数字" in r.json()["errors"]["industry_codes.0.code"]
        q = c.get("/api/v1/eia/questions", params={"codes": "3360,3311"}, headers=headers)
        assert q.status_code == 200
        keys = [x["key"] for x in q.json()["questions"]]
        assert keys[:2] == ["in_industrial_building", "sensitive_areas"] and "electroplating" in keys
        assert c.get("/api/v1/eia/questions", params={"codes": "331"}, headers=headers).status_code == 422


def test_every_division_is_classified_and_only_codes_outside_the_classification_are_refused(stack):
    """Issue 18: all 173 rows are encoded, so a code no row lists is art. 5 (不纳入环评管理), not a 422."""
    headers = stack.token("enterprise")
    with stack.client() as c:
        r = c.post("/api/v1/eia/classify", json={"industry_codes": [{"code": "4710"}], "sensitive_areas": []},
                   headers=headers)
        assert r.status_code == 200, r.text
        assert r.json()["level"] == "not_managed" and r.json()["trail"][-1]["step"] == "art5"
        r = c.post("/api/v1/eia/classify", json={"industry_codes": [{"code": "4411"}], "sensitive_areas": [],
                                                 "facts": {"generator_energy_retrofit": False, "gas_power": False,
                                                           "waste_heat_pressure_power_only": False,
                                                           "waste_gas_power_only": False}}, headers=headers)
        assert r.status_code == 200 and r.json()["level"] == "report_book" and r.json()["rows"] == [87], r.text
        q = c.get("/api/v1/eia/questions", params={"codes": "4812"}, headers=headers)
        assert q.status_code == 200 and "highway_grade_2_plus" in [x["key"] for x in q.json()["questions"]]
        r = c.post("/api/v1/eia/classify", json={"industry_codes": [{"code": "9901"}]}, headers=headers)
        assert r.status_code == 422 and "不在本环评分类配置" in r.json()["errors"]["industry_codes.0.code"]


def test_the_wizard_asks_a_new_rows_questions_in_chinese(stack):
    """A highway project (row 130, code 4812 assigned): the wizard shows its questions and units, then a level."""
    with session_scope() as session:
        project_id = make_project(session, name="园区连接线公路工程").id
    with stack.web("enterprise") as c:
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/eia/new").text).group(1)
        fields = {"csrf_token": csrf, "project_id": str(project_id), "main_code": "4812", "scale": "新建二级公路35公里",
                  "q_in_industrial_building": "yes", "q_sensitive_areas": "none"}
        page = c.post("/eia/new", data=fields | {"stage": "questions"})
        assert page.status_code == 200, page.text[:500]
        text = html.unescape(page.text)
        assert "是否为二级及以上等级公路（高速公路、一级、二级公路）？" in text and "新建（改建）线路长度" in text
        assert 'name="q_route_length"' in page.text and "km" in text
        answers = {f"q_{k}": "no" for k in ("maintenance_only", "emergency_or_defence_transport", "highway_grade_4",
                                             "ancillary_facilities_only")}
        result = c.post("/eia/new", data=fields | answers | {
            "stage": "classify", "q_new_build": "yes", "q_highway_grade_2_plus": "yes", "q_route_length": "35",
            "u_route_length": "km"})
        assert result.status_code == 200, result.text[:500]
        assert 'data-level="report_book"' in result.text
        assert "新建30公里（不含）以上的二级及以上等级公路" in html.unescape(result.text)
