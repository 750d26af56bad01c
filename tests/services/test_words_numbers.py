"""Issue 15, words and numbers a new user tripped on, checked through the services and the rendered PDFs
(the pages are in ``tests/e2e/test_words_pages.py``): no raw codes, no doubled words or punctuation, dates
without zero padding, one 亩 figure per parcel and one 办结期限 per case."""

import re
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from services.agency import service as agency
from services.cases import acceptance, human_actions
from services.core import clock, file_store
from services.core.formatting import (
    format_area,
    format_date_zh,
    format_mu,
    mu_of_m2,
    rule_set_zh,
    with_role,
    without_role,
)
from services.core.users import get_by_username
from services.eia import rules as eia_rules
from services.eia.eligibility import load_commitment_config
from services.models import ActionKind, Document, MandateEvent, Notification, Parcel, Project
from services.standard_land import rules as land_rules
from services.standard_land import service as standard_land
from services.standard_land.intake import IntakeError, StandardLandApplicationInput, submit_application
from services.supervision import service as supervision
from tests.document_files import pdf_text
from tests.factories import case_in_review
from tests.samples import SAMPLE

#: a snake_case key such as semiconductor_materials, or one of the one-word keys a reader cannot know
RAW_KEY = re.compile(r"[a-z]+(?:_[a-z0-9]+)+|\b(?:pcb|national-2021|commitment-default)\b")
ZERO_PADDED = re.compile(r"年0\d月|月0\d日")


def _stored_pdf_text(session, document: Document, tmp_path: Path) -> str:
    path = tmp_path / f"{document.kind}.pdf"
    path.write_bytes(file_store.store(session, "documents").get(document.pdf_path))
    return pdf_text(path)


# -- words --------------------------------------------------------------------------------------------

def test_the_eia_explanation_names_questions_not_their_keys():
    classification = eia_rules.classify({"industry_codes": [{"code": "3983", "role": "main"}]})
    texts = [t["explanation_zh"] for t in classification.trail if t.get("explanation_zh")]
    assert any("未回答“是否为半导体材料制造？”" in t for t in texts), texts
    assert [m.group(0) for t in texts for m in RAW_KEY.finditer(t)] == []
    problem = eia_rules.load_catalogue().coverage_problem("9901") or ""  # 99: no GB/T 4754 division
    assert "《建设项目环境影响评价分类管理名录（2021年版）》" in problem and not RAW_KEY.search(problem)


def test_every_shipped_rule_set_has_a_chinese_name():
    shipped = [eia_rules.load_catalogue().version, load_commitment_config().version, land_rules.RULES_VERSION]
    assert [v for v in shipped if rule_set_zh(v) == v] == []
    assert rule_set_zh("national-2021+commitment-default/1") == (
        "《建设项目环境影响评价分类管理名录（2021年版）》、告知承诺制适用清单（默认）第1版")
    assert rule_set_zh("guangdong-2025") == "guangdong-2025"  # a local file nobody named is printed as given


def test_a_role_in_the_display_name_is_not_said_twice():
    assert with_role("代办专员", "代办专员 王敏") == "代办专员 王敏"
    assert with_role("代办专员", "王敏") == "代办专员王敏"
    assert without_role("代办专员", "代办专员 王敏") == "王敏"
    assert without_role("代办专员", "代办专员") == "代办专员"


@pytest.fixture
def monday():
    clock.set_clock(lambda: datetime(2026, 12, 7, 9, 0))  # the 限时回复 date falls on 12月9日
    yield
    clock.set_clock(None)


