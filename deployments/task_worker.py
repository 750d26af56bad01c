"""The Prefect task worker: runs the process flows that the web app queues, in a warm interpreter — the
intake of each application and every later segment of a case (after a decision, an ended period).

One per machine is enough for a park; start more (on more machines, with shared result storage and the
same GC_… settings) to scale out. It also re-queues applications whose dispatch failed while Prefect
was unreachable, queues again the segments whose hand-over was lost, and repairs stuck work
(``flows.repair``). While its event loop works it touches a heartbeat file (``services.core.heartbeat``), so
``greenchannel run`` can tell a worker that is alive but hung from a working one and replace it.
"""

import asyncio
import contextlib
import logging
import os
import threading

from prefect.task_worker import StopTaskWorker, aserve

from flows.dispatch import (
    continue_case,
    continue_ended_periods,
    continue_stale_actions,
    redispatch_pending,
    start_process,
)
from flows.repair import repair_stuck_work
from services.core import heartbeat, sign_in_sessions
from services.core.db import session_scope
from services.core.settings import get_settings

log = logging.getLogger(__name__)


def purge_ended_sign_ins() -> None:
    """Sign-in rows that can no longer let anyone in go, so the table does not grow with every sign-in."""
    with session_scope() as session:
        sign_in_sessions.purge_ended(session)


def sweep_once() -> None:
    """One pass of every sweep: lost hand-overs, stored actions and ended periods carried on, stuck work
    repaired, ended sign-ins purged. Each sweep's failure is logged and left to the next pass."""
    for sweep in (redispatch_pending, continue_stale_actions, continue_ended_periods, repair_stuck_work,
                  purge_ended_sign_ins):
        try:
            sweep()
        except Exception:  # keep sweeping; the next round retries
            log.exception("%s failed", sweep.__name__)


def _redispatch_forever() -> None:
    """The sweep every ``GC_DISPATCH_SWEEP_SECONDS`` in this warm process. A Prefect schedule would start a
    fresh interpreter per pass (``bench/bench_sweep_mechanism.py`` measures both)."""
    stop = threading.Event()
    while not stop.wait(get_settings().dispatch_sweep_seconds):
        sweep_once()


async def _beat_forever() -> None:
    """Beat from the loop that claims and runs the tasks: if it blocks, the beats stop."""
    file = heartbeat.path(get_settings(), heartbeat.TASK_WORKER, os.getpid())
    try:
        while True:
            heartbeat.beat(file)
            await asyncio.sleep(heartbeat.BEAT_SECONDS)
    finally:
        file.unlink(missing_ok=True)


async def _serve() -> None:
    beats = asyncio.create_task(_beat_forever())
    try:
        await aserve(start_process, continue_case, limit=4)
    finally:
        beats.cancel()


def main() -> None:
    threading.Thread(target=_redispatch_forever, daemon=True, name="redispatch").start()
    with contextlib.suppress(StopTaskWorker, KeyboardInterrupt):  # SIGTERM from `run`: a normal stop
        asyncio.run(_serve())


if __name__ == "__main__":
    main()
