"""The EIA classification API against the running stack: one request per level, OpenAPI examples, errors."""

import pytest

from services.eia.rules import EXAMPLE_FACTS

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
