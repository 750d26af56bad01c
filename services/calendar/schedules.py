"""Official holiday schedules (节假日安排) in the database, and the calendar built from them.

An administrator loads a year's schedule once the State Council publishes it (usually in
November for the next year). Loading it recomputes every open deadline that reaches into that year
— the provisional (暂定) ones, and any a corrected schedule moves — and audits each change. Who is
told about the moved deadlines is the caller's to say (``tell``, e.g.
``services.supervision.deadline_notices.tell_moved_deadlines``): the calendar knows days, not people,
so it imports neither agency nor supervision.
"""

from collections.abc import Callable
from datetime import date

from sqlmodel import Session, col, select

from services.calendar.work_calendar import HolidaySchedule, WorkCalendar, parse_schedule_toml
from services.cases.steps import recompute_open_deadlines
from services.core import audit, clock
from services.models import HolidayScheduleRecord, User

#: Tells the people concerned about moved deadlines: (session, the changes, the reason in Chinese).
DeadlineTeller = Callable[[Session, list[dict], str], None]

_cache: dict[tuple, WorkCalendar] = {}


def work_calendar(session: Session) -> WorkCalendar:
    """The calendar with every loaded schedule; cached until a schedule changes."""
    rows = session.exec(select(HolidayScheduleRecord).order_by(col(HolidayScheduleRecord.year))).all()
    key = tuple((r.year, r.loaded_at) for r in rows)
    if key not in _cache:
        _cache.clear()
        _cache[key] = WorkCalendar([parse_schedule_toml(r.content) for r in rows])
    return _cache[key]


def load_schedule(session: Session, text: str, actor: User | None, *,
                  tell: DeadlineTeller) -> tuple[HolidaySchedule, list[dict]]:
    """Store (or replace) a year's official schedule, recompute open deadlines and ``tell`` about them.

    Raises ``ScheduleError`` with a Chinese message when the file is wrong; nothing is written then.
    Returns the schedule and the list of deadline changes.
    """
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
    tell(session, changes, reason)
    return schedule, changes

