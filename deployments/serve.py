"""Serve the process flows on this machine (one runner process), and hand over any application
that was stored while Prefect was unreachable.

Many machines: register the same flows in a process work pool instead (see prefect.yaml).
"""

import threading

from prefect import serve

from flows.dispatch import redispatch_pending
from flows.standard_land import standard_land_process

DEPLOYMENT_NAME = "greenchannel"


def deployments():
    return [standard_land_process.to_deployment(name=DEPLOYMENT_NAME)]


def main() -> None:
    # the deployment must exist before pending applications can be dispatched to it
    threading.Timer(3.0, redispatch_pending).start()
    serve(*deployments(), limit=8)


if __name__ == "__main__":
    main()
