"""Which cases the repair sweep looks at, and when one was left halfway: quiet since the cutoff, with a planned
step of the flows', and work a segment could do now (``ready_steps``). A case that merely waits on people is
quiet too, and has no ready step."""

from datetime import timedelta

from services.cases import acceptance, faults, handoff
from services.cases.steps import ready_steps
from services.core import clock
from services.core.users import get_by_username
from services.standard_land import service as standard_land
from services.standard_land.intake import StandardLandApplicationInput, submit_application
from tests.samples import SAMPLE


def _accepted_case(session, key: str) -> int:
    data = StandardLandApplicationInput.model_validate(dict(SAMPLE, project_name=f"续办测试项目{key}"))
    application, _ = submit_application(session, get_by_username(session, "enterprise"), data, key)
    handoff.set_flow_run(session, application.id, f"intake-{key}")
    acceptance.check_completeness(session, application.id)
    acceptance.accept(session, application.id)
    standard_land.evaluate(session, application.id)
    session.commit()
    return application.id


def _quiet(session, application_id: int, after: timedelta) -> list[tuple]:
    found = faults.candidates(session, timedelta(seconds=45), [application_id], now=clock.now() + after)
    return [(case, process, run) for case, process, run, _moved in found.quiet_cases]


def test_a_case_whose_review_never_opened_is_quiet_with_work_and_one_that_waits_has_none(session):
    application_id = _accepted_case(session, "a")
    assert _quiet(session, application_id, timedelta(seconds=10)) == [], "moved 10 s ago: not quiet yet"
    assert _quiet(session, application_id, timedelta(minutes=5)) == [(application_id, "standard_land", "intake-a")]
    assert ready_steps(session, application_id) == ["land_review"]

    standard_land.open_review(session, application_id, "segment-1")
    session.commit()
    assert ready_steps(session, application_id) == [], "waiting on the department: nothing for a segment to do"


def test_a_decision_without_its_documents_leaves_the_documents_ready(session):
    from services.cases import human_actions
    from services.models import ActionKind

    application_id = _accepted_case(session, "b")
    step = standard_land.open_review(session, application_id, "segment-1")
    action = human_actions.record_action(session, get_by_username(session, "reviewer"), step, ActionKind.approve,
                                         reasons="符合地块控制指标")
    standard_land.apply_review_action(session, action.id)  # the segment died right after this
    session.commit()
    assert ready_steps(session, application_id) == ["assessment_report"]
    assert [case for case, *_ in _quiet(session, application_id, timedelta(minutes=5))] == [application_id]
