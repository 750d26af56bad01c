"""A department's decision on an approval step, the same for every process (标准地, 环评 …).

Approve closes the step and marks the case approved; reject closes it, cancels every open step and
marks the case rejected. Closing the step is the claim (``services.cases.transitions``): a step closed
already decides nothing, and the case only moves from a status that may lead there. A 补正 request
issues the 一次性告知书 (the clock is stopped by ``services.cases.human_actions``). ``open_human_step``
starts a human step and records the segment's flow run that opened it (the step's Prefect link).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col

from services.calendar.schedules import work_calendar
from services.cases import human_actions, transitions
from services.cases.case_context import common_context
from services.cases.steps import finish_step, get_step, start_step
from services.core import clock
from services.core.ids import stored_id
from services.core.settings import get_settings
from services.documents import issue as documents
from services.models import ActionKind, Application, ApplicationStatus, Step, StepAction, StepStatus


def open_human_step(session: Session, application_id: int, step_key: str, flow_run_id: str) -> Step:
    """Start the step (once) and record the flow run of the segment that opened it (the step's Prefect link)."""
    start_step(session, application_id, step_key)
    session.execute(update(Step).where(col(Step.application_id) == application_id, col(Step.key) == step_key)
                    .values(flow_run_id=flow_run_id).execution_options(synchronize_session=False))
    session.expire_all()
    return get_step(session, application_id, step_key)


def approve(session: Session, application: Application, step: Step, action: StepAction) -> dict[str, Any]:
    """Close the step (the claim), then the case is approved; a step closed already decides nothing."""
    application_id, step_key = stored_id(application), step.key
    if finish_step(session, application_id, step_key, status=StepStatus.completed,
                   outcome={"decision": "approve", "action_id": action.id, "reasons": action.reasons}):
        transitions.move_application(session, application_id, ApplicationStatus.approved)
    return {"decision": "approve"}


def reject(session: Session, application: Application, step: Step, action: StepAction) -> dict[str, Any]:
    """Close the step (the claim), cancel every other open step, and the case is rejected (退回)."""
    application_id, step_key = stored_id(application), step.key
    if finish_step(session, application_id, step_key, status=StepStatus.completed,
                   outcome={"decision": "reject", "action_id": action.id, "reasons": action.reasons}):
        transitions.cancel_open_steps(session, application_id)
        transitions.move_application(session, application_id, ApplicationStatus.rejected)
    return {"decision": "reject"}


def request_supplement(session: Session, application: Application, step: Step,
                        action: StepAction) -> dict[str, Any]:
    """Issue the 一次性告知书 listing every item at once; the clock was stopped by human_actions."""
    document = documents.issue(
        session, application, kind="supplement_notice", step_key=step.key, issue_key=f"supplement-{action.id}",
        build_context=lambda number, issued_at: supplement_notice_context(session, application, step, action,
                                                                          number, issued_at))
    action.document_id = document.id
    session.add(action)
    return {"document": document.number}


DECISION_EFFECTS: dict[ActionKind, human_actions.Effect] = {
    ActionKind.approve: approve, ActionKind.reject: reject, ActionKind.request_supplement: request_supplement}


def supplement_notice_context(session: Session, application: Application, step: Step, action: StepAction,
                              number: str, issued_at: datetime) -> dict[str, Any]:
    settings = get_settings()
    requested_on = action.acted_at.date()
    earlier = [a for a in human_actions.actions_of(session, stored_id(step))
               if a.kind == ActionKind.request_supplement and a.sequence <= action.sequence]
    return common_context(session, application, number, issued_at) | {
        "application_title": application.title, "accepted_at": application.accepted_at,
        "step_name": step.name, "department": step.department, "requested_on": requested_on,
        "items": [{"name": i["name"], "reason": i["reason"], "form": i["form"] or "电子件"} for i in action.items],
        "round": len(earlier), "justification": action.justification,
        "supplement_deadline": supplement_due(session, action).on,
        "remaining_working_days": max(0, human_actions.remaining_working_days(session, step, requested_on)),
        "handler_name": f"{step.department}审查窗口", "handler_phone": settings.handler_phone,
    }


@dataclass(frozen=True)
class SupplementDue:
    """补正期限: the date the 一次性告知书 states, and the working days left until it, today included."""

    on: date
    working_days_left: int


def supplement_due(session: Session, request: StepAction) -> SupplementDue:
    """One source for the document and the case page, so both always state the same 补正期限."""
    deadline = human_actions.supplement_deadline(session, request.acted_at.date(),
                                                 get_settings().supplement_working_days)
    left = work_calendar(session).working_days_between(clock.today() - timedelta(days=1), deadline)
    return SupplementDue(on=deadline, working_days_left=left)
