"""环评 applications through the services the flows call (tests/flows runs them through Prefect):
classification stored with both configuration versions, the route picks the process, refusals name
the field, the department's decisions and the post-approval check apply once and issue documents."""

from datetime import datetime

import pytest
from sqlmodel import select

from services.cases import acceptance, decisions, human_actions
from services.cases.steps import get_step
from services.core import clock
from services.core.users import get_by_username
from services.eia import service as eia
from services.models import ActionKind, ApplicationStatus, Document, Evaluation, StepStatus
from services.standard_land.intake import IntakeError, StandardLandApplicationInput, submit_application
from tests.samples import SAMPLE

ELECTRONICS = {  # 3983 sensors on parcel 1: row 81; organic solvents make it a 报告表
    "industry_codes": [{"code": "3983", "role": "main"}], "in_industrial_building": True, "sensitive_areas": [],
    "facts": {"semiconductor_materials": False, "electronic_chemicals": False, "pcb": False, "cwa_only": False,
              "organic_solvents": True, "acid_pickling": False, "electroplating": False},
    "quantities": {"solvent_coating": {"value": "0", "unit": "t/a"}, "low_voc_coating": {"value": "0", "unit": "t/a"}},
}


@pytest.fixture
def users(session):
    return {name: get_by_username(session, name) for name in ("enterprise", "reviewer", "eia_reviewer", "supervisor")}


@pytest.fixture
def project_id(session, users):
    data = StandardLandApplicationInput.model_validate(SAMPLE)
    return submit_application(session, users["enterprise"], data, f"eia-project-{datetime.now().timestamp()}")[
        0].project_id


def _input(project_id, facts=ELECTRONICS, **changes):
    return eia.EiaApplicationInput.model_validate(
        {"project_id": project_id, "scale": "年产智能传感器500万件", "facts": facts, **changes})


def test_the_level_and_the_route_choose_the_process_and_both_versions_are_recorded(session, users, project_id):
    with pytest.raises(IntakeError) as error:
        eia.submit(session, users["enterprise"], _input(project_id), "eia-1")
    assert error.value.field == "route"
    with pytest.raises(IntakeError) as error:
        eia.submit(session, users["enterprise"], _input(project_id, route="commitment"), "eia-1")
    assert error.value.field == "commitment_confirmed"
    application, created = eia.submit(session, users["enterprise"],
                                      _input(project_id, route="commitment", commitment_confirmed=True), "eia-1")
    assert created and application.process_key == "eia_commitment"
    assert eia.submit(session, users["enterprise"], _input(project_id, route="normal"), "eia-1")[0].id == \
        application.id  # same key: the same application
    stored = session.exec(select(Evaluation).where(Evaluation.application_id == application.id)).one()
    assert stored.result["classification"]["level"] == "report_form"
    assert stored.rules_version == "national-2021+" + stored.result["versions"]["eligibility"]
    assert stored.result["eligibility"]["eligible"] is True and stored.result["plan_eia"]["done"] is True
    with pytest.raises(IntakeError) as error:  # the normal route needs the report form itself
        eia.submit(session, users["enterprise"], _input(project_id, route="normal"), "eia-2")
    assert error.value.field == "document"
    with pytest.raises(IntakeError, match="格式"):
        eia.submit(session, users["enterprise"], _input(project_id, route="normal"), "eia-2",
                   eia.UploadedFile(filename="报告表.exe", data=b"MZ"))
    assert session.exec(select(eia.Application).where(eia.Application.idempotency_key == "eia-2")).first() is None
    normal, _ = eia.submit(session, users["enterprise"], _input(project_id, route="normal"), "eia-2",
                           eia.UploadedFile(filename="报告表.pdf", content_type="application/pdf", data=b"%PDF-1.4"))
    assert normal.process_key == "eia_normal"


def test_unanswered_questions_that_matter_are_refused_by_name(session, users, project_id):
    facts = dict(ELECTRONICS, facts={k: v for k, v in ELECTRONICS["facts"].items() if k != "organic_solvents"})
    with pytest.raises(IntakeError) as error:
        eia.submit(session, users["enterprise"], _input(project_id, facts, route="normal"), "eia-3")
    assert "q_organic_solvents" in error.value.errors and "有机溶剂" in error.value.message


