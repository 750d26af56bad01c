"""全周期监管: an approved 标准地 case's commitments become scheduled checks that light up and remind on a controlled
clock; a shortfall opens a 整改复核; the credit record says 达标 / 整改 / 违约."""

import csv
import io
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from sqlmodel import select

from services.cases import acceptance, human_actions
from services.core import clock
from services.core.users import get_by_username
from services.models import ActionKind, Notification, Parcel, Project
from services.standard_land import compliance, verification
from services.standard_land import service as standard_land
from services.standard_land.intake import StandardLandApplicationInput, submit_application
from tests.samples import PASSING_PLAN, SAMPLE, with_plan

ACTUAL_MET = {"investment_intensity": Decimal("600"), "floor_area_ratio": Decimal("2.5"),
              "building_coefficient": Decimal("47.5"), "office_share": Decimal("3")}


@pytest.fixture
def approved(session):
    """An approved 标准地 case of the demo enterprise (rolled back after the test)."""
    data = StandardLandApplicationInput.model_validate(with_plan(dict(SAMPLE, planned_indicators=PASSING_PLAN)))
    application = submit_application(session, get_by_username(session, "enterprise"), data, "compliance-cycle")[0]
    acceptance.check_completeness(session, application.id)
    acceptance.accept(session, application.id)
    standard_land.evaluate(session, application.id)
    step = standard_land.open_review(session, application.id, "00000000-0000-0000-0000-000000000000")
    action = human_actions.record_action(session, get_by_username(session, "reviewer"), step, ActionKind.approve)
    standard_land.apply_review_action(session, action.id)
    return application


def _on(day: date) -> None:
    clock.set_clock(lambda: datetime.combine(day, time(9)))


@pytest.fixture(autouse=True)
def real_clock_after():
    yield
    clock.set_clock(None)


def _verify(session, application, day: date, actual: dict, key: str):
    _on(day)
    data = verification.VerificationInput(checkpoint="completion", measured_on=day, evidence=["项目投资专项审计报告"],
                                          actual=actual)
    return verification.record_verification(session, get_by_username(session, "supervisor"), application.id, data, key)


def _notices(session, application, user="enterprise") -> list[Notification]:
    return list(session.exec(select(Notification).where(
        Notification.application_id == application.id, Notification.kind == "compliance_due",
        Notification.user_id == get_by_username(session, user).id)))


