"""亮灯督办 with a calendar the test controls (the sweep takes ``today``): lights over holidays and 调休,
paused clocks, escalation once per level — also when the sweep runs twice or two run at once."""

import gc
import threading
from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import Session, select

from services.calendar.schedules import work_calendar
from services.cases import acceptance
from services.core import clock
from services.core.db import get_engine
from services.core.users import get_by_username
from services.models import Document, Escalation, Notification, Step, StepLight, StepStatus, SystemFault
from services.standard_land import service as standard_land
from services.standard_land.intake import StandardLandApplicationInput, submit_application
from services.supervision import service as supervision
from services.supervision import sla_rules as sla
from tests.samples import SAMPLE

RULE = sla.LightRule()


# -- rules -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("limit", "remaining", "light"), [
    (5, 5, "green"), (5, 3, "green"), (5, 2, "yellow"), (5, 1, "yellow"), (5, 0, "red"), (5, -3, "red"),
    (1, 1, "yellow"), (30, 11, "green"), (30, 10, "yellow"), (0, 1, "yellow"),
])
def test_default_thresholds(limit, remaining, light):
    assert sla.light_for(RULE, limit, remaining, paused=False) == light


@given(st.integers(0, 60), st.integers(-30, 60))
def test_a_paused_clock_never_shows_yellow_or_red_and_less_time_never_improves_the_light(limit, remaining):
    order = {"green": 0, "yellow": 1, "red": 2}
    assert sla.light_for(RULE, limit, remaining, paused=True) == "paused"
    assert order[sla.light_for(RULE, limit, remaining - 1, False)] >= order[sla.light_for(RULE, limit, remaining,
                                                                                           False)]


def test_tier_and_item_overrides_and_bad_configuration(tmp_path):
    rules = sla.load_rules()
    assert rules.rule_for("standard_land", "land_review").escalate_after == (2, 5)
    assert rules.rule_for("standard_land", "land_review", tier="key").escalate_after == (1, 3)
    assert rules.rule_for("eia_commitment", "eia_review", tier="key").escalate_after == (1, 2)  # item wins
    assert [sla.escalation_level(RULE, d) for d in (0, 1, 2, 4, 5, 9)] == [1, 1, 2, 2, 3, 3]
    bad = tmp_path / "bad.toml"
    bad.write_text('version = "x"\n[default]\nescalate_after = [5, 2]\n', encoding="utf-8")
    with pytest.raises(ValueError, match="increasing"):
        sla.load_rules(bad)


# -- the sweep ---------------------------------------------------------------------------------------

def _review_step(session, key) -> Step:
    user = get_by_username(session, "enterprise")
    application = submit_application(session, user, StandardLandApplicationInput.model_validate(SAMPLE), key)[0]
    acceptance.check_completeness(session, application.id)
    acceptance.accept(session, application.id)
    standard_land.evaluate(session, application.id)
    return standard_land.open_review(session, application.id, "00000000-0000-0000-0000-000000000000")


def _force_due(session, step: Step, due: date) -> Step:
    """Put the step's deadline where the test needs it (as if it had been accepted earlier)."""
    step.due_on = due
    step.started_at = datetime.combine(due - timedelta(days=7), time(9))
    session.add(step)
    session.flush()
    return step


def _issue_on(session, day: date) -> list[int]:
    """Issue the pending 督办通知 as the sweep's flow would on that day."""
    clock.set_clock(lambda: datetime.combine(day, time(10)))
    try:
        return supervision.issue_pending_notices(session)
    finally:
        clock.set_clock(None)


def _light(session, step: Step) -> StepLight:
    return session.exec(select(StepLight).where(StepLight.step_id == step.id)).one()


def test_lights_count_working_days_over_national_day_and_its_adjusted_saturday(session):
    step = _force_due(session, _review_step(session, "sup-1"), date(2026, 10, 12))  # Monday after the holiday
    # 2026: Oct 1–7 holiday, Sat Oct 10 is a working day (调休). Left on Sep 30 (today included):
    # Sep 30, Oct 8, 9, 10, 12 = 5 → green (threshold 2 for a 5-day limit)
    supervision.sweep(session, date(2026, 9, 30))
    assert (_light(session, step).light, _light(session, step).remaining_working_days) == ("green", 5)
    supervision.sweep(session, date(2026, 10, 10))  # the working Saturday: Oct 10, 12 left → yellow
    assert (_light(session, step).light, _light(session, step).remaining_working_days) == ("yellow", 2)
    supervision.sweep(session, date(2026, 10, 12))  # due today: still yellow, not red
    assert _light(session, step).light == "yellow"
    supervision.sweep(session, date(2026, 10, 13))
    assert _light(session, step).light == "red"


