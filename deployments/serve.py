"""Serve the process flows on this machine (one runner process), and hand over any application
that was stored while Prefect was unreachable.

Many machines: register the same flows in a process work pool instead (see prefect.yaml).
"""

import logging
import threading

from prefect import serve

from flows.dispatch import redispatch_pending
from flows.standard_land import standard_land_process

DEPLOYMENT_NAME = "greenchannel"


def deployments():
    return [standard_land_process.to_deployment(name=DEPLOYMENT_NAME)]


def _redispatch_forever(interval_seconds: float = 30.0) -> None:
    """Applications stored while Prefect was unreachable get their flow run here, within a minute."""
    stop = threading.Event()
    while not stop.wait(interval_seconds):
        try:
            redispatch_pending()
        except Exception:  # keep the loop alive; the next round retries
            logging.getLogger(__name__).exception("redispatch failed")


def main() -> None:
    # the deployment must exist before pending applications can be dispatched to it: start after a delay
    threading.Thread(target=_redispatch_forever, args=(5.0,), daemon=True, name="redispatch").start()
    serve(*deployments(), limit=8)


if __name__ == "__main__":
    main()
