"""The stages an EIA case goes through (环评办理环节), read from its process definition, and the one
stage that is a calendar timer: the public notice period (公示).

The flows (``flows.eia``) ask this module what to run and in which order, and leave every decision on
data here: which document a 登记表 or a not-managed project gets at once, whether the commitment
route issues a 告知承诺书 with acceptance, whether a 公示 comes before the review and a 事中事后核查
after approval, when a period has ended. Nothing here talks to Prefect.
"""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from services.calendar.schedules import work_calendar
from services.cases import decisions
from services.cases.processes import ProcessDefinition, get_definition
from services.cases.steps import finish_step, get_step, schedule_deadlines, start_step
from services.core import clock
from services.models import Application, ApplicationStatus, StepStatus

ACCEPTANCE = "acceptance"
COMMITMENT_LETTER = "eia_commitment_letter"
POST_CHECK = "post_check"


@dataclass(frozen=True)
class Stages:
    """What a case's process has besides acceptance, review and decision."""

    issued_at_once: tuple[str, str] | None  # (step, document kind) issued with no acceptance: 备案回执, 告知书
    commitment_letter: bool  # the 环评告知承诺书 is issued with acceptance (告知承诺制)
    public_notice: str | None  # the statutory period step (公示) before the review, if any
    post_check: str | None  # the 事中事后核查 step after approval, if any


def stages_for(definition: ProcessDefinition) -> Stages:
    """The stages of one process definition (its steps and the documents they issue)."""
    keys = {step.key for step in definition.steps}
    at_once = None
    if ACCEPTANCE not in keys:  # a filing or a statement: the first document-issuing step, at once
        step = next(s for s in definition.steps if s.kind == "automatic" and s.issues)
        at_once = (step.key, step.issues[0])
    return Stages(
        issued_at_once=at_once,
        commitment_letter=ACCEPTANCE in keys and COMMITMENT_LETTER in definition.step(ACCEPTANCE).issues,
        public_notice=next((s.key for s in definition.steps if s.kind == "statutory"), None),
        post_check=POST_CHECK if POST_CHECK in keys else None)


def stages_of(session: Session, application_id: int) -> Stages:
    """The stages of the case, by the definition version it started with."""
    application = _application(session, application_id)
    return stages_for(get_definition(application.process_key, application.process_version))


@dataclass(frozen=True)
class Period:
    """Where a statutory period stands for the run waiting on it."""

    closed: bool
    due_on: date | None  # its last day (the timer sweep queues the next segment the day after)


def run_period(session: Session, application_id: int, step_key: str, flow_run_id: str) -> Period:
    """Start the period step for this run and close it once its last day has passed (the deadlines of
    the steps after it are then scheduled). Idempotent: every segment calls it again."""
    start_step(session, application_id, step_key)
    step = decisions.open_human_step(session, application_id, step_key, flow_run_id)
    if step.status != StepStatus.running:
        return Period(closed=True, due_on=step.due_on)
    if step.due_on and clock.today() > step.due_on:
        finish_step(session, application_id, step_key, status=StepStatus.completed,
                    outcome={"period_ended": step.due_on.isoformat()})
        schedule_deadlines(session, _application(session, application_id), work_calendar(session))
        return Period(closed=True, due_on=step.due_on)
    return Period(closed=False, due_on=step.due_on)


def is_approved(session: Session, application_id: int) -> bool:
    """Did the review approve the case (审批通过)?"""
    return _application(session, application_id).status == ApplicationStatus.approved


def post_check_result(session: Session, application_id: int) -> str | None:
    """The 核查 outcome (pass, rectify, revoke) once the post-approval check is closed."""
    return (get_step(session, application_id, POST_CHECK).outcome or {}).get("check")


def _application(session: Session, application_id: int) -> Application:
    application = session.get(Application, application_id)
    if application is None:
        raise LookupError(f"application {application_id} does not exist")
    return application
