"""The record of a 拿地即开工 case run (案件流程): which open cases have one, and its restarts, capped.

A case run can die halfway (a worker killed, the database restarted); the repair sweep
(``flows.land_to_start.restart_stalled_cases``) asks Prefect about each run listed here and starts a new
one for a crashed or failed run. How often that may happen, and what is recorded when it does or when
it stops trying, is decided here. Nothing here talks to Prefect.
"""

from collections.abc import Collection

from sqlmodel import Session, col, select

from services.cases import faults, handoff
from services.land_to_start.service import PROCESS_KEY, record_restart, restart_count
from services.models import Application, ApplicationStatus

MAX_RESTARTS = 3
FAULT_KIND = "case_run_lost"


def open_case_runs(session: Session, application_ids: Collection[int] | None = None) -> list[tuple[int, str]]:
    """(application id, case run id) of every open case that has a run on record (or only those given)."""
    stmt = select(Application.id, Application.flow_run_id).where(
        col(Application.process_key) == PROCESS_KEY, col(Application.flow_run_id).is_not(None),
        col(Application.status).in_((ApplicationStatus.submitted, ApplicationStatus.accepted)))
    if application_ids is not None:
        stmt = stmt.where(col(Application.id).in_(application_ids))
    return [(app_id, run_id) for app_id, run_id in session.exec(stmt) if app_id is not None and run_id]


def claim_restart(session: Session, application_id: int, run_id: str, state: str,
                  max_restarts: int = MAX_RESTARTS) -> int | None:
    """Count one more restart of the case after its run ended in ``state``; returns its number, or None
    when ``max_restarts`` are spent — a persistent fault is not looped on: the case is left to a person
    (an unrepairable finding, 系统异常)."""
    if restart_count(session, application_id) >= max_restarts:
        faults.record(session, application_id, FAULT_KIND,
                      f"案件流程已{max_restarts}次中断（{state}），不再自动重启，需人工处理",
                      flow_run_id=run_id, unrepairable=True)
        return None
    return record_restart(session, application_id, run_id, state)


def record_restarted(session: Session, application_id: int, lost_run_id: str, new_run_id: str, state: str,
                     attempt: int) -> None:
    """The new run carries the case from now on (the next sweep must not judge the lost one again)."""
    handoff.set_flow_run(session, application_id, new_run_id)
    faults.record(session, application_id, FAULT_KIND, f"案件流程中断（{state}），已自动重启（第{attempt}次）",
                  flow_run_id=lost_run_id, repaired=True)
