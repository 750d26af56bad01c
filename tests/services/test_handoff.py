"""Hand-off to the orchestrator, the way back: a segment of the case learns from the stored actions whether
the step waits for people, which action to apply next, and when to go on."""

from services.cases import handoff, human_actions
from services.core.users import get_by_username
from services.models import ActionKind, StepStatus
from services.standard_land import service as standard_land
from services.standard_land.intake import StandardLandApplicationInput, submit_application
from tests.samples import SAMPLE


def test_a_segment_on_a_step_ends_then_applies_the_recorded_action_then_goes_on(session):
    data = StandardLandApplicationInput.model_validate(dict(SAMPLE, project_name="交接测试项目"))
    application, _ = submit_application(session, get_by_username(session, "enterprise"), data, "handoff-next")
    step = standard_land.open_review(session, application.id, "run-1")
    assert step.flow_run_id == "run-1"  # the run that opened it (the Prefect link of the step)
    assert handoff.next_on_step(session, step.id) == handoff.NextOnStep(closed_as=None, action_id=None)

    action = human_actions.record_action(session, get_by_username(session, "reviewer"), step, ActionKind.reject,
                                         reasons="不符合地块控制指标")
    assert handoff.next_on_step(session, step.id) == handoff.NextOnStep(None, action.id), "apply it"

    standard_land.apply_review_action(session, action.id)
    closed = handoff.next_on_step(session, step.id).closed_as
    assert closed is not None and closed not in (StepStatus.running, StepStatus.suspended), "the run goes on"
