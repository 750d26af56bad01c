"""The process-flow registry: every process definition is carried by a flow, and the review runs the
repair sweep restarts are exactly those of the processes it watches (pure: no stack, no database)."""

import pytest

from flows.registry import PROCESS_FLOWS, flow_for, review_of
from services.cases.faults import REVIEW_PROCESSES
from services.cases.processes import known_process_keys


def test_every_process_definition_has_a_flow():
    assert set(PROCESS_FLOWS) == known_process_keys()


def test_review_runs_are_those_the_repair_sweep_watches():
    with_review = {key for key, process in PROCESS_FLOWS.items() if process.review_deployment}
    assert with_review == set(REVIEW_PROCESSES)
    assert review_of("standard_land") == ("standard-land-review/greenchannel", "standard-land")
    assert review_of("eia_normal") == ("eia-review/greenchannel", "eia")


def test_an_unknown_process_or_a_missing_review_is_refused():
    with pytest.raises(LookupError):
        flow_for("no_such_process")
    with pytest.raises(LookupError):
        review_of("eia_filing")
    with pytest.raises(LookupError):
        review_of("land_to_start")