def test_assigning_an_agent_names_the_role_once_and_dates_have_no_leading_zero(session, monday):
    enterprise, supervisor, agent = (get_by_username(session, n) for n in ("enterprise", "supervisor", "agent"))
    assert agent.display_name == "代办专员 王敏"
    today = clock.today()
    data = agency.MandateInput.model_validate({
        "project_name": f"措辞测试项目-{uuid.uuid4().hex[:8]}", "item_codes": ["DB02"], "valid_from": today,
        "valid_until": today + timedelta(days=365), "signed_by_name": "林晓", "agree": True})
    mandate = agency.sign(session, enterprise, data, uuid.uuid4().hex)[0]
    agency.assign(session, supervisor, mandate, agent.id)
    assert mandate.contact_due_on is not None and mandate.contact_due_on.day < 10
    notes = session.exec(select(MandateEvent.note).where(MandateEvent.mandate_id == mandate.id)).all()
    assert "指派代办专员 王敏" in notes and not any("代办专员代办专员" in (n or "") for n in notes)
    supervision.sweep(session, today=mandate.contact_due_on + timedelta(days=3))
    bodies = session.exec(select(Notification.body).where(Notification.link == f"/mandates/{mandate.id}")).all()
    late = [b for b in bodies if "至今未登记联系" in b]
    assert late and late[0].startswith(f"代办专员 王敏应于{format_date_zh(mandate.contact_due_on)}前联系")
    assert [b for b in bodies if ZERO_PADDED.search(b) or "代办专员代办专员" in b] == []


def test_no_module_writes_a_zero_padded_chinese_date():
    """The rest of the kind: every Chinese date goes through ``format_date_zh`` (2026年12月5日)."""
    root = Path(__file__).resolve().parents[2]
    padded = re.compile(r"%m月|%d日")
    offenders = [str(p.relative_to(root)) for folder in ("services", "forms", "flows", "templates")
                 for p in (root / folder).rglob("*") if p.suffix in (".py", ".html")
                 and padded.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


# -- the 预评估报告 and the 受理通知书 -------------------------------------------------------------------

def test_the_assessment_report_names_its_rules_joins_clauses_and_prints_the_parcel_in_mu_as_the_pages(
        session, tmp_path):
    application, step = case_in_review(session)
    action = human_actions.record_action(session, get_by_username(session, "reviewer"), step, ActionKind.approve,
                                         reasons="同意。")
    standard_land.apply_review_action(session, action.id)
    document = session.get_one(Document, standard_land.issue_approval_document(session, application.id,
                                                                              "assessment_report"))
    text = "".join(_stored_pdf_text(session, document, tmp_path).split())
    assert "standard_land/1" not in text and "评估规则版本" not in text
    assert "评估规则：标准地“双对标”控制指标评估规则第1版" in text
    assert "。；" not in text and "。。" not in text
    parcel = session.get_one(Parcel, session.get_one(Project, application.project_id).parcel_id)
    assert mu_of_m2(parcel.area_m2) == "50.02"  # 33,350 m² = 50.025 亩: the pages print 50.02
    assert f"（折合{mu_of_m2(parcel.area_m2)}亩）" in text


def test_intake_names_the_parcel_in_mu_as_the_pages_do(session):
    data = StandardLandApplicationInput.model_validate(dict(SAMPLE, land_area_mu="50.03", parcel_id=1))
    with pytest.raises(IntakeError) as refused:
        submit_application(session, get_by_username(session, "enterprise"), data, uuid.uuid4().hex)
    assert refused.value.errors["land_area_mu"] == "用地面积不得超过所选地块面积50.02亩"


def test_one_rounding_rule_for_mu():
    assert format_mu("50.025") == "50.02" and mu_of_m2("33350") == "50.02"
    assert format_area("50.025") == "50.02亩（33,350.00平方米）"
    assert format_mu("1234.5") == "1,234.50"


def test_the_acceptance_notice_and_the_case_give_one_end_date(session, tmp_path):
    application, _ = case_in_review(session)  # the indicator evaluation finished early, on the day of acceptance
    due = acceptance.committed_due(session, application)
    assert due is not None
    notice = session.exec(select(Document).where(Document.application_id == application.id,
                                                 Document.kind == "acceptance_notice")).one()
    text = "".join(_stored_pdf_text(session, notice, tmp_path).split())
    assert f"办结期限：{format_date_zh(due.due)}" in text
