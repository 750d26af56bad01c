"""Waiting for people without holding a process: the flow side of ``services.cases.human_actions``.

A flow run that needs a person's action on a step applies the actions already stored, and when
none is waiting it *suspends* (``suspend_flow_run``): the process exits, nothing runs while the
department or the applicant takes days. The page or API that records an action resumes the run
with the action's id as typed input (``ActionInput``, validated by the Prefect server); Prefect
then starts the flow again from the top, the steps already done are no-ops (idempotent services),
and the loop applies the new action. If the resume call was lost, the task worker's sweep retries
it (``resume_stale``): the stored action, not the call, is the truth.
"""

import logging
from collections.abc import Callable
from typing import Any
from uuid import UUID

from prefect import get_client
from prefect.flow_runs import resume_flow_run, suspend_flow_run
from prefect.input import RunInput

from services.cases import handoff, human_actions
from services.cases.steps import ended_periods
from services.core import clock
from services.core.db import session_scope

log = logging.getLogger(__name__)


class ActionInput(RunInput):
    """What a resumed run is given: the id of the stored action to apply (办理动作编号)."""

    action_id: int


def settle_step(step_id: int, apply: Callable[[int], Any]) -> str:
    """Apply the step's actions in order until the step is closed; suspend whenever none is waiting.

    Returns the final step status. ``apply`` is the process's task taking an action id (idempotent).
    """
    while True:
        with session_scope() as session:
            next_on_step = handoff.next_on_step(session, step_id)
        if next_on_step.closed_as is not None:
            return next_on_step.closed_as.value
        if next_on_step.action_id is None:
            given = suspend_flow_run(wait_for_input=ActionInput, key=f"step-{step_id}-{next_on_step.applied}",
                                     timeout=None)
            log.info("resumed with action %s", given.action_id)
            continue  # the stored actions decide what happens next
        apply(next_on_step.action_id)


def resume(step_id: int, action_id: int | None) -> bool:
    """Resume the run waiting on the step (with the action, or none for a timer); False when it is not
    waiting right now."""
    with session_scope() as session:
        flow_run_id = handoff.run_waiting_on(session, step_id)
    if not flow_run_id:
        return False
    with get_client(sync_client=True) as client:
        state = client.read_flow_run(UUID(flow_run_id)).state
    if state is None or not state.is_paused():
        return False
    try:
        resume_flow_run(UUID(flow_run_id), run_input=None if action_id is None else {"action_id": action_id})
    except Exception:  # raced with another resume, or Prefect refused: the sweep looks again
        log.warning("could not resume flow run %s with action %s", flow_run_id, action_id, exc_info=True)
        return False
    return True


def resume_stale() -> int:
    """Resume every run whose action was recorded but not applied a while later; returns the count."""
    with session_scope() as session:
        stale = human_actions.stale_resumes(session)
    return sum(1 for step_id, _run, action_id in stale if resume(step_id, action_id))


def resume_ended_periods() -> int:
    """The timer: resume runs waiting for a statutory period (公示) that has ended; returns the count."""
    with session_scope() as session:
        ended = ended_periods(session, clock.today())
    return sum(1 for step_id, _run in ended if resume(step_id, None))
