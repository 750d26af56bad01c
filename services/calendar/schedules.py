"""Official holiday schedules (节假日安排) in the database, and the calendar built from them.

An administrator loads a year's schedule once the State Council publishes it (usually in
November for the next year). Loading it recomputes every open deadline that reaches into that year
— the provisional (暂定) ones, and any a corrected schedule moves — and audits each change.
"""

from datetime import date

from sqlmodel import Session, select

from services.calendar.work_calendar import HolidaySchedule, WorkCalendar, parse_schedule_toml
from services.core import audit, clock
from services.models import HolidayScheduleRecord, User

_cache: dict[tuple, WorkCalendar] = {}


def work_calendar(session: Session) -> WorkCalendar:
    """The calendar with every loaded schedule; cached until a schedule changes."""
    rows = session.exec(select(HolidayScheduleRecord).order_by(HolidayScheduleRecord.year)).all()
    key = tuple((r.year, r.loaded_at) for r in rows)
    if key not in _cache:
        _cache.clear()
        _cache[key] = WorkCalendar([parse_schedule_toml(r.content) for r in rows])
    return _cache[key]


def load_schedule(session: Session, text: str, actor: User | None) -> tuple[HolidaySchedule, list[dict]]:
    """Store (or replace) a year's official schedule and recompute open deadlines.

    Raises ``ScheduleError`` with a Chinese message when the file is wrong; nothing is written then.
    Returns the schedule and the list of deadline changes.
    """
    from services.cases.steps import recompute_open_deadlines  # steps needs work_calendar: import late

    schedule = parse_schedule_toml(text)
    record = session.get(HolidayScheduleRecord, schedule.year)
    action = "calendar.schedule_replaced" if record else "calendar.schedule_loaded"
    record = record or HolidayScheduleRecord(year=schedule.year, source="", content="", loaded_at=clock.now(),
                                             loaded_by="")
    record.source, record.content = schedule.source, text
    record.loaded_at, record.loaded_by = clock.now(), actor.username if actor else "system"
    session.add(record)
    session.flush()
    audit.record(session, action, actor=actor, entity="holiday_schedule", entity_id=schedule.year,
                 detail={"source": schedule.source, "holidays": len(schedule.holidays),
                         "workdays": len(schedule.workdays)})
    reason = f"载入{schedule.year}年节假日安排：{schedule.source}"
    changes = recompute_open_deadlines(session, work_calendar(session), actor, reason=reason,
                                       affected_from=date(schedule.year, 1, 1))
    _tell_about_moved_deadlines(session, changes, reason)
    return schedule, changes


def _tell_about_moved_deadlines(session: Session, changes: list[dict], reason: str) -> None:
    """Everyone concerned by a moved deadline is told what moved and why: the department contacts of the
    step, the case's agents (代办 mandates, chief agent) and the applicant enterprise's users (once per step
    and new date)."""
    from services.agency import service as agency
    from services.models import Application, Role, Step
    from services.supervision import notifications

    for change in changes:
        step = session.exec(select(Step).where(Step.application_id == change["application_id"],
                                               Step.key == change["step"])).first()
        application = session.get(Application, change["application_id"])
        if step is None or application is None:
            continue
        enterprise_users = session.exec(select(User).where(User.role == Role.enterprise, User.is_active,
                                                           User.enterprise_id == application.enterprise_id)).all()
        old = change["old_due"].isoformat() if change["old_due"] else "—"
        new = change["new_due"].isoformat() if change["new_due"] else "—"
        firm = "" if change["new_provisional"] else "（正式期限）"
        notifications.notify(
            session, [*notifications.department_contacts(session, step.department), *enterprise_users,
                      *agency.agents_for(session, application)],
            kind="deadline_moved", title=f"【期限调整】{application.case_no}“{step.name}”办结期限 {old} → {new}",
            body=f"{reason}。{application.case_no}的“{step.name}”办结期限由{old}调整为{new}{firm}。",
            link=f"/applications/{application.id}",
            dedupe_key=f"deadline-{application.id}-{step.key}-{new}", application_id=application.id)
