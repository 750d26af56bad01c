"""Human actions on a step (``services.cases.human_actions``): who may record what, and applying exactly once.

Recording checks permissions and the step's state (422 what the person can correct, 409 when the step
moved on); applying claims the action before any effect runs, in the caller's transaction, so a second
apply does nothing and a failing effect leaves the action unapplied.
"""

import pytest
from sqlmodel import select

from services.cases import decisions, human_actions, steps, waiting
from services.core.errors import DomainError
from services.models import ActionKind, Application, ApplicationStatus, AuditEvent, ClockPause, StepAction, StepStatus
from tests import factories

ITEMS = [{"name": "建设用地规划红线图", "reason": "原件模糊无法辨认", "form": "电子件"}]


def _applied_events(session, action_id: int) -> list[AuditEvent]:
    return list(session.exec(select(AuditEvent).where(AuditEvent.action == "step.action.applied",
                                                      AuditEvent.entity_id == str(action_id))))


def test_a_reviewer_of_the_department_records_a_decision_and_the_step_then_waits_on_the_system(session):
    application, step = factories.case_in_review(session)
    reviewer = factories.demo_user(session, "reviewer")
    assert human_actions.awaiting(session, step) == "department"
    action = human_actions.record_action(session, reviewer, step, ActionKind.approve)
    assert (action.sequence, action.actor_id, action.applied_at) == (1, reviewer.id, None)
    assert human_actions.awaiting(session, step) == "flow"
    waits = waiting.waiting_on(session, step)
    assert waits is not None and waits.party == waiting.Party.system and waits.pending


@pytest.mark.parametrize(("username", "kind", "reasons", "field", "message"), [
    ("eia_reviewer", ActionKind.approve, "", "kind", "只有自然资源局的审查人员"),
    ("reviewer", ActionKind.reject, "", "reasons", "须写明理由"),
    ("reviewer", ActionKind.check_pass, "", "kind", "不能作出"),
    ("enterprise", ActionKind.supplement, "", "kind", "没有待补正的材料"),
])
def test_an_action_the_person_may_not_take_is_refused_with_422_naming_the_field(session, username, kind, reasons,
                                                                                field, message):
    _, step = factories.case_in_review(session)
    with pytest.raises(human_actions.ActionError) as refused:
        human_actions.record_action(session, factories.demo_user(session, username), step, kind, reasons=reasons)
    error = refused.value
    assert isinstance(error, DomainError) and error.status == 422 and error.field == field
    assert message in error.message and error.errors == {field: error.message}
    assert human_actions.actions_of(session, step.id) == []


def test_a_second_decision_while_the_first_is_not_applied_is_a_409(session):
    _, step = factories.case_in_review(session)
    human_actions.record_action(session, factories.demo_user(session, "reviewer"), step, ActionKind.approve)
    with pytest.raises(human_actions.ActionError) as refused:
        human_actions.record_action(session, factories.demo_user(session, "supervisor"), step, ActionKind.reject,
                                    reasons="不符合地块控制指标")
    assert refused.value.status == 409 and "刚刚已有" in refused.value.message


def test_applying_an_action_twice_applies_it_once(session):
    application, step = factories.case_in_review(session)
    action = human_actions.record_action(session, factories.demo_user(session, "reviewer"), step, ActionKind.approve)
    first = human_actions.apply_action(session, action.id, decisions.DECISION_EFFECTS)
    again = human_actions.apply_action(session, action.id, decisions.DECISION_EFFECTS)
    assert first == again == {"action": "approve", "step_status": "completed"}
    assert len(_applied_events(session, action.id)) == 1
    assert session.get(Application, application.id).status == ApplicationStatus.approved
    with pytest.raises(human_actions.ActionError) as refused:  # the step is closed: nothing more to decide
        human_actions.record_action(session, factories.demo_user(session, "reviewer"), step, ActionKind.reject,
                                    reasons="不符合地块控制指标")
    assert refused.value.status == 409


def test_the_action_is_claimed_before_its_effect_runs_and_a_failing_effect_leaves_it_unapplied(session):
    application, step = factories.case_in_review(session)
    action = human_actions.record_action(session, factories.demo_user(session, "reviewer"), step, ActionKind.approve)
    seen = {}

    def failing(session, application, step, action):
        seen["claimed"] = session.get(StepAction, action.id).applied_at is not None
        raise RuntimeError("the document store is down")

    with pytest.raises(RuntimeError), session.begin_nested():  # the flow task's transaction, rolled back
        human_actions.apply_action(session, action.id, {ActionKind.approve: failing})
    assert seen == {"claimed": True}
    session.expire_all()
    assert session.get(StepAction, action.id).applied_at is None
    assert steps.get_step(session, application.id, step.key).status == StepStatus.running
    assert _applied_events(session, action.id) == []
    assert human_actions.apply_action(session, action.id, decisions.DECISION_EFFECTS)["step_status"] == "completed"


def test_a_later_action_may_not_be_applied_before_an_earlier_one(session):
    _, step = factories.case_in_review(session)
    reviewer = factories.demo_user(session, "reviewer")
    first = human_actions.record_action(session, reviewer, step, ActionKind.request_supplement, items=ITEMS)
    later = StepAction(application_id=first.application_id, step_id=step.id, sequence=2, kind=ActionKind.approve,
                       reasons="", items=[], justification="", actor_id=reviewer.id, acted_at=first.acted_at)
    session.add(later)
    session.flush()
    with pytest.raises(RuntimeError, match="must be applied before"):
        human_actions.apply_action(session, later.id, decisions.DECISION_EFFECTS)


def test_a_supplement_request_stops_the_clock_and_the_case_waits_on_the_enterprise(session):
    application, step = factories.case_in_review(session)
    action = human_actions.record_action(session, factories.demo_user(session, "reviewer"), step,
                                         ActionKind.request_supplement, items=ITEMS)
    result = human_actions.apply_action(session, action.id, decisions.DECISION_EFFECTS)
    assert result == {"action": "request_supplement", "step_status": "suspended"}
    step = steps.get_step(session, application.id, step.key)
    assert session.get(Application, application.id).status == ApplicationStatus.supplementing
    assert human_actions.open_pause(session, step.id) is not None
    assert human_actions.pending_request(session, step).id == action.id
    assert human_actions.awaiting(session, step) == "applicant"
    waits = waiting.waiting_on(session, step)
    assert waits is not None and (waits.party, waits.paused, waits.who_zh, waits.party_zh) == (
        waiting.Party.enterprise, True, "申请企业（补正）", "企业（补正）")
    with pytest.raises(human_actions.ActionError) as refused:  # no decision while the material is awaited
        human_actions.record_action(session, factories.demo_user(session, "reviewer"), step, ActionKind.approve)
    assert refused.value.status == 422 and "申请人正在补正材料" in refused.value.message
    pauses = session.exec(select(ClockPause).where(ClockPause.started_action_id == action.id)).all()
    assert len(pauses) == 1
