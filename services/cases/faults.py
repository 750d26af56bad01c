"""Stuck work (系统异常): find the cases whose flow run was lost, and keep the record of each repair.

The database says what *should* be happening; ``flows.repair`` asks Prefect whether it is, and repairs
what is not (a new run, a re-dispatch). Three kinds are found here:

* ``intake_stalled`` — submitted, handed to Prefect, and still not accepted minutes later (the task
  worker died before or during intake and its task or flow run was left RUNNING, or it failed);
* ``review_run_lost`` — a 标准地 or 环评 case with work a segment could do now (its review never opened, or
  decided without its documents) and nothing moving for a while: the segment was lost with its worker;
* ``case_run_lost`` — the same for a 拿地即开工 case (a step closed, the next ones not opened).

Each finding is a ``SystemFault`` row (one open row per case and kind), closed when the repair took.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, true, update
from sqlmodel import Session, col, select

from services.core import clock
from services.core.db import id_column
from services.models import Application, ApplicationStatus, Step, StepAction, StepStatus, SystemFault

MAX_REPAIRS = 3
REVIEW_PROCESSES = ("standard_land", "eia_commitment", "eia_normal", "eia_normal_book")
KIND_ZH = {"intake_stalled": "受理流程中断", "review_run_lost": "审查流程丢失", "case_run_lost": "案件流程中断",
           "notice_failed": "督办通知出具失败"}


@dataclass(frozen=True)
class Candidates:
    """What the database says should be moving; Prefect decides whether it is."""

    lost_dispatches: list[tuple[int, str]]  # (application id, queued task run id) with no flow run yet
    stalled_intakes: list[tuple[int, str]]  # (application id, intake flow run id)
    quiet_cases: list[tuple[int, str, str, datetime]]  # (case, process, its run, last move) not moved since the cutoff


def candidates(session: Session, stall_after: timedelta, application_ids: Collection[int] | None = None,
               now: datetime | None = None) -> Candidates:
    """Cases that should have moved ``stall_after`` ago (all, or only ``application_ids``); only cases
    that were handed to Prefect (their intake run is on record) — the rest is ``redispatch_pending``'s."""
    now = now or clock.now()
    cutoff = now - stall_after
    only = col(Application.id).in_(application_ids) if application_ids is not None else true()
    dispatches = session.exec(select(id_column(Application), Application.dispatch_task_run_id).where(
        Application.status == ApplicationStatus.submitted, col(Application.flow_run_id).is_(None),
        col(Application.dispatch_task_run_id).is_not(None), col(Application.dispatched_at) < cutoff, only)).all()
    intakes = session.exec(select(id_column(Application), Application.flow_run_id).where(
        col(Application.process_key).in_(REVIEW_PROCESSES), Application.status == ApplicationStatus.submitted,
        col(Application.flow_run_id).is_not(None), col(Application.submitted_at) < cutoff, only)).all()
    # no run id is None here (the queries select rows that have one): the filters only say so to the type checker
    return Candidates([(case, run) for case, run in dispatches if run is not None],
                      [(case, run) for case, run in intakes if run is not None], _quiet_cases(session, cutoff, only))


def _quiet_cases(session: Session, cutoff: datetime, only: Any) -> list[tuple[int, str, str, datetime]]:
    """(case, process, run, last move) of cases handed to Prefect, not closed, with a planned step of the flows'
    and whose last move (submission, a step started or finished, an action applied) is older than ``cutoff``.
    Whether a segment could do something now is the process's to say: most wait on people, as they should."""
    started, finished = (select(func.max(col(column))).where(col(Step.application_id) == Application.id)
                         .scalar_subquery() for column in (Step.started_at, Step.finished_at))
    applied = select(func.max(col(StepAction.applied_at))).where(
        col(StepAction.application_id) == Application.id).scalar_subquery()
    planned = select(Step.id).where(col(Step.application_id) == Application.id, Step.status == StepStatus.planned,
                                    Step.kind != "applicant")
    moves = [func.coalesce(move, Application.submitted_at) for move in (started, finished, applied)]
    stmt = select(id_column(Application), Application.process_key, Application.flow_run_id, *moves).where(
        col(Application.process_key).in_((*REVIEW_PROCESSES, "land_to_start")),
        col(Application.flow_run_id).is_not(None),
        or_(col(Application.status).in_((ApplicationStatus.accepted, ApplicationStatus.supplementing,
                                         ApplicationStatus.approved)),
            # a 拿地即开工 case stays 已提交 until its first segment opens a step: a segment lost before that
            # (its worker killed) leaves it here, and no intake repair looks at it (found by the topology test)
            and_(col(Application.process_key) == "land_to_start",
                 col(Application.status) == ApplicationStatus.submitted)),
        planned.exists(), *(move < cutoff for move in moves), only)
    rows: list[Any] = list(session.execute(stmt))
    return [(row[0], row[1], row[2], max(m for m in row[3:] if m is not None)) for row in rows]


