"""Start a case's deployment run on its own, not as a child run of the caller.

Prefect cannot suspend a sub-flow, and a run that waits days on people must suspend; so review runs and
拿地即开工 case runs are deployment runs tied to the case by their tags (``case-<id>`` and one naming
the process) and by the run id stored on the case. Prefect's idempotency key makes a retried start
find the run already started instead of making a second one.
"""

from typing import cast
from uuid import UUID

from prefect.client.schemas.objects import FlowRun, State
from prefect.deployments import run_deployment
from prefect.exceptions import ObjectNotFound


def start_deployment_run(deployment: str, application_id: int, *, idempotency_key: str, tag: str) -> str:
    """Schedule the deployment's run for the case and return its id at once (no waiting for it)."""
    run = cast(FlowRun, run_deployment(deployment, parameters={"application_id": application_id}, timeout=0,
                                       idempotency_key=idempotency_key, as_subflow=False,
                                       tags=[f"case-{application_id}", tag]))
    return str(run.id)


def flow_run_state(client, flow_run_id: str) -> State | None:
    """The flow run's state; None when Prefect does not know the run (for the repair, a lost run)."""
    try:
        return client.read_flow_run(UUID(flow_run_id)).state
    except ObjectNotFound:
        return None
