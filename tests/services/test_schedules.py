"""Provisional deadlines reaching into a year without an official schedule, and their recompute."""

from datetime import datetime

import pytest
from sqlmodel import select

from services.calendar.schedules import load_schedule, work_calendar
from services.calendar.work_calendar import ScheduleError
from services.core import clock
from services.core.users import get_by_username
from services.models import AuditEvent, Step
from services.standard_land.intake import StandardLandApplicationInput, submit_application
from services.supervision.deadline_notices import tell_moved_deadlines
from tests.samples import SAMPLE
from tests.samples import TEST_2027_TOML as TEST_2027  # test data, not official


@pytest.fixture
def december_clock():
    clock.set_clock(lambda: datetime(2026, 12, 28, 9, 0))
    yield
    clock.set_clock(None)


def test_loading_the_schedule_recomputes_provisional_deadlines_and_audits(session, december_clock):
    from datetime import timedelta

    from services.agency import service as agency

    user = get_by_username(session, "enterprise")
    project = "期限调整测试项目"  # delegated to an agent, who is told as well
    mandate, _ = agency.sign(session, user, agency.MandateInput(
        project_name=project, item_codes=["DB02"], valid_from=clock.today(),
        valid_until=clock.today() + timedelta(days=200), signed_by_name="林晓", agree=True), "schedule-mandate")
    agency.assign(session, get_by_username(session, "supervisor"), mandate, get_by_username(session, "agent2").id)
    application, _ = submit_application(
        session, user, StandardLandApplicationInput.model_validate({**SAMPLE, "project_name": project}),
        "provisional-1")
    review = session.exec(select(Step).where(Step.application_id == application.id,
                                             Step.key == "supervision_agreement")).one()
    assert review.due_provisional, "a deadline in 2027 must be marked 暂定 while 2027 is unknown"
    before = review.due_on

    admin = get_by_username(session, "supervisor")
    schedule, changes = load_schedule(session, TEST_2027, admin, tell=tell_moved_deadlines)
    assert schedule.year == 2027
    session.refresh(review)
    assert not review.due_provisional
    mine = [c for c in changes if c["application_id"] == application.id]
    assert any(c["step"] == "supervision_agreement" for c in mine)
    events = session.exec(select(AuditEvent).where(AuditEvent.application_id == application.id,
                                                   AuditEvent.action == "step.deadline_recomputed")).all()
    assert len(events) == len(mine) and all(e.actor_id == admin.id for e in events)
    assert events[0].detail["reason"].startswith("载入2027年节假日安排")
    # 1/4-1/5 were provisional 补假 days and are working days now; the test schedule's 调休 Saturday counts
    assert review.due_on <= before
    assert work_calendar(session).is_workday(datetime(2027, 2, 20).date())
    # the enterprise and the department contacts are told what moved and why, once per step and date
    from services.models import Notification

    told = session.exec(select(Notification).where(Notification.application_id == application.id,
                                                   Notification.kind == "deadline_moved")).all()
    assert {n.user_id for n in told} >= {user.id, get_by_username(session, "reviewer").id,
                                         get_by_username(session, "agent2").id}
    assert any("载入2027年节假日安排" in n.body and "supervision_agreement" not in n.title for n in told)
    load_schedule(session, TEST_2027, admin, tell=tell_moved_deadlines)  # the same again tells nobody twice
    again = session.exec(select(Notification).where(Notification.application_id == application.id,
                                                    Notification.kind == "deadline_moved")).all()
    assert len(again) == len(told)


def test_a_bad_schedule_file_writes_nothing(session):
    with pytest.raises(ScheduleError):
        load_schedule(session, "year = 2027\n[[holidays]]\nname='元旦'\nstart=2028-01-01\n", None,
                      tell=tell_moved_deadlines)
    from services.models import HolidayScheduleRecord

    assert session.get(HolidayScheduleRecord, 2027) is None
