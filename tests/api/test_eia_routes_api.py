"""Issue 18, EIA routes over HTTP: the 豁免 check on /classify, /assessment with the positive list's provenance
and 简化环评内容, and the wizard's result page saying the bundled lists are examples."""

import html
import re

from services.core.db import session_scope
from services.eia.rules import EXAMPLE_FACTS
from tests.factories import make_project

EXAMPLE = "本正面清单为系统示例配置，非本地正式发布的清单"
WAREHOUSE = {"industry_codes": [{"code": "5920"}], "in_industrial_building": True, "sensitive_areas": [],
             "facts": {"hazardous_goods": False},
             "quantities": {"single_building_area": {"value": "1800", "unit": "m²"}}}


def test_classify_returns_the_exemption_with_its_list(stack):
    headers = stack.token("enterprise")
    with stack.client() as c:
        r = c.post("/api/v1/eia/classify", json=WAREHOUSE, headers=headers)
        book = c.post("/api/v1/eia/classify", json=EXAMPLE_FACTS["report_book"]["value"], headers=headers)
    assert r.status_code == 200, r.text
    exemption = r.json()["exemption"]
    assert exemption["applies"] is True and exemption["entry"]["key"] == "gz-simple-factory-warehouse"
    assert exemption["list"]["illustrative"] is True and "系统示例配置" in exemption["list"]["note_zh"]
    assert book.json()["level"] == "report_book" and book.json()["exemption"]["applies"] is False


def test_assessment_gives_eligibility_with_the_positive_lists_provenance_and_simplified_content(stack):
    with session_scope() as session:
        project_id = make_project(session, name="智能传感器生产线").id
    facts = EXAMPLE_FACTS["report_form"]["value"]
    with stack.client() as c:
        r = c.post("/api/v1/eia/assessment", json={"project_id": project_id, "facts": facts},
                   headers=stack.token("enterprise"))
        missing = c.post("/api/v1/eia/assessment", json={"project_id": 999999, "facts": facts},
                         headers=stack.token("enterprise"))
        spec = c.get("/openapi.json").json()
    assert r.status_code == 200, r.text
    body = r.json()
    listed = body["eligibility"]["positive_list"]
    assert listed["illustrative"] is True and listed["note_zh"].startswith(EXAMPLE)
    assert listed["source"] and "published_on" in listed
    assert body["simplified"]["available"] is body["plan_eia"]["done"]
    assert body["simplified"]["list"]["illustrative"] is True
    assert body["classification"]["exemption"]["applies"] is False
    assert set(body["versions"]) == {"catalogue", "eligibility", "exemption", "simplified"}
    assert missing.status_code == 404 and "project_id" in missing.json()["errors"]
    assert "/api/v1/eia/assessment" in spec["paths"]
    assert "positive_list" in spec["components"]["schemas"]["EligibilityOut"]["properties"]


def test_the_wizard_result_says_the_lists_are_examples(stack):
    with session_scope() as session:
        project_id = make_project(session, name="智能仓储中心").id
    with stack.web("enterprise") as c:
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/eia/new").text).group(1)
        fields = {"csrf_token": csrf, "project_id": str(project_id), "main_code": "5920", "scale": "仓库1栋",
                  "q_in_industrial_building": "yes", "q_sensitive_areas": "none"}
        questions = c.post("/eia/new", data=fields | {"stage": "questions"})
        assert 'name="q_single_building_area"' in questions.text and 'name="q_hazardous_goods"' in questions.text
        result = c.post("/eia/new", data=fields | {"stage": "classify", "q_hazardous_goods": "no",
                                                   "q_single_building_area": "1800"})
        machining = c.post("/eia/new", data=fields | {"stage": "classify", "main_code": "3484",
                                                      "q_electroplating": "no", "q_cwa_only": "no"})
    assert result.status_code == 200, result.text[:500]
    text = html.unescape(result.text)
    assert 'data-testid="eia-exemption" data-applies="yes"' in result.text
    assert "简易低风险的普通厂房、仓库项目" in text and "本豁免名录为系统示例配置，非本地正式发布的清单" in text
    assert 'data-level="report_form"' in machining.text
    page = html.unescape(machining.text)
    assert 'data-testid="positive-list-note"' in machining.text and EXAMPLE in page
    assert 'data-testid="eia-simplified"' in machining.text and "本简化环评内容清单为系统示例配置" in page
