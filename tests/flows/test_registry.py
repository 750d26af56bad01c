"""The process-flow registry: every process definition is carried by a flow, and the processes that wait on
people (a next segment after each action) are exactly those the repair sweep watches (pure: no stack, no
database)."""

import pytest

from flows import land_to_start, standard_land
from flows.registry import PROCESS_FLOWS, flow_for
from services.cases.faults import REVIEW_PROCESSES
from services.cases.processes import known_process_keys


def test_every_process_definition_has_a_flow():
    assert set(PROCESS_FLOWS) == known_process_keys()


def test_processes_that_wait_on_people_are_those_the_repair_sweep_watches():
    waiting = {key for key, process in PROCESS_FLOWS.items() if process.advance is not None}
    assert waiting == set(REVIEW_PROCESSES) | {"land_to_start"}
    assert flow_for("standard_land").advance is standard_land.standard_land_review
    assert flow_for("land_to_start").start is flow_for("land_to_start").advance is land_to_start.land_to_start_case
    assert flow_for("eia_filing").advance is None  # its document is issued at once: nothing to wait for


def test_an_unknown_process_is_refused():
    with pytest.raises(LookupError, match="no_such_process"):
        flow_for("no_such_process")
