"""Steps (办理环节): planning from the process definition, deadlines, starting and closing.

Every status change goes through ``services.cases.transitions`` (an ``UPDATE … WHERE status IN
(expected)``), so a repeated call (a retried flow task, a double click) changes nothing the second
time. Deadlines come from the working-day calendar only: a step's clock starts when all its
predecessors are done (or planned to be).
"""

from datetime import date, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from services.calendar.work_calendar import WorkCalendar
from services.cases import transitions
from services.cases.processes import ProcessDefinition, StepDefinition, get_definition
from services.cases.transitions import OPEN
from services.core import audit, clock
from services.core.ids import stored_id
from services.models import Application, Step, StepStatus, User


def plan_steps(session: Session, application: Application, definition: ProcessDefinition) -> list[Step]:
    steps = [
        Step(application_id=stored_id(application), key=s.key, name=s.name, kind=s.kind, department=s.department,
             sequence=i, sla_working_days=s.sla_working_days, sla_unit=s.sla_unit)
        for i, s in enumerate(definition.steps)
    ]
    session.add_all(steps)
    session.flush()
    return steps


def steps_of(session: Session, application_id: int) -> list[Step]:
    return list(session.exec(select(Step).where(col(Step.application_id) == application_id)
                             .order_by(col(Step.sequence))))


def get_step(session: Session, application_id: int, key: str) -> Step:
    return session.exec(select(Step).where(col(Step.application_id) == application_id, col(Step.key) == key)).one()


def schedule_deadlines(session: Session, application: Application, calendar: WorkCalendar) -> list[dict]:
    """(Re)compute the due date of every open step; returns the changes made.

    A step starts on the latest of its predecessors' finish dates (or their due dates while they
    are open), and is due ``sla_working_days`` working days later, plus the working days its clock
    stood still for 补正. Cancelled steps have no deadline.
    """
    definition = get_definition(application.process_key, application.process_version)
    by_key = {s.key: s for s in steps_of(session, stored_id(application))}
    ends: dict[str, tuple[date, bool]] = {}
    changes = []
    for step_def in definition.steps:
        step = by_key[step_def.key]
        if step.status == StepStatus.completed and step.finished_at is not None:
            ends[step.key] = (step.finished_at.date(), False)
            continue
        if step.status == StepStatus.cancelled:
            ends[step.key] = (step.finished_at.date() if step.finished_at else date.min, False)
            continue
        starts = [ends[d] for d in step_def.depends_on] or [(application.submitted_at.date(), False)]
        start, inherited = max(starts, key=lambda x: x[0])[0], any(p for _, p in starts)
        new = due_after(calendar, step_def, step, start, inherited)
        if (step.due_on, step.due_provisional) != new:
            changes.append({"step": step.key, "old_due": step.due_on, "new_due": new[0],
                            "old_provisional": step.due_provisional, "new_provisional": new[1]})
            step.due_on, step.due_provisional = new
            session.add(step)
        statutory = statutory_due(calendar, step_def, step, start)
        if step.statutory_due_on != statutory:
            step.statutory_due_on = statutory
            session.add(step)
        ends[step.key] = new
    session.flush()
    return changes


