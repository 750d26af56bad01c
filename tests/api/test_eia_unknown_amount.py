"""环评 "用量未知" through the running stack (issue 18): the classification API answers with the level of each
possible amount and decides the most demanding one; the OpenAPI schema offers the answer; the wizard page has the
choice per quantity, keeps it, and shows the ranges in its result."""

import html
import re

from services.core.db import session_scope
from tests.factories import make_project

METAL = {"industry_codes": [{"code": "3311", "role": "main"}], "in_industrial_building": True, "sensitive_areas": [],
         "facts": {"electroplating": False, "cwa_only": False},
         "quantities": {"solvent_coating": {"unknown": True, "unit": "t/a"},
                        "low_voc_coating": {"value": "0", "unit": "t/a"}}}


def test_the_api_gives_the_level_of_each_possible_amount(stack):
    with stack.client() as c:
        r = c.post("/api/v1/eia/classify", json=METAL, headers=stack.token("enterprise"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["level"] == "report_book" and body["complete"] is True and body["questions_unanswered"] == []
    [solvent] = body["unknown_amounts"]
    assert solvent["key"] == "solvent_coating" and solvent["decided_for_zh"] == "≥ 10 t/a"
    assert [(x["range_zh"], x["level"]) for x in solvent["ranges"]] == [("< 10 t/a", "report_form"),
                                                                       ("≥ 10 t/a", "report_book")]
    assert body["trail"][-1]["step"] == "unknown_amounts"
    assert body["trail"][-1]["explanation_zh"].endswith("按可能的最高级别确定：环境影响报告书")


def test_the_schema_offers_the_answer_and_a_contradiction_is_a_422(stack):
    with stack.client() as c:
        spec = c.get("/openapi.json").json()
        both = METAL | {"quantities": {"solvent_coating": {"unknown": True, "value": "4", "unit": "t/a"}}}
        r = c.post("/api/v1/eia/classify", json=both, headers=stack.token("enterprise"))
    schemas = spec["components"]["schemas"]
    quantity = next(s for name, s in schemas.items() if name.startswith("QuantityIn"))
    assert "用量未知" in quantity["properties"]["unknown"]["description"]
    assert "unknown_amounts" in schemas["ClassificationOut"]["properties"]
    assert r.status_code == 422
    assert "不能同时填写数量" in r.json()["errors"]["quantities.solvent_coating.value"]


def test_the_wizard_has_the_choice_and_shows_each_amounts_level(stack):
    with session_scope() as session:
        project_id = make_project(session, name="钢结构件生产项目").id
    with stack.web("enterprise") as c:
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/eia/new").text).group(1)  # type: ignore[union-attr]
        fields = {"csrf_token": csrf, "project_id": str(project_id), "main_code": "3311", "scale": "年产钢结构件2万吨",
                  "q_in_industrial_building": "yes", "q_sensitive_areas": "none", "q_electroplating": "no",
                  "q_cwa_only": "no", "q_low_voc_coating": "0", "u_low_voc_coating": "t/a"}
        questions = c.post("/eia/new", data=fields | {"stage": "questions"})
        assert questions.status_code == 200
        assert 'name="k_solvent_coating" value="unknown"' in questions.text
        result = c.post("/eia/new", data=fields | {"stage": "classify", "k_solvent_coating": "unknown",
                                                   "u_solvent_coating": "t/a"})
        assert result.status_code == 200, result.text[:500]
        page = result.text
        assert 'data-level="report_book"' in page
        box = re.search(r'data-testid="unknown-amounts">(.*?)</div>', page, re.S)
        assert box
        text = html.unescape(re.sub(r"<[^>]+>", "", box.group(1)))  # the tags out first: "&lt;" is text
        assert "年用溶剂型涂料（含稀释剂）量：若 < 10 t/a：环境影响报告表；若 ≥ 10 t/a：环境影响报告书" in text
        assert re.search(r'name="k_solvent_coating" value="unknown" checked', page)
        both = c.post("/eia/new", data=fields | {"stage": "classify", "k_solvent_coating": "unknown",
                                                 "q_solvent_coating": "4"})
        assert both.status_code == 422 and "不能同时填写数量" in html.unescape(both.text)
