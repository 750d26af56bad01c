"""Process flows by process code (流程登记): which flows carry each process, in one table.

``flows.dispatch`` starts a case's process from here (``start``, right after submission) and carries it on
from here (``advance``, after each person's action or an ended period, and when the repair sweep finds a
case left behind); adding a process means adding its entry (``tests/flows/test_registry.py`` checks that
every process definition has one). An entry names only orchestration; what the process does is the services'.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flows import eia, land_to_start, standard_land


@dataclass(frozen=True)
class ProcessFlow:
    """How one process runs in Prefect: two flows, each run as a child of a task run on the warm task worker."""

    start: Callable[[int], dict]  # the intake, with the case id; it goes on as far as it can without people
    advance: Callable[[int], dict] | None = None  # the next segment: from the database until people must act


STANDARD_LAND = ProcessFlow(standard_land.standard_land_process, standard_land.standard_land_review)
EIA_WITH_REVIEW = ProcessFlow(eia.eia_process, eia.eia_review)
EIA_AT_ONCE = ProcessFlow(eia.eia_process)  # 备案回执 / 不纳入管理告知书 issued at once, nothing to wait for
LAND_TO_START = ProcessFlow(land_to_start.land_to_start_case, land_to_start.land_to_start_case)

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
