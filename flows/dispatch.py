"""Hand a stored application to Prefect: start its process flow run through the deployment.

Called only after the application is committed. The Prefect idempotency key makes a repeated call
return the same flow run, so re-dispatching after an error can never start a second run.
"""

import logging

from prefect.deployments import run_deployment

from flows.standard_land import FLOW_NAME
from services import intake
from services.db import session_scope

DEPLOYMENT = f"{FLOW_NAME}/greenchannel"
log = logging.getLogger(__name__)


def dispatch(application_id: int) -> str | None:
    """Start (or find) the application's flow run; None when Prefect cannot be reached now."""
    try:
        run = run_deployment(DEPLOYMENT, parameters={"application_id": application_id}, timeout=0,
                             idempotency_key=f"application-{application_id}")
    except Exception:  # the application is safe in our database; `redispatch_pending` retries
        log.exception("could not start the flow run of application %s", application_id)
        return None
    with session_scope() as session:
        intake.set_flow_run(session, application_id, str(run.id))
    return str(run.id)


def redispatch_pending() -> int:
    """Dispatch every application that has no flow run yet; returns how many were started."""
    with session_scope() as session:
        pending = intake.awaiting_dispatch(session)
    return sum(1 for app_id in pending if dispatch(app_id))
