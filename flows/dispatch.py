"""Hand stored applications to Prefect, right after the intake transaction commits.

The web app never waits for Prefect: ``enqueue`` puts the application id on an in-process queue and
returns, and one dispatcher thread defers a background task per application
(``start_process.delay``). A long-running Prefect task worker (``deployments/task_worker.py``) picks
each one up within milliseconds and runs the process flow in its already-warm interpreter, so the
automatic steps (completeness → acceptance) finish about half a second after submission. The flow
run records its id on the application. Creating a Prefect task run costs ~70–90 ms, most of it in the
Prefect server, so doing it inside the request would cap submissions at a few per second; an id lost
with the queue (the web app stopped) is re-queued by the task worker's sweep.
"""

import logging
import queue
import threading
from collections.abc import Callable
from datetime import timedelta
from functools import partial

from prefect import tags, task

from flows.human import resume
from flows.registry import flow_for
from services.cases import handoff
from services.core.db import session_scope
from services.core.settings import get_settings

log = logging.getLogger(__name__)


@task(name="start-process", retries=1, retry_delay_seconds=5)
def start_process(application_id: int) -> dict:
    """Start the application's process (``flows.registry``), tagged with the case: its intake flow as a
    child flow run of this task run, or (拿地即开工) its case run."""
    with session_scope() as session:
        process_key = handoff.application_of(session, application_id).process_key
    start = flow_for(process_key).start
    with tags(f"case-{application_id}", process_key):
        return start(application_id)


def dispatch(application_id: int) -> bool:
    """Queue the application's process in Prefect now, unless another dispatcher has claimed it.

    False when it was not queued here (claimed elsewhere, or Prefect unreachable: then the claim is
    released and the task worker's sweep retries).
    """
    with session_scope() as session:
        if not handoff.claim_dispatch(session, application_id, stale_after=_claim_lost_after()):
            return False
    try:
        future = start_process.delay(application_id)
    except Exception as error:  # the application is safe in our database; the sweep retries it
        log.warning("could not queue the process of application %s (retried by the sweep): %r", application_id, error)
        with session_scope() as session:
            handoff.release_dispatch(session, application_id)
        return False
    with session_scope() as session:
        handoff.record_dispatch(session, application_id, str(future.task_run_id))
    return True


def redispatch_pending() -> int:
    """Queue every application whose dispatch failed or never started a flow run; returns the count."""
    with session_scope() as session:
        pending = handoff.awaiting_dispatch(session, grace=_claim_lost_after(), stale_after=_claim_lost_after())
    return sum(1 for app_id in pending if dispatch(app_id))


def _claim_lost_after() -> timedelta:
    """A hand-over claimed but neither queued nor given back this long ago died with its process (a web app
    killed between the two): ``GC_STUCK_AFTER_SECONDS``, like every other stuck work."""
    return timedelta(seconds=get_settings().stuck_after_seconds)


_queue: "queue.Queue[Callable[[], object]]" = queue.Queue()
_thread: threading.Thread | None = None
_lock = threading.Lock()


def enqueue(application_id: int) -> None:
    """Dispatch in the background (web requests call this after their commit)."""
    _submit(partial(dispatch, application_id))


def enqueue_resume(step_id: int, action_id: int) -> None:
    """Resume the run waiting on a step, in the background, after the action was committed."""
    _submit(partial(resume, step_id, action_id))


def _submit(call: Callable[[], object]) -> None:
    global _thread
    with _lock:
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_dispatch_forever, daemon=True, name="gc-dispatch")
            _thread.start()
    _queue.put(call)


def _dispatch_forever() -> None:
    while True:
        call = _queue.get()
        try:
            call()
        except Exception:  # the sweep retries whatever this could not hand over
            log.exception("background hand-over failed")
        finally:
            _queue.task_done()