def test_committed_dates_become_checks_that_light_remind_and_open_a_rectification(session, approved):
    project = session.get(Project, approved.project_id)
    parcel = session.get(Parcel, project.parcel_id)
    compliance.sweep_checks(session, clock.today())
    checks = {c.kind: c for c in compliance.checks_of(session, approved.id)}
    assert checks["completion"].due_on == project.planned_completion_on
    assert checks["ramp_up_end"].due_on == project.planned_production_on + relativedelta(
        years=parcel.initial_operating_years)
    # the parcel checks its R&D ratio every year: the first 年度核验 a year after 达产
    assert checks["annual"].due_on == checks["ramp_up_end"].due_on + relativedelta(years=1)
    compliance.sweep_checks(session, clock.today())  # a second sweep plans nothing twice
    assert len(compliance.checks_of(session, approved.id)) == 3
    completion = checks["completion"]
    assert compliance.light_of(completion, clock.today()) == "green" and not _notices(session, approved)

    soon = completion.due_on - timedelta(days=10)
    compliance.sweep_checks(session, soon)
    compliance.sweep_checks(session, soon)  # the same day again: told once
    assert compliance.light_of(completion, soon) == "yellow"
    told = _notices(session, approved)
    assert [n.title for n in told] == [f"【提醒】{approved.case_no}的对标验收即将到期"]
    assert _notices(session, approved, "supervisor"), "supervisors are told too"
    late = completion.due_on + timedelta(days=1)
    compliance.sweep_checks(session, late)
    assert compliance.light_of(completion, late) == "red"
    assert {n.title for n in _notices(session, approved)} >= {f"【红灯】{approved.case_no}的对标验收已逾期"}

    # the park measures a shortfall: the check is done and a 整改复核 is due at the end of the rectification period
    record = _verify(session, approved, late, dict(ACTUAL_MET, investment_intensity=Decimal("540")), "c-1")
    session.refresh(completion)
    assert completion.status == "done" and completion.verification_id == record.id
    rectification = next(c for c in compliance.checks_of(session, approved.id) if c.kind == "rectification")
    assert rectification.due_on == late + relativedelta(months=parcel.rectification_months)
    assert rectification.follows_id == record.id and rectification.checkpoint == "completion"

    mine = [e for e in compliance.credit_record(session, late) if e.case_no == approved.case_no]
    assert [(e.kind, e.result, e.rectification_due) for e in mine] == [("对标验收", "整改", rectification.due_on)]
    assert mine[0].credit_record and mine[0].damages_wan  # the parcel's liability terms: damages, credit record

    # passed the deadline without a re-check: 违约
    after = rectification.due_on + timedelta(days=1)
    assert [e.result for e in compliance.credit_record(session, after) if e.case_no == approved.case_no] == [
        "整改", "违约"]
    # the re-check meets the commitment: the 整改复核 is done, the record says 达标 for it
    recheck = _verify(session, approved, rectification.due_on, ACTUAL_MET, "c-2")
    session.refresh(rectification)
    assert rectification.status == "done" and rectification.verification_id == recheck.id
    mine = [e for e in compliance.credit_record(session, after) if e.case_no == approved.case_no]
    assert [(e.kind, e.result) for e in mine] == [("对标验收", "整改"), ("整改复核（对标验收）", "达标")]
    assert not mine[1].credit_record


def test_a_failed_recheck_is_a_breach_and_the_export_is_excel_ready_csv(session, approved):
    compliance.sweep_checks(session, clock.today())
    due = next(c for c in compliance.checks_of(session, approved.id) if c.kind == "completion").due_on
    _verify(session, approved, due, dict(ACTUAL_MET, investment_intensity=Decimal("500")), "b-1")
    rectification = next(c for c in compliance.checks_of(session, approved.id) if c.kind == "rectification")
    _verify(session, approved, rectification.due_on, dict(ACTUAL_MET, investment_intensity=Decimal("550")), "b-2")
    mine = [e for e in compliance.credit_record(session, rectification.due_on) if e.case_no == approved.case_no]
    assert [e.result for e in mine] == ["整改", "违约"]
    # a second shortfall schedules its own 整改复核, six months on
    assert len([c for c in compliance.checks_of(session, approved.id) if c.kind == "rectification"]) == 2
    out = io.StringIO()
    csv.writer(out).writerows([compliance.CREDIT_COLUMNS, *(e.row() for e in mine)])
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0][0] == "统一社会信用代码" and rows[2][6] == "违约" and rows[2][9] == "是"


def test_each_yearly_check_done_plans_the_next_one(session, approved):
    compliance.sweep_checks(session, clock.today())
    first = next(c for c in compliance.checks_of(session, approved.id) if c.kind == "annual")
    _on(first.due_on)
    data = verification.VerificationInput(checkpoint="annual", measured_on=first.due_on, evidence=["研发费用专项审计"],
                                          actual={"rd_ratio": Decimal("4.6")})  # committed 4.5 %
    record = verification.record_verification(session, get_by_username(session, "supervisor"), approved.id, data,
                                              "annual-1")
    assert record.result["all_met"] and [r["code"] for r in record.result["rows"]] == ["rd_ratio"]
    session.refresh(first)
    assert first.status == "done"
    compliance.sweep_checks(session, first.due_on)
    annual = [c for c in compliance.checks_of(session, approved.id) if c.kind == "annual"]
    assert [c.due_on for c in annual] == [first.due_on, first.due_on + relativedelta(years=1)]
    assert [e.result for e in compliance.credit_record(session, first.due_on) if e.case_no == approved.case_no] == [
        "达标"]
