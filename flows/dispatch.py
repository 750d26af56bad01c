"""Hand a stored application to Prefect, right after the intake transaction commits.

The web app defers one background task (``start_process.delay``); a long-running Prefect task worker
(``deployments/task_worker.py``) picks it up within milliseconds and runs the process flow in its
already-warm interpreter, so the automatic steps (completeness → acceptance) finish about a second after
submission instead of paying a fresh Python process per run. The flow run and its task runs appear in the
Prefect UI as usual; the flow records its run id on the application.
"""

import logging

from prefect import task

from flows.standard_land import standard_land_process
from services import intake
from services.db import session_scope

log = logging.getLogger(__name__)


@task(name="start-process", retries=1, retry_delay_seconds=5)
def start_process(application_id: int) -> dict:
    """Run the application's process flow (a child flow run of this task run)."""
    return standard_land_process(application_id)


def dispatch(application_id: int) -> bool:
    """Queue the application's process; False when Prefect cannot be reached now (retried later)."""
    try:
        start_process.delay(application_id)
    except Exception:  # the application is safe in our database; the task worker's sweep retries
        log.exception("could not queue the process of application %s", application_id)
        return False
    with session_scope() as session:
        intake.mark_dispatched(session, application_id)
    return True


def redispatch_pending() -> int:
    """Queue every application whose dispatch failed or never started a flow run; returns the count."""
    with session_scope() as session:
        pending = intake.awaiting_dispatch(session)
    return sum(1 for app_id in pending if dispatch(app_id))
