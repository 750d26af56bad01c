"""Hand-off to the orchestrator (移交流程引擎): the bookkeeping every process uses between our database
and Prefect.

An application is stored first; only after its commit is it handed to Prefect. The hand-off is
tracked on the application itself, so that exactly one process run starts and a lost hand-off is
found again:

* ``claim_dispatch`` — one dispatcher (the web app's, or the task worker's sweep) claims it;
* ``record_dispatch`` — the queued task run is remembered, for the repair sweep to ask Prefect about;
* ``release_dispatch`` — Prefect refused: the claim is given back for the sweep to retry;
* ``set_flow_run`` — the process run that started names itself on the application (audited);
* ``awaiting_dispatch`` — what the sweep hands over again.

And back: a segment of the case (``flows.human``) asks ``next_on_step`` what to do next on a human step —
go on, apply the oldest recorded action, or end and let people act (a recorded action queues the next
segment).

This module only keeps the record; it must not talk to Prefect (``flows.dispatch`` and ``flows.human`` do).
"""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from services.cases.human_actions import unapplied
from services.core import audit, clock
from services.models import Application, Step, StepStatus


def application_of(session: Session, application_id: int) -> Application:
    """The case being handed over (its process key, status …); LookupError when there is none."""
    application = session.get(Application, application_id)
    if application is None:
        raise LookupError(f"application {application_id} does not exist")
    return application


def set_flow_run(session: Session, application_id: int, flow_run_id: str) -> None:
    """Record the process run now carrying the case (once per run id; audited)."""
    application = application_of(session, application_id)
    if application.flow_run_id != flow_run_id:
        application.flow_run_id = flow_run_id
        session.add(application)
        audit.record(session, "application.flow_run_started", actor=None, entity="application",
                     entity_id=application_id, application_id=application_id,
                     detail={"flow_run_id": flow_run_id})


def claim_dispatch(session: Session, application_id: int, stale_after: timedelta = timedelta(minutes=10)) -> bool:
    """Claim the hand-over to Prefect; False when another dispatcher already has it (no second run).

    A guarded update: the web app's dispatcher and the task worker's sweep may both try, only one wins.
    """
    now = clock.now()
    result = session.execute(
        update(Application)
        .where(col(Application.id) == application_id, col(Application.flow_run_id).is_(None),
               col(Application.dispatched_at).is_(None)
               | ((col(Application.dispatched_at) < now - stale_after)
                  & col(Application.dispatch_task_run_id).is_(None)))
        .values(dispatched_at=now, dispatch_task_run_id=None)
        .execution_options(synchronize_session=False))
    return result.rowcount == 1  # type: ignore[attr-defined]  # an UPDATE answers a CursorResult


def record_dispatch(session: Session, application_id: int, task_run_id: str) -> None:
    """Remember the queued task run: the repair sweep asks Prefect about it instead of guessing by age
    (a long queue is not a lost hand-over; a killed worker's task run is)."""
    session.execute(update(Application)
                    .where(col(Application.id) == application_id, col(Application.flow_run_id).is_(None))
                    .values(dispatch_task_run_id=task_run_id).execution_options(synchronize_session=False))


def release_dispatch(session: Session, application_id: int) -> None:
    """Give a claim back after Prefect refused the hand-over, so the sweep retries it."""
    session.execute(update(Application)
                    .where(col(Application.id) == application_id, col(Application.flow_run_id).is_(None))
                    .values(dispatched_at=None, dispatch_task_run_id=None)
                    .execution_options(synchronize_session=False))


def awaiting_dispatch(session: Session, grace: timedelta = timedelta(minutes=2),
                      stale_after: timedelta = timedelta(minutes=10)) -> list[int]:
    """Applications whose hand-over to Prefect was lost (never done after ``grace``, e.g. the web app
    stopped with it queued) or done long ago without a flow run starting and without a task run to ask
    about (those with one are judged by ``flows.repair``)."""
    now = clock.now()
    dispatched_at = col(Application.dispatched_at)
    never = dispatched_at.is_(None) & (col(Application.submitted_at) < now - grace)
    stale = (dispatched_at < now - stale_after) & col(Application.dispatch_task_run_id).is_(None)
    stmt = select(Application.id).where(col(Application.flow_run_id).is_(None), never | stale)
    return [app_id for app_id in session.exec(stmt) if app_id is not None]


@dataclass(frozen=True)
class NextOnStep:
    """What the run waiting on a human step does next."""

    closed_as: StepStatus | None  # the step waits for nobody any more (this status): the run goes on
    action_id: int | None  # else the oldest recorded action not yet applied (None: the step waits for people)


def next_on_step(session: Session, step_id: int) -> NextOnStep:
    """Whether the step still waits for people (running, or suspended for 补正), and on which action."""
    step = session.get(Step, step_id)
    if step is None:
        raise LookupError(f"step {step_id} does not exist")
    if step.status not in (StepStatus.running, StepStatus.suspended):
        return NextOnStep(closed_as=step.status, action_id=None)
    pending = unapplied(session, step_id)
    return NextOnStep(closed_as=None, action_id=pending.id if pending else None)


def accepted(session: Session, application_id: int) -> bool:
    """Whether the case was accepted (受理): only then may a segment open its review (a repeated or late
    segment of a case refused at intake does nothing)."""
    return application_of(session, application_id).accepted_at is not None
