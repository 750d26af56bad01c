"""The Prefect task worker: runs the process flows that the web app queues, in a warm interpreter.

One per machine is enough for a park; start more (on more machines, with shared result storage and the
same GC_… settings) to scale out. It also re-queues applications whose dispatch failed while Prefect
was unreachable, resumes review runs whose resume call was lost, and restarts 拿地即开工 case runs that died.
"""

import logging
import threading

from prefect.task_worker import serve

from flows.dispatch import redispatch_pending, start_process
from flows.human import resume_ended_periods, resume_stale
from flows.land_to_start import restart_stalled_cases
from services.settings import get_settings


def _redispatch_forever() -> None:
    stop = threading.Event()
    while not stop.wait(get_settings().dispatch_sweep_seconds):
        for sweep in (redispatch_pending, resume_stale, resume_ended_periods, restart_stalled_cases):
            try:
                sweep()
            except Exception:  # keep sweeping; the next round retries
                logging.getLogger(__name__).exception("%s failed", sweep.__name__)


def main() -> None:
    threading.Thread(target=_redispatch_forever, daemon=True, name="redispatch").start()
    serve(start_process, limit=4)


if __name__ == "__main__":
    main()
