"""Planned per-亩 values must agree with the totals (issue 18), through the running stack: the JSON API refuses
a disagreement on the indicator's field and derives a value left out; the application page shows the refusal
next to the field and keeps what was typed."""

import html
import re
import uuid

from sqlmodel import Session

from services.core.db import get_engine
from services.models import Project
from tests import stack_api

INTENSITY = "planned_indicators.investment_intensity"


def test_the_api_refuses_a_per_mu_value_that_disagrees_with_its_total(stack, sample_application):
    headers = stack.token("enterprise") | {"Idempotency-Key": str(uuid.uuid4())}
    plan = dict(sample_application["planned_indicators"], investment_intensity="800", tax_per_mu="50")
    with stack.client() as c:
        before = len(c.get("/api/v1/applications", headers=headers).json())
        r = c.post("/api/v1/applications", json=dict(sample_application, planned_indicators=plan), headers=headers)
        assert r.status_code == 422, r.text
        errors = r.json()["errors"]
        assert errors[INTENSITY].startswith(
            "固定资产投资强度填写800万元/亩，但总投资27000万元÷用地面积45亩=600万元/亩，两者不一致（允许误差±6）")
        assert "预计年税收2362.5万元÷用地面积45亩=52.5万元/亩·年" in errors["planned_indicators.tax_per_mu"]
        assert "planned_indicators.output_per_mu" not in errors  # 825 = 37125 ÷ 45
        assert len(c.get("/api/v1/applications", headers=headers).json()) == before


def test_the_api_derives_a_per_mu_value_left_out_and_accepts_a_rounded_one(stack, sample_application):
    plan = {k: v for k, v in sample_application["planned_indicators"].items()
            if k not in ("investment_intensity", "output_per_mu")} | {"tax_per_mu": "52"}  # 52.5 within 0.53
    application_id = stack_api.submit(stack, dict(sample_application, planned_indicators=plan))
    with Session(get_engine()) as session:
        project = session.get_one(Project, stack_api.project_of(application_id))
        assert project.planned_indicators["investment_intensity"] == "600.00"
        assert project.planned_indicators["output_per_mu"] == "825.00"
        assert project.planned_indicators["tax_per_mu"] == "52"


def test_the_page_shows_the_disagreement_next_to_the_field_and_keeps_the_value(stack, sample_application):
    with stack.web("enterprise") as c:
        form = c.get("/applications/new").text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
        fields = {k: str(v) for k, v in sample_application.items() if k != "planned_indicators"}
        fields |= {f"ind_1_{code}": value for code, value in sample_application["planned_indicators"].items()}
        fields |= {"ind_1_investment_intensity": "800", "csrf_token": csrf, "idempotency_key": str(uuid.uuid4())}
        response = c.post("/applications/new", data=fields)
        assert response.status_code == 422
        page = html.unescape(response.text)
        slot = re.search(r'id="err-ind_1_investment_intensity">([^<]*)<', page)
        assert slot and "总投资27000万元÷用地面积45亩=600万元/亩，两者不一致" in slot.group(1)
        assert re.search(r'name="ind_1_investment_intensity" type="text" inputmode="decimal" value="800"', page)
        # left empty, the three per-亩 fields are derived: no refusal for them
        empty = fields | {"ind_1_investment_intensity": "", "ind_1_output_per_mu": "", "ind_1_tax_per_mu": "",
                          "project_name": "", "idempotency_key": str(uuid.uuid4())}
        refused = html.unescape(c.post("/applications/new", data=empty).text)
        assert re.search(r'id="err-ind_1_investment_intensity">\s*<', refused)
        assert re.search(r'id="err-project_name">[^<]+<', refused)