def test_steps_sharing_a_deadline_over_national_day_count_in_their_own_unit(session):
    """The sweep counts each deadline once per unit: same due date, working and calendar days, two lights."""
    due = date(2026, 10, 12)  # Monday after the holiday (Oct 1–7 off, Sat Oct 10 worked)
    working = _force_due(session, _review_step(session, "sup-7a"), due)
    calendar_days = _force_due(session, _review_step(session, "sup-7b"), due)
    calendar_days.sla_unit = "calendar_day"
    session.add(calendar_days)
    session.flush()
    supervision.sweep(session, date(2026, 9, 30))  # Sep 30, Oct 8, 9, 10, 12 | 13 calendar days
    assert [(_light(session, s).light, _light(session, s).remaining_working_days)
            for s in (working, calendar_days)] == [("green", 5), ("green", 13)]
    report = supervision.sweep(session, date(2026, 10, 11))  # Sunday: Oct 12 left | Oct 11 and 12
    assert [(_light(session, s).light, _light(session, s).remaining_working_days)
            for s in (working, calendar_days)] == [("yellow", 1), ("yellow", 2)]
    assert report.changed >= 2
    bodies = {n.dedupe_key: n.body for n in session.exec(select(Notification).where(
        Notification.kind == "light_yellow", Notification.dedupe_key.in_(
            [f"yellow-{working.id}-{due}", f"yellow-{calendar_days.id}-{due}"])))}
    assert "剩余1个" in bodies[f"yellow-{working.id}-{due}"] and "剩余2个" in bodies[f"yellow-{calendar_days.id}-{due}"]
    report = supervision.sweep(session, date(2026, 10, 13))  # both overdue: 督办通知 with a reply due in 3 working days
    assert {(working.id, 1), (calendar_days.id, 1)} <= set(report.escalations)
    escalation = session.exec(select(Escalation).where(Escalation.step_id == working.id)).one()
    assert (escalation.level, escalation.reply_due_on) == (1, date(2026, 10, 16))
    notice = session.exec(select(Notification).where(Notification.dedupe_key == f"escalation-{working.id}-1")).first()
    assert notice is not None and notice.kind == "supervision_notice"
    assert "办结期限（2026年10月12日）" in notice.body and "请于2026年10月16日前书面回复" in notice.body


def test_a_suspended_clock_is_paused_not_running_out(session):
    step = _force_due(session, _review_step(session, "sup-2"), date(2026, 1, 5))
    step.status = StepStatus.suspended
    session.add(step)
    supervision.sweep(session, date(2026, 3, 2))
    assert _light(session, step).light == "paused"
    assert not session.exec(select(Escalation).where(Escalation.step_id == step.id)).all()


def test_yellow_notifies_once_and_red_escalates_once_per_level(session):
    step = _force_due(session, _review_step(session, "sup-3"), date(2026, 11, 20))  # a Friday
    supervision.sweep(session, date(2026, 11, 16))  # green first: the change to yellow is what notifies
    assert _light(session, step).light == "green"
    supervision.sweep(session, date(2026, 11, 19))  # yellow
    supervision.sweep(session, date(2026, 11, 19))  # again: nothing new
    yellow = session.exec(select(Notification).where(Notification.application_id == step.application_id,
                                                     Notification.kind == "light_yellow")).all()
    assert len(yellow) >= 1 and len({n.user_id for n in yellow}) == len(yellow)
    first = supervision.sweep(session, date(2026, 11, 23))  # Monday: red → 督办通知 (level 1)
    assert (step.id, 1) in first.escalations
    assert supervision.sweep(session, date(2026, 11, 23)).escalations == []  # a second run sends nothing
    issued = _issue_on(session, date(2026, 11, 23))
    supervision.sweep(session, date(2026, 11, 25))  # red for 2 working days → 现场指挥部
    issued += _issue_on(session, date(2026, 11, 25))
    supervision.sweep(session, date(2026, 12, 1))  # 6 working days → 总指挥部
    issued += _issue_on(session, date(2026, 12, 1))
    levels = [e.level for e in session.exec(select(Escalation).where(Escalation.step_id == step.id)
                                            .order_by(Escalation.level))]
    assert levels == [1, 2, 3]
    assert len(issued) >= 3 and supervision.issue_pending_notices(session) == []
    mine = [session.get(Document, i) for i in issued]
    assert [d.context["level"] for d in mine if d.application_id == step.application_id] == [1, 2, 3]
    notice = next(d for d in mine if d.application_id == step.application_id)
    assert notice.kind == "supervision_notice" and notice.context["department"] == "自然资源局"
    assert notice.context["reply_due_on"] == work_calendar(session).add_working_days(
        date(2026, 11, 23), 3).due.isoformat()


