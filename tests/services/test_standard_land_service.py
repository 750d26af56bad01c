"""标准地 after acceptance, through the services the flow calls (no Prefect here; tests/flows runs
the same path through real Prefect): evaluation kept with its inputs, decisions applied once,
clock pauses over a holiday, approval documents reproducible from stored rows, verification."""

import hashlib
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from dateutil.relativedelta import relativedelta
from sqlmodel import select

from services.calendar.schedules import work_calendar
from services.cases import acceptance, human_actions
from services.cases.steps import get_step
from services.core import clock, file_store, uploads
from services.core.users import get_by_username
from services.documents.issue import verification_code
from services.documents.render import render_pdf
from services.models import ActionKind, ApplicationStatus, ClockPause, Document, Parcel, Step, StepStatus
from services.standard_land import service as standard_land
from services.standard_land import verification
from services.standard_land.intake import StandardLandApplicationInput, submit_application
from tests.samples import PASSING_PLAN, SAMPLE, with_plan


@pytest.fixture
def users(session):
    return {name: get_by_username(session, name) for name in ("enterprise", "reviewer", "supervisor", "agent")}


def _accepted(session, key, **plan):
    data = StandardLandApplicationInput.model_validate(with_plan(dict(SAMPLE, planned_indicators=PASSING_PLAN), **plan))
    application = submit_application(session, get_by_username(session, "enterprise"), data, key)[0]
    acceptance.check_completeness(session, application.id)
    acceptance.accept(session, application.id)
    return application


def _in_review(session, key, **plan):
    application = _accepted(session, key, **plan)
    standard_land.evaluate(session, application.id)
    step = standard_land.open_review(session, application.id, "00000000-0000-0000-0000-000000000000")
    return application, step


def _decide(session, user, step, kind, **fields):
    action = human_actions.record_action(session, user, step, kind, **fields)
    standard_land.apply_review_action(session, action.id)
    session.refresh(step)
    return action


def test_evaluation_is_stored_with_its_inputs_and_reproduced_from_them(session):
    application = _accepted(session, "sl-eval", tax_per_mu="36", office_share="8")
    evaluation = standard_land.evaluate(session, application.id)
    assert standard_land.evaluate(session, application.id).id == evaluation.id  # once
    verdicts = {i["code"]: i["verdict"] for i in evaluation.result["indicators"]}
    assert verdicts["tax_per_mu"] == "at_risk" and verdicts["office_share"] == "fail"
    assert verdicts["investment_intensity"] == "pass"
    assert evaluation.result["proposal"]["result"] == "reject"
    assert standard_land.evaluate_inputs(evaluation.inputs) == evaluation.result
    assert {i["code"] for i in evaluation.inputs["indicators"]} == set(PASSING_PLAN)
    reuse = {a["code"]: a for a in evaluation.result["assessments"]}
    assert reuse["RA-SSL-BIO-FH-2021"]["reusable"] is False  # expired
    assert reuse["RA-SSL-BIO-SB-2025"]["reusable"] is False  # parcel 1 is out of its scope
    assert any(a["reusable"] and a["kind"] == "plan_eia" for a in reuse.values())
    assert not any(code.startswith("RA-EAST") for code in reuse)  # other bases' assessments are not listed
    assert evaluation.result["energy"]["needed"] is False
    assert get_step(session, application.id, "indicator_evaluation").status == StepStatus.completed


def test_decisions_are_checked_and_applied_once(session, users):
    application, step = _in_review(session, "sl-decide")
    with pytest.raises(human_actions.ActionError, match="自然资源局"):
        human_actions.record_action(session, users["agent"], step, ActionKind.approve)
    with pytest.raises(human_actions.ActionError, match="没有待补正"):
        human_actions.record_action(session, users["enterprise"], step, ActionKind.supplement)
    with pytest.raises(human_actions.ActionError) as error:
        human_actions.record_action(session, users["reviewer"], step, ActionKind.request_supplement,
                                    items=[{"name": "估算表", "reason": ""}])
    assert error.value.field == "items" and "第1项" in error.value.message
    action = human_actions.record_action(session, users["reviewer"], step, ActionKind.approve)
    with pytest.raises(human_actions.ActionError, match="正在生效"):  # not applied yet: no second decision
        human_actions.record_action(session, users["reviewer"], step, ActionKind.reject, reasons="理由充分")
    first = standard_land.apply_review_action(session, action.id)
    assert standard_land.apply_review_action(session, action.id) == first  # idempotent
    assert session.get(type(application), application.id).status == ApplicationStatus.approved
    with pytest.raises(human_actions.ActionError, match="不在办理中"):
        human_actions.record_action(session, users["reviewer"], step, ActionKind.reject, reasons="理由充分")


def test_supplement_over_national_day_moves_the_deadline_by_the_working_days_it_stood_still(session, users):
    application, step = _in_review(session, "sl-pause")
    calendar = work_calendar(session)
    due_before = step.due_on
    clock.set_clock(lambda: datetime(2026, 9, 30, 10, 0))  # the day before the National Day holiday
    try:
        request = _decide(session, users["reviewer"], step, ActionKind.request_supplement,
                          items=[{"name": "项目投资估算表", "reason": "缺少设备投资明细", "form": "电子件"}])
        assert step.status == StepStatus.suspended
        assert session.get(type(application), application.id).status == ApplicationStatus.supplementing
        notice = session.get(Document, request.document_id)
        assert notice.kind == "supplement_notice" and notice.context["round"] == 1
        uploads.save_attachment(session, users["enterprise"], step, 0, "估算表.pdf", "application/pdf", b"%PDF-1.4")
        clock.set_clock(lambda: datetime(2026, 10, 9, 16, 0))  # 8 Oct and 9 Oct are the first working days
        _decide(session, users["enterprise"], step, ActionKind.supplement)
    finally:
        clock.set_clock(None)
    pause = session.exec(select(ClockPause).where(ClockPause.step_id == step.id)).one()
    assert (pause.started_on, pause.ended_on, pause.working_days) == (date(2026, 9, 30), date(2026, 10, 9), 2)
    assert step.status == StepStatus.running and step.paused_working_days == 2
    assert step.due_on == calendar.add_working_days(due_before, 2).due
    # the supplement was recorded for the enterprise, by the enterprise
    supplement = human_actions.actions_of(session, step.id)[-1]
    assert supplement.on_behalf_of_enterprise_id == application.enterprise_id


