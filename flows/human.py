"""Waiting for people without holding anything: the flow side of ``services.cases.human_actions``.

A segment of a case (a flow run on the warm task worker, ``flows.dispatch.continue_case``) applies the
actions already stored on a human step, in order, and when none is waiting it simply ends: nothing runs
while the department or the applicant takes days. The page or API that records an action queues the
next segment (``enqueue_continue``); if that hand-over was lost, the task worker's sweep queues it again
(``continue_stale_actions``): the stored action, not the call, is the truth.
"""

from collections.abc import Callable
from typing import Any

from services.cases import handoff
from services.core.db import session_scope

WAITING = "waiting"  # what ``settle_step`` answers while the step still waits for people


def settle_step(step_id: int, apply: Callable[[int], Any]) -> str:
    """Apply the step's stored actions in order; the final step status once closed, else ``WAITING``.

    ``apply`` is the process's task taking an action id (idempotent: the action is claimed first).
    """
    while True:
        with session_scope() as session:
            next_on_step = handoff.next_on_step(session, step_id)
        if next_on_step.closed_as is not None:
            return next_on_step.closed_as.value
        if next_on_step.action_id is None:
            return WAITING
        apply(next_on_step.action_id)