def test_two_sweeps_at_once_escalate_once(migrated):
    with Session(get_engine()) as setup:
        step = _force_due(setup, _review_step(setup, f"sup-4-{threading.get_ident()}"), date(2026, 11, 20))
        setup.commit()
        step_id = step.id
    today = date(2026, 11, 24)
    errors = []

    def run():
        try:
            with Session(get_engine()) as s:
                supervision.sweep(s, today)
                s.commit()
        except Exception as error:  # a lost race on the lights table is retried by the next sweep
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with Session(get_engine()) as s:
        escalations = s.exec(select(Escalation).where(Escalation.step_id == step_id)).all()
        assert [e.level for e in escalations] == [1]
        notices = s.exec(select(Notification).where(Notification.dedupe_key == f"escalation-{step_id}-1")).all()
        assert len(notices) == len({n.user_id for n in notices}) >= 1
    assert len(errors) <= 1


def test_the_garbage_collector_is_back_after_a_sweep_also_a_failed_one(session, monkeypatch):
    supervision.sweep(session, date(2026, 11, 18))
    assert gc.isenabled()

    def broken(_session):
        assert not gc.isenabled()  # paused while the sweep reads its rows
        raise RuntimeError("calendar unavailable")

    monkeypatch.setattr(supervision, "work_calendar", broken)
    with pytest.raises(RuntimeError):
        supervision.sweep(session, date(2026, 11, 18))
    assert gc.isenabled()


def test_deadline_text_uses_the_step_unit(session):
    step = _force_due(session, _review_step(session, "sup-5"), date(2026, 12, 31))
    step.sla_unit = "calendar_day"
    assert supervision.remaining_days(work_calendar(session), step, date(2026, 12, 31)) == 1
    assert supervision.remaining_days(work_calendar(session), step, date(2027, 1, 1)) == 0
    assert supervision.remaining_days(work_calendar(session), step, date(2026, 12, 1)) == 31
    assert date(2026, 12, 1) + timedelta(days=30) == step.due_on


def test_each_sweep_keeps_one_snapshot_per_day_for_the_charts(session):
    from services.models import LightSnapshot

    _force_due(session, _review_step(session, "sup-6"), date(2026, 11, 20))
    day = date(2026, 11, 18)
    first = supervision.sweep(session, day)
    supervision.sweep(session, day)  # the same day again replaces, never adds
    rows = session.exec(select(LightSnapshot).where(LightSnapshot.day == day)).all()
    assert sum(r.count for r in rows) == first.steps
    assert {(r.department, r.light) for r in rows} == set(first.by_department)


def test_a_notice_that_cannot_be_issued_is_recorded_and_does_not_hold_back_the_others(session):
    broken = _force_due(session, _review_step(session, "sup-notice-broken"), date(2026, 11, 20))
    fine = _force_due(session, _review_step(session, "sup-notice-fine"), date(2026, 11, 20))
    supervision.sweep(session, date(2026, 11, 23))  # both red: a 督办通知 each
    broken.due_on = None  # the notice cannot be worded (as a step whose deadline was lost would be)
    session.add(broken)
    session.flush()
    issued = [session.get(Document, i) for i in _issue_on(session, date(2026, 11, 23))]
    assert fine.application_id in {d.application_id for d in issued}
    assert broken.application_id not in {d.application_id for d in issued}
    fault = session.exec(select(SystemFault).where(SystemFault.application_id == broken.application_id)).one()
    assert fault.kind == "notice_failed" and fault.repaired_at is None and "督办通知" in fault.reason

    broken.due_on = date(2026, 11, 20)  # put right: the next sweep issues it and closes the finding
    session.add(broken)
    session.flush()
    again = [session.get(Document, i) for i in _issue_on(session, date(2026, 11, 24))]
    assert [d.application_id for d in again if d.application_id == broken.application_id] == [broken.application_id]
    session.refresh(fault)
    assert fault.repaired_at is not None
