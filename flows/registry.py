"""Process flows by process code (流程登记): which flow carries each process, in one table.

``flows.dispatch`` starts a case's process from here, and ``flows.repair`` restarts a lost review run
from here; adding a process means adding its entry (``tests/flows/test_registry.py`` checks that every
process definition has one). An entry names only orchestration: the flow that starts the case, and the
deployment and tag of the review run that flow opens, if any. What the process does is the services'.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flows import eia, land_to_start, standard_land


@dataclass(frozen=True)
class ProcessFlow:
    """How one process runs in Prefect."""

    start: Callable[[int], dict]  # run by the start-process task right after submission, with the case id
    review_deployment: str | None = None  # the review run it opens (suspends on people; repair restarts it)
    review_tag: str | None = None  # that run's tag beside ``case-<id>``


STANDARD_LAND = ProcessFlow(standard_land.standard_land_process, standard_land.REVIEW_DEPLOYMENT,
                            standard_land.REVIEW_TAG)
EIA_WITH_REVIEW = ProcessFlow(eia.eia_process, eia.REVIEW_DEPLOYMENT, eia.REVIEW_TAG)
EIA_AT_ONCE = ProcessFlow(eia.eia_process)  # 备案回执 / 不纳入管理告知书 issued at once, nothing to review
LAND_TO_START = ProcessFlow(land_to_start.start_case_run)  # one case run that suspends (no review run)

PROCESS_FLOWS: dict[str, ProcessFlow] = {
    "standard_land": STANDARD_LAND,
    "eia_commitment": EIA_WITH_REVIEW,
    "eia_normal": EIA_WITH_REVIEW,
    "eia_normal_book": EIA_WITH_REVIEW,
    "eia_filing": EIA_AT_ONCE,
    "eia_not_managed": EIA_AT_ONCE,
    "land_to_start": LAND_TO_START,
}


def flow_for(process_key: str) -> ProcessFlow:
    """The flows of a process; LookupError for a process no flow carries (a definition added without
    its entry here)."""
    try:
        return PROCESS_FLOWS[process_key]
    except KeyError:
        raise LookupError(f"no flow is registered for process {process_key!r}") from None


def review_of(process_key: str) -> tuple[str, str]:
    """(deployment, tag) of the process's review run; LookupError for a process that has none."""
    process = flow_for(process_key)
    if process.review_deployment is None or process.review_tag is None:
        raise LookupError(f"process {process_key!r} has no review run")
    return process.review_deployment, process.review_tag
