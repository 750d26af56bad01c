"""法定时限 beside 承诺时限: a step whose definition names a statutory limit (with its legal basis) gets a statutory
due date counted like the committed one — working days over holidays and 调休, 补正 pauses added, calendar days
rolled to the next working day — while its light follows the committed limit."""

import uuid
from datetime import date

import pytest
from pydantic import ValidationError
from sqlmodel import select

from services.calendar.schedules import work_calendar
from services.cases.processes import StepDefinition, get_definition
from services.cases.steps import statutory_due
from services.core.users import get_by_username
from services.eia import service as eia
from services.land_to_start import service as lts
from services.models import Step
from tests import factories
from tests.samples import ELECTRONICS


def _steps(session, application_id: int) -> dict[str, Step]:
    return {s.key: s for s in session.exec(select(Step).where(Step.application_id == application_id))}


def test_a_statutory_limit_counts_working_days_over_national_day_and_its_pauses(session):
    calendar = work_calendar(session)
    design = get_definition("land_to_start").step("design_review")
    assert (design.statutory_days, design.statutory_unit, design.statutory_zh) == (20, "working_day", "20个工作日")
    assert "行政许可法" in design.statutory_basis
    step = Step(application_id=0, key="design_review", name="设计方案预审", kind="human", department="自然资源局",
                sequence=1, sla_working_days=7)
    # from Fri 25 Sep 2026: Sep 28–30, then (Oct 1–7 off) Oct 8, 9, Sat 10 (调休), 12 … → the 20th is Thu 29 Oct
    assert statutory_due(calendar, design, step, date(2026, 9, 25)) == date(2026, 10, 29)
    step.paused_working_days = 3  # 补正 stood the clock still for 3 working days
    assert statutory_due(calendar, design, step, date(2026, 9, 25)) == date(2026, 11, 3)

    review = get_definition("eia_commitment").step("eia_review")
    assert (review.statutory_days, review.statutory_unit, review.statutory_zh) == (30, "calendar_day", "30日")
    # 30 calendar days from Fri 4 Sep 2026 end on Sun 4 Oct, inside the holiday: the period ends Thu 8 Oct
    assert statutory_due(calendar, review, step, date(2026, 9, 4)) == date(2026, 10, 8)
    assert statutory_due(calendar, get_definition("standard_land").step("land_review"), step, date(2026, 9, 4)) is None


def test_cases_get_their_statutory_due_dates_when_their_deadlines_are_scheduled(session):
    enterprise = get_by_username(session, "enterprise")
    case, _ = lts.submit(session, enterprise, lts.LandToStartInput.model_validate({
        "project_id": factories.make_project(session).id, "project_code": "2611-441900-04-01-654321",
        "building_area_m2": "28000", "design_unit": "广东省建筑设计研究院",
        "contractor": "中建三局第一建设工程有限责任公司", "supervisor_unit": "广州建设工程监理有限公司",
        "funds_committed": True, "risk_signed_by": "陈立新",
        "risk_agreed": True}), str(uuid.uuid4()))
    steps = _steps(session, case.id)
    calendar = work_calendar(session)
    design = steps["design_review"]
    assert design.due_on is not None and design.statutory_due_on is not None
    assert calendar.working_days_between(design.due_on, design.statutory_due_on) == 20 - 7
    assert steps["project_filing"].statutory_due_on is None and steps["eia"].statutory_due_on is not None

    project_id = factories.accepted_case(session).project_id
    eia_case, _ = eia.submit(session, enterprise, eia.EiaApplicationInput.model_validate({
        "project_id": project_id, "scale": "年产智能传感器500万件", "facts": ELECTRONICS, "route": "commitment",
        "commitment_confirmed": True}), str(uuid.uuid4()))
    review = _steps(session, eia_case.id)["eia_review"]
    assert review.statutory_due_on is not None and review.due_on is not None
    assert review.statutory_due_on > review.due_on  # 30 days by law, 1 working day committed


def test_a_statutory_limit_must_name_its_legal_basis():
    with pytest.raises(ValidationError, match="statutory_basis"):
        StepDefinition(key="x", name="审查", kind="human", department="自然资源局", sla_working_days=5,
                       statutory_days=20)
