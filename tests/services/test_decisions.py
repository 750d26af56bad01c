"""A department's decision (``services.cases.decisions``): approve and reject close the step first (the
claim) and only then move the case, each only from a status that may lead there.
"""

from sqlmodel import select

from services.cases import decisions, human_actions, steps
from services.cases.transitions import OPEN
from services.models import ActionKind, Application, ApplicationStatus, AuditEvent, StepStatus
from tests import factories


def _decided(session, kind: ActionKind, reasons: str = ""):
    application, step = factories.case_in_review(session)
    action = human_actions.record_action(session, factories.demo_user(session, "reviewer"), step, kind,
                                         reasons=reasons)
    return application, step, action


def test_opening_a_human_step_starts_it_once_and_remembers_the_waiting_run(session):
    application, step = factories.case_in_review(session)
    assert step.status == StepStatus.running and step.flow_run_id.startswith("factory-run-")
    started_at = step.started_at
    again = decisions.open_human_step(session, application.id, step.key, "a-later-run")
    assert again.status == StepStatus.running and again.started_at == started_at
    assert again.flow_run_id == "a-later-run"  # a restarted run waits on it now


def test_approval_closes_the_step_and_approves_the_case(session):
    application, step, action = _decided(session, ActionKind.approve)
    assert human_actions.apply_action(session, action.id, decisions.DECISION_EFFECTS)["step_status"] == "completed"
    closed = steps.get_step(session, application.id, step.key)
    assert closed.outcome == {"decision": "approve", "action_id": action.id, "reasons": ""}
    assert session.get(Application, application.id).status == ApplicationStatus.approved
    later = [s for s in steps.steps_of(session, application.id) if s.sequence > closed.sequence]
    assert later and all(s.status == StepStatus.planned for s in later)  # the flow runs them next


def test_rejection_closes_the_step_cancels_the_rest_and_rejects_the_case(session):
    application, step, action = _decided(session, ActionKind.reject, reasons="不符合地块控制指标")
    human_actions.apply_action(session, action.id, decisions.DECISION_EFFECTS)
    assert steps.get_step(session, application.id, step.key).outcome["decision"] == "reject"
    assert not [s for s in steps.steps_of(session, application.id) if s.status in OPEN]
    assert session.get(Application, application.id).status == ApplicationStatus.rejected


def test_a_decision_on_a_step_closed_already_decides_nothing(session):
    """The effect called again (a retried task after its claim was lost): the step claim refuses it, so an
    approved case is not turned into a rejected one."""
    application, step, action = _decided(session, ActionKind.approve)
    human_actions.apply_action(session, action.id, decisions.DECISION_EFFECTS)
    application = session.get(Application, application.id)
    step = steps.get_step(session, application.id, step.key)
    assert decisions.reject(session, application, step, action) == {"decision": "reject"}
    assert session.get(Application, application.id).status == ApplicationStatus.approved
    assert steps.get_step(session, application.id, step.key).outcome["decision"] == "approve"
    later = [s for s in steps.steps_of(session, application.id) if s.sequence > step.sequence]
    assert all(s.status == StepStatus.planned for s in later)
    events = session.exec(select(AuditEvent).where(AuditEvent.entity_id == f"{application.id}:{step.key}",
                                                   AuditEvent.action == "step.completed")).all()
    assert len(events) == 1


def test_a_supplement_request_issues_the_one_time_notice_numbered_once(session):
    application, step = factories.case_in_review(session)
    items = [{"name": "营业执照副本", "reason": "已过有效期", "form": ""}]
    action = human_actions.record_action(session, factories.demo_user(session, "reviewer"), step,
                                         ActionKind.request_supplement, items=items)
    human_actions.apply_action(session, action.id, decisions.DECISION_EFFECTS)
    human_actions.apply_action(session, action.id, decisions.DECISION_EFFECTS)
    action = session.get(type(action), action.id)
    assert action.document_id is not None
    notices = session.exec(select(AuditEvent).where(AuditEvent.application_id == application.id,
                                                    AuditEvent.action == "step.action.applied")).all()
    assert len(notices) == 1 and notices[0].detail["document"]