def test_electroplating_makes_the_commitment_route_unavailable_with_the_reason(session, users, project_id):
    facts = dict(ELECTRONICS, facts=ELECTRONICS["facts"] | {"electroplating": True})
    decided = eia.classify(session, session.get(eia.Project, project_id), eia.eia_rules.EiaFacts.model_validate(facts))
    failed = [c for c in decided["eligibility"]["conditions"] if not c["met"]]
    assert not decided["eligibility"]["eligible"] and any("电镀" in c["explanation_zh"] for c in failed)
    with pytest.raises(IntakeError, match="不符合告知承诺制条件"):
        eia.submit(session, users["enterprise"], _input(project_id, facts, route="commitment",
                                                        commitment_confirmed=True), "eia-4")


def test_assembly_only_electronics_are_outside_eia_management_and_get_the_statement(session, users, project_id):
    facts = dict(ELECTRONICS, facts=ELECTRONICS["facts"] | {"organic_solvents": False, "cwa_only": True})
    application, _ = eia.submit(session, users["enterprise"], _input(project_id, facts), "eia-5")
    assert application.process_key == "eia_not_managed"
    document = session.get(Document, eia.issue_document(session, application.id, "statement",
                                                        "eia_not_managed_statement"))
    assert document.kind == "eia_not_managed_statement" and document.context["reasons"]


def test_commitment_route_decision_same_day_then_post_check(session, users, project_id):
    application, _ = eia.submit(session, users["enterprise"],
                                _input(project_id, route="commitment", commitment_confirmed=True), "eia-6")
    acceptance.check_completeness(session, application.id)
    acceptance.accept(session, application.id)
    review = decisions.open_human_step(session, application.id, "eia_review", "00000000-0000-0000-0000-000000000000")
    with pytest.raises(human_actions.ActionError, match="不能作出"):
        human_actions.record_action(session, users["reviewer"], review, ActionKind.check_pass)
    with pytest.raises(human_actions.ActionError, match="生态环境局"):  # the 自然资源局 reviewer may not decide
        human_actions.record_action(session, users["reviewer"], review, ActionKind.approve)
    action = human_actions.record_action(session, users["eia_reviewer"], review, ActionKind.approve)
    eia.apply_action(session, action.id)
    decision = session.get(Document, eia.issue_document(session, application.id, "eia_decision", "eia_decision"))
    assert decision.context["route"] == "commitment" and decision.context["revocation"] is True
    assert decision.context["decided_on"] == clock.today().isoformat()  # the same working day
    assert decision.context["post_check_due"] == get_step(session, application.id, "post_check").due_on.isoformat()
    check = decisions.open_human_step(session, application.id, "post_check", "00000000-0000-0000-0000-000000000000")
    with pytest.raises(human_actions.ActionError, match="理由"):
        human_actions.record_action(session, users["eia_reviewer"], check, ActionKind.check_rectify)
    action = human_actions.record_action(session, users["eia_reviewer"], check, ActionKind.check_rectify,
                                         reasons="废气收集设施未按承诺建设")
    eia.apply_action(session, action.id)
    record = session.exec(select(Document).where(Document.application_id == application.id,
                                                 Document.kind == "eia_post_check_record")).one()
    assert record.context["outcome"] == "rectify"
    assert record.context["rectification_deadline"] > clock.today().isoformat()
    assert get_step(session, application.id, "post_check").status == StepStatus.completed
    assert session.get(type(application), application.id).status == ApplicationStatus.approved


def test_the_public_notice_timer_fires_only_after_the_calendar_period(session, users, project_id):
    from datetime import timedelta

    from services.cases.steps import ended_periods

    application, _ = eia.submit(session, users["enterprise"], _input(project_id, route="normal"), "eia-7",
                                eia.UploadedFile(filename="报告表.pdf", data=b"%PDF-1.4"))
    acceptance.check_completeness(session, application.id)
    acceptance.accept(session, application.id)
    notice = decisions.open_human_step(session, application.id, "public_notice", "11111111-1111-1111-1111-111111111111")
    assert notice.sla_unit == "calendar_day" and notice.due_on >= clock.today() + timedelta(days=7)
    review = get_step(session, application.id, "eia_review")
    assert review.status == StepStatus.planned and review.due_on > notice.due_on  # counts after the notice
    waiting = application.id
    assert waiting not in ended_periods(session, notice.due_on)  # the last day still belongs to the period
    assert waiting in ended_periods(session, notice.due_on + timedelta(days=1))
