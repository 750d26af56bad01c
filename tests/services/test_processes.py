import pytest

from services.processes import ProcessDefinition, get_definition


def test_the_newest_standard_land_definition_runs_every_step_and_the_old_version_still_loads():
    d = get_definition("standard_land")
    assert d.version == 2 and all(s.runs for s in d.steps)
    assert d.step("land_review").department == "自然资源局" and d.step("land_review").kind == "human"
    assert [i for s in d.steps for i in s.issues] == [
        "acceptance_notice", "assessment_report", "investment_commitment", "supervision_agreement"]
    old = get_definition("standard_land", 1)  # applications started on v1 keep it
    assert old.version == 1 and [s.key for s in old.steps if s.runs] == ["submission", "completeness", "acceptance"]


def test_a_step_depending_on_an_unknown_step_is_refused():
    with pytest.raises(ValueError, match="unknown"):
        ProcessDefinition(key="x", version=1, name="x", document_title="x", steps=[
            {"key": "a", "name": "a", "kind": "automatic", "department": "d", "sla_working_days": 1,
             "depends_on": ["b"]}])


def test_working_days_after_acceptance_follow_the_longest_path():
    d = get_definition("standard_land")
    assert d.working_days_after("acceptance") == sum(
        s.sla_working_days for s in d.steps[d.steps.index(d.step("acceptance")) + 1:])