def queue_passed(session: Session, application_id: int) -> bool:
    """Whether an application handed over after this one has already started its process run: the queue
    of hand-overs is first in, first out, so this one's queued task run was dropped (not merely waiting)."""
    dispatched_at = select(Application.dispatched_at).where(col(Application.id) == application_id).scalar_subquery()
    later_started = select(Application.id).where(col(Application.dispatched_at) > dispatched_at,
                                                 col(Application.flow_run_id).is_not(None)).limit(1)
    return session.exec(later_started).first() is not None


def record(session: Session, application_id: int, kind: str, reason: str, *, flow_run_id: str = "",
           step_id: int | None = None, unrepairable: bool = False, repaired: bool = False) -> SystemFault:
    """Note a finding (one open row per case and kind); ``repaired`` closes it at once."""
    now = clock.now()
    fault = session.exec(select(SystemFault).where(SystemFault.application_id == application_id,
                                                   SystemFault.kind == kind,
                                                   col(SystemFault.repaired_at).is_(None))).first()
    if fault is None:
        fault = SystemFault(application_id=application_id, kind=kind, found_at=now, last_seen_at=now, reason="")
    fault.reason, fault.flow_run_id, fault.step_id = reason[:500], flow_run_id, step_id
    fault.last_seen_at, fault.attempts, fault.unrepairable = now, fault.attempts + 1, unrepairable
    if repaired:
        fault.repaired_at = now
    session.add(fault)
    session.flush()
    return fault


def close(session: Session, application_id: int, kind: str) -> None:
    """The case's open finding of ``kind``, if any, is repaired (what failed has now been done)."""
    session.exec(update(SystemFault).where(col(SystemFault.application_id) == application_id,
                                           col(SystemFault.kind) == kind, col(SystemFault.repaired_at).is_(None))
                 .values(repaired_at=clock.now()).execution_options(synchronize_session=False))


def repairs_so_far(session: Session, application_id: int, kind: str) -> int:
    """How often this case's work of this kind was already repaired (a repair that keeps failing is
    handed to a person instead of being looped on)."""
    return session.exec(select(func.count()).select_from(SystemFault).where(
        SystemFault.application_id == application_id, SystemFault.kind == kind,
        col(SystemFault.repaired_at).is_not(None))).one()


def last_replacement(session: Session, application_id: int, kind: str) -> str:
    """The task run the case's latest repair of ``kind`` queued ('' when none was recorded): while it still
    waits in Prefect's queue, the case is not queued again."""
    return session.exec(select(SystemFault.replacement_run_id).where(
        SystemFault.application_id == application_id, SystemFault.kind == kind,
        col(SystemFault.repaired_at).is_not(None)).order_by(col(SystemFault.id).desc()).limit(1)).first() or ""


def note_replacement(session: Session, fault_id: int, run_id: str) -> None:
    """Keep the id of the run (or queued task run) a repair started with its finding."""
    session.exec(update(SystemFault).where(col(SystemFault.id) == fault_id).values(replacement_run_id=run_id)
                 .execution_options(synchronize_session=False))


def open_faults(session: Session) -> list[tuple[SystemFault, str]]:
    """Findings still open, newest first, with the case number (shown to supervisors)."""
    stmt = (select(SystemFault, Application.case_no)
            .join(Application, col(Application.id) == SystemFault.application_id)
            .where(col(SystemFault.repaired_at).is_(None)).order_by(col(SystemFault.found_at).desc()))
    return [(fault, case_no) for fault, case_no in session.exec(stmt)]


def counts(session: Session, since: datetime | None = None) -> dict[str, int]:
    """Open findings, those needing a person, and repairs since ``since`` (default 30 days)."""
    since = since or clock.now() - timedelta(days=30)
    open_ = session.exec(select(func.count()).select_from(SystemFault)
                         .where(col(SystemFault.repaired_at).is_(None))).one()
    unrepairable = session.exec(select(func.count()).select_from(SystemFault).where(
        col(SystemFault.repaired_at).is_(None), SystemFault.unrepairable)).one()
    repaired = session.exec(select(func.count()).select_from(SystemFault)
                            .where(col(SystemFault.repaired_at) >= since)).one()
    return {"open": open_, "unrepairable": unrepairable, "repaired_30d": repaired}


def reset_dispatch(session: Session, application_id: int, lost_flow_run_id: str) -> bool:
    """Forget a lost intake run (or the lost task run queued to start it) so that the next dispatch starts
    a new one (guarded: only while that run is the one on record)."""
    lost = (col(Application.flow_run_id) == lost_flow_run_id) | (
        col(Application.flow_run_id).is_(None) & (col(Application.dispatch_task_run_id) == lost_flow_run_id))
    result = session.exec(update(Application).where(col(Application.id) == application_id, lost,
                                                    col(Application.status) == ApplicationStatus.submitted)
                          .values(flow_run_id=None, dispatched_at=None, dispatch_task_run_id=None)
                          .execution_options(synchronize_session=False))
    return result.rowcount == 1