def test_approval_documents_are_reproduced_byte_for_byte_from_stored_rows(session, users):
    application, step = _in_review(session, "sl-docs")
    _decide(session, users["reviewer"], step, ActionKind.approve, reasons="符合地块控制指标")
    ids = [standard_land.issue_approval_document(session, application.id, key)
           for key, _ in standard_land.APPROVAL_DOCUMENTS]
    assert ids == [standard_land.issue_approval_document(session, application.id, key)  # once each
                   for key, _ in standard_land.APPROVAL_DOCUMENTS]
    build = {"assessment_report": standard_land.assessment_report_context,
             "investment_commitment": standard_land.commitment_context,
             "supervision_agreement": standard_land.agreement_context}
    for doc_id in ids:
        document = session.get(Document, doc_id)
        context = build[document.kind](session, application, document.number, document.issued_at)
        context["verification_code"] = verification_code(document.number)
        stored = file_store.store(session, "documents").get(document.pdf_path)
        assert stored is not None and hashlib.sha256(stored).hexdigest() == document.pdf_sha256
        # the signature is an incremental update: the stored PDF begins with the rendered bytes, unchanged
        assert stored.startswith(render_pdf(document.kind, context))
    commitment = session.get(Document, ids[1])
    assert {c["committed_text"] for c in commitment.context["commitments"]} >= {"≥ 600 万元/亩", "≤ 3.5 %"}
    assert all(s.status == StepStatus.completed for s in session.exec(select(Step).where(
        Step.application_id == application.id)))


def test_rejection_cancels_the_remaining_steps(session, users):
    application, step = _in_review(session, "sl-reject", tax_per_mu="20")
    with pytest.raises(human_actions.ActionError, match="理由"):
        human_actions.record_action(session, users["reviewer"], step, ActionKind.reject, reasons="")
    _decide(session, users["reviewer"], step, ActionKind.reject, reasons="亩均税收低于控制指标")
    assert session.get(type(application), application.id).status == ApplicationStatus.rejected
    later = [get_step(session, application.id, k) for k in ("assessment_report", "commitment")]
    assert all(s.status == StepStatus.cancelled and s.due_on is None for s in later)
    with pytest.raises(RuntimeError):
        standard_land.issue_approval_document(session, application.id, "assessment_report")


def _approved(session, users, key):
    application, step = _in_review(session, key)
    _decide(session, users["reviewer"], step, ActionKind.approve)
    return application


def test_verification_compares_actual_values_with_the_commitment(session, users):
    application = _approved(session, users, "sl-verify")
    data = verification.VerificationInput(
        checkpoint="completion", measured_on=clock.today(), evidence=["项目投资专项审计报告"],
        actual={"investment_intensity": Decimal("540"), "floor_area_ratio": Decimal("2.4"),
                "building_coefficient": Decimal("46"), "office_share": Decimal("3")})
    record = verification.record_verification(session, users["supervisor"], application.id, data, "v-1")
    assert verification.record_verification(session, users["supervisor"], application.id, data, "v-1").id == record.id
    rows = {r["code"]: r for r in record.result["rows"]}
    assert set(rows) == {"investment_intensity", "floor_area_ratio", "building_coefficient", "office_share"}
    assert rows["investment_intensity"]["met"] is False and rows["investment_intensity"]["shortfall"] == "60"
    assert rows["investment_intensity"]["shortfall_ratio"] == "0.1000"  # 60 of the committed 600
    consequences = record.result["consequences"]
    parcel = session.get(Parcel, 1)  # demo parcel 1: 150 万元/亩 × 50.025 亩, damages rate 1, 6 months
    expected = (parcel.land_price_wan * Decimal("0.1") * parcel.damages_rate).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert consequences["damages_wan"] == f"{expected:f}" and consequences["credit_record"] is True
    assert consequences["rectification_deadline"] == (clock.today() + relativedelta(months=6)).isoformat()
    report = session.get(Document, record.document_id)
    assert report.kind == "verification_report" and report.context["verification"]["all_met"] is False


@pytest.mark.parametrize(("who", "changes", "field"), [
    ("reviewer", {}, "checkpoint"),
    ("supervisor", {"measured_on": date.today() + timedelta(days=3)}, "measured_on"),
    ("supervisor", {"actual": {"investment_intensity": Decimal("540")}}, "actual.floor_area_ratio"),
])
def test_verification_refuses_bad_input(session, users, who, changes, field):
    application = _approved(session, users, f"sl-bad-{who}-{field}")
    data = verification.VerificationInput.model_validate(dict(
        checkpoint="completion", measured_on=date.today(), evidence=["审计报告"],
        actual={"investment_intensity": "600", "floor_area_ratio": "2.5", "building_coefficient": "47.5",
                "office_share": "3"}) | changes)
    with pytest.raises(verification.VerificationError) as error:
        verification.record_verification(session, users[who], application.id, data, f"bad-{field}")
    assert error.value.field == field
