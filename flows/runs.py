"""Read a case's flow runs from Prefect (the repair sweep's question: is this run still moving?)."""

from uuid import UUID

from prefect.client.schemas.objects import State
from prefect.exceptions import ObjectNotFound


def flow_run_state(client, flow_run_id: str) -> State | None:
    """The flow run's state; None when Prefect does not know the run (for the repair, a lost run)."""
    try:
        return client.read_flow_run(UUID(flow_run_id)).state
    except ObjectNotFound:
        return None