def due_after(calendar: WorkCalendar, step_def: StepDefinition, step: Step, start: date,
              inherited: bool) -> tuple[date, bool]:
    """When a step is due, counted from ``start``: working days (plus 补正 pauses), calendar days
    (statutory periods such as 公示), or the quarterly sample (end of the first month of the next quarter)."""
    if step_def.due_rule == "quarterly_sample":
        first_month = 3 * ((start.month - 1) // 3) + 4  # first month of the next quarter (13 = next January)
        year, month = start.year + (first_month - 1) // 12, (first_month - 1) % 12 + 1
        end = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
        return end, inherited or calendar.is_provisional(end)
    end, provisional = _period_end(calendar, step.sla_unit, step.sla_working_days, step.paused_working_days, start)
    return end, provisional or inherited


def _period_end(calendar: WorkCalendar, unit: str, days: int, paused_working_days: int, start: date
                ) -> tuple[date, bool]:
    """The end of a period of ``days`` from ``start`` (and whether the calendar of that day is provisional):
    working days plus the 补正 pauses, or calendar days, where a period ending on a rest day ends the next working
    day (民法典 art. 203)."""
    if unit == "calendar_day":
        end = start + timedelta(days=days)
        while not calendar.is_workday(end):
            end += timedelta(days=1)
        return end, calendar.is_provisional(end)
    due = calendar.add_working_days(start, days + paused_working_days)
    return due.due, due.provisional


def statutory_due(calendar: WorkCalendar, step_def: StepDefinition, step: Step, start: date) -> date | None:
    """When the statutory limit (法定时限) ends, counted like the committed one from the same start, 补正 pauses
    added (行政许可法 art. 45: that time is not counted); None for a step without one."""
    if step_def.statutory_days is None:
        return None
    return _period_end(calendar, step_def.statutory_unit, step_def.statutory_days, step.paused_working_days,
                       start)[0]


def recompute_open_deadlines(session: Session, calendar: WorkCalendar, actor: User | None, reason: str,
                             affected_from: date) -> list[dict]:
    """Recompute deadlines of every application with an open step due on or after ``affected_from``
    (the first day whose calendar changed); audit each change."""
    app_ids = session.exec(
        select(Step.application_id).where(col(Step.status).in_(OPEN), col(Step.due_on) >= affected_from).distinct()
    ).all()
    all_changes = []
    for app_id in app_ids:
        application = session.get_one(Application, app_id)
        for change in schedule_deadlines(session, application, calendar):
            detail = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in change.items()}
            detail["reason"] = reason
            audit.record(session, "step.deadline_recomputed", actor=actor, entity="step",
                         entity_id=f"{app_id}:{change['step']}", application_id=app_id, detail=detail)
            all_changes.append({"application_id": app_id, "case_no": application.case_no, **change})
    return all_changes


def finish_step(
    session: Session, application_id: int, key: str, *, status: StepStatus, outcome: dict[str, Any],
    actor_label: str = "flow",
) -> bool:
    """Close an open step with its outcome; False when it was already closed (idempotent).

    The guarded update is the claim: only the call that moved the step records its audit event."""
    now = clock.now()
    if not transitions.move_step(session, application_id, key, status, values={"finished_at": now,
                                                                                "outcome": outcome}):
        return False
    session.execute(
        update(Step).where(col(Step.application_id) == application_id, col(Step.key) == key,
                           col(Step.started_at).is_(None))
        .values(started_at=now).execution_options(synchronize_session=False)
    )
    audit.record(session, f"step.{status.value}", actor=None, actor_label=actor_label, entity="step",
                 entity_id=f"{application_id}:{key}", application_id=application_id, detail=outcome)
    session.expire_all()
    return True


def start_step(session: Session, application_id: int, key: str) -> bool:
    """Start a planned step (its clock runs from now); False when it had already started or closed."""
    return transitions.move_step(session, application_id, key, StepStatus.running,
                                 values={"started_at": clock.now()})


def ended_periods(session: Session, today: date) -> list[int]:
    """Cases with a statutory period (公示 …) that a segment started, that ended before today and is not closed
    yet: the timer sweep queues their next segment."""
    stmt = select(Step.application_id).where(
        col(Step.kind) == "statutory", col(Step.status) == StepStatus.running, col(Step.flow_run_id).is_not(None),
        col(Step.due_on) < today).group_by(col(Step.application_id))
    return list(session.exec(stmt))


def ready_steps(session: Session, application_id: int) -> list[str]:
    """Steps a segment of the case could start now: planned, not the applicant's, every step before them done
    (completed or cancelled). A case quiet with ready steps was left halfway by a lost segment."""
    application = session.get_one(Application, application_id)
    definition = get_definition(application.process_key, application.process_version)
    status = {step.key: step.status for step in steps_of(session, application_id)}
    done = (StepStatus.completed, StepStatus.cancelled)
    return [d.key for d in definition.steps if d.kind != "applicant" and status.get(d.key) == StepStatus.planned
            and all(status.get(before) in done for before in d.depends_on)]
