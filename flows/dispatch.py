"""Hand stored applications, and every later move of a case, to Prefect right after the commit.

The web app never waits for Prefect: ``enqueue`` puts the application id on an in-process queue and
returns, and one dispatcher thread defers a background task per application
(``start_process.delay``). A long-running Prefect task worker (``deployments/task_worker.py``) picks
each one up within milliseconds and runs the process flow in its already-warm interpreter, so the
automatic steps (completeness → acceptance) finish about half a second after submission. The flow
run records its id on the application. Creating a Prefect task run costs ~70–90 ms, most of it in the
Prefect server, so doing it inside the request would cap submissions at a few per second; an id lost
with the queue (the web app stopped) is re-queued by the task worker's sweep.

The same way on: when a person acts on a step (or a statutory period ends), ``continue_case`` is deferred
and the task worker carries the case on from the database in a new segment — a flow run tagged with the
case, in a warm interpreter — until it waits on people again. No run is suspended and no process is
started per decision. A lost hand-over is found by the sweep from the stored actions
(``continue_stale_actions``) and periods (``continue_ended_periods``).
"""

import logging
import queue
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from functools import partial

from prefect import tags, task

from flows.registry import flow_for
from services.cases import handoff, human_actions
from services.cases.steps import ended_periods
from services.core import clock
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


@task(name="continue-case", retries=1, retry_delay_seconds=5)
def continue_case(application_id: int, cause: str) -> dict:
    """Carry the case on from the database (``flows.registry``: its process's next segment, a flow run tagged
    with the case) after ``cause`` — an action's id, ``period`` or ``repair``. Idempotent: a segment does only
    what the stored actions and steps say is left, so a second one for the same cause does nothing."""
    with session_scope() as session:
        process_key = handoff.application_of(session, application_id).process_key
    advance = flow_for(process_key).advance
    if advance is None:
        return {"waiting": None}
    with tags(f"case-{application_id}", process_key):
        return advance(application_id)


def continue_now(application_id: int, cause: str) -> str | None:
    """Queue the case's next segment; the id of its task run, or None when Prefect refused (the sweep queues it
    again)."""
    try:
        future = continue_case.delay(application_id, cause)
    except Exception as error:  # the action is safe in our database; the sweep finds it unapplied
        log.warning("could not queue the next segment of case %s (%s): %r", application_id, cause, error)
        return None
    return str(future.task_run_id)


#: when this process last queued a sweep's segment for each (case, cause): a segment queued behind a backlog
#: is not queued again until the stall limit has passed once more
_swept: dict[tuple[int, str], float] = {}


def _continue_once_per_stall(application_id: int, cause: str) -> bool:
    now, again_after = time.monotonic(), _claim_lost_after().total_seconds() / 2
    if now - _swept.get((application_id, cause), -again_after) < again_after:
        return False
    queued = continue_now(application_id, cause) is not None
    if queued:  # a refused hand-over is tried again at the next sweep
        _swept[(application_id, cause)] = now
    return queued


def continue_stale_actions() -> int:
    """Queue again every case with an action recorded a while ago and still not applied; returns the count."""
    with session_scope() as session:
        stale = human_actions.stale_actions(session, older_than=_claim_lost_after() / 2)
    return sum(1 for application_id in stale if _continue_once_per_stall(application_id, "stale-action"))


def continue_ended_periods() -> int:
    """The timer: carry on every case whose statutory period (公示) has ended; returns the count."""
    with session_scope() as session:
        ended = ended_periods(session, clock.today())
    return sum(1 for application_id in ended if _continue_once_per_stall(application_id, "period"))


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


def enqueue_continue(application_id: int, action_id: int) -> None:
    """Queue the case's next segment in the background, after a person's action was committed."""
    _submit(partial(continue_now, application_id, f"action-{action_id}"))


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
