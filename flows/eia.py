"""环评 (EIA) processes as Prefect flows: orchestration only, each task one service call.

* ``eia-application`` runs on the task worker right after submission: a 登记表 project gets its
  备案回执 and a project outside EIA management its 告知书 at once; an approval case is accepted
  (受理通知书, and for the commitment route the 环评告知承诺书 the enterprise confirmed) and its review
  run is started.
* ``eia-review`` is a deployment run (``deployments/serve.py``) that waits without holding a process:
  for the public notice period (a calendar timer, normal route) it suspends until the task worker's
  timer sweep resumes it after the period; for the department's decision and the post-approval check it
  suspends until a person acts (``flows.human``). On approval it issues the 审批决定 the same day.
"""

from prefect import flow, task
from prefect.deployments import run_deployment
from prefect.flow_runs import suspend_flow_run
from prefect.runtime import flow_run

from flows.human import settle_step
from flows.progress import publish_steps_table
from services.calendar.schedules import work_calendar
from services.cases import acceptance, decisions
from services.cases.steps import finish_step, get_step, schedule_deadlines, start_step
from services.core import clock
from services.core.db import session_scope
from services.documents import issue as documents
from services.eia import service as eia
from services.models import Application, ApplicationStatus, StepStatus
from services.standard_land import intake

FLOW_NAME = "eia-application"
REVIEW_FLOW_NAME = "eia-review"
REVIEW_DEPLOYMENT = f"{REVIEW_FLOW_NAME}/greenchannel"
IMMEDIATE = {"eia_filing": ("filing", "eia_filing_receipt"), "eia_not_managed": ("statement",
                                                                                 "eia_not_managed_statement")}


@task(name="出具文书 issue document", retries=2, retry_delay_seconds=2)
def issue_document(application_id: int, step_key: str, kind: str) -> int:
    with session_scope() as session:
        return eia.issue_document(session, application_id, step_key, kind)


@task(name="材料完整性审查 completeness", retries=2, retry_delay_seconds=2)
def check_completeness(application_id: int) -> dict:
    with session_scope() as session:
        return acceptance.check_completeness(session, application_id)


@task(name="受理 acceptance", retries=2, retry_delay_seconds=2)
def accept(application_id: int) -> int | None:
    with session_scope() as session:
        return acceptance.accept(session, application_id)


@task(name="出具承诺书 commitment letter", retries=2, retry_delay_seconds=2)
def issue_commitment_letter(application_id: int) -> int:
    with session_scope() as session:
        application = session.get(Application, application_id)
        return documents.issue(session, application, kind="eia_commitment_letter", step_key="acceptance",
                               issue_key="eia_commitment_letter",
                               build_context=lambda number, issued_at: eia.commitment_letter_context(
                                   session, application, number, issued_at)).id


@task(name="启动审查 start review", retries=2, retry_delay_seconds=5)
def start_review(application_id: int) -> str:
    """Start the review deployment run once (idempotency key); not a sub-flow, since it suspends."""
    run = run_deployment(REVIEW_DEPLOYMENT, parameters={"application_id": application_id}, timeout=0,
                         idempotency_key=f"gc-eia-review-{application_id}", as_subflow=False,
                         tags=[f"case-{application_id}", "eia"])
    return str(run.id)


@flow(name=FLOW_NAME, flow_run_name="case-{application_id}", log_prints=True)
def eia_process(application_id: int) -> dict:
    with session_scope() as session:
        intake.set_flow_run(session, application_id, str(flow_run.id))
        process_key = session.get(Application, application_id).process_key
    if process_key in IMMEDIATE:
        step_key, kind = IMMEDIATE[process_key]
        document_id = issue_document(application_id, step_key, kind)
        publish_steps_table(application_id)
        return {"document_id": document_id}
    completeness = check_completeness(application_id)
    result: dict = {"complete": completeness.get("complete")}
    if completeness.get("complete") and accept(application_id) is not None:
        if process_key == "eia_commitment":
            result["commitment_letter_id"] = issue_commitment_letter(application_id)
        result["review_flow_run_id"] = start_review(application_id)
    publish_steps_table(application_id)
    return result


@task(name="应用处理意见 apply action", retries=2, retry_delay_seconds=2)
def apply_action(action_id: int) -> dict:
    with session_scope() as session:
        return eia.apply_action(session, action_id)


def wait_for_period(application_id: int, step_key: str) -> None:
    """A statutory calendar period (公示): suspend until the timer sweep resumes the run after it ends."""
    while True:
        with session_scope() as session:
            start_step(session, application_id, step_key)
            step = decisions.open_human_step(session, application_id, step_key, str(flow_run.id))
            if step.status != StepStatus.running:
                return
            if step.due_on and clock.today() > step.due_on:
                finish_step(session, application_id, step_key, status=StepStatus.completed,
                            outcome={"period_ended": step.due_on.isoformat()})
                schedule_deadlines(session, session.get(Application, application_id), work_calendar(session))
                return
            due = step.due_on
        suspend_flow_run(key=f"period-{step_key}-{due}", timeout=None)


def wait_for_people(application_id: int, step_key: str) -> str:
    with session_scope() as session:
        step = decisions.open_human_step(session, application_id, step_key, str(flow_run.id))
    publish_steps_table(application_id)
    return settle_step(step.id, apply_action)


@flow(name=REVIEW_FLOW_NAME, flow_run_name="case-{application_id}-review", persist_result=True, log_prints=True)
def eia_review(application_id: int) -> dict:
    with session_scope() as session:
        process_key = session.get(Application, application_id).process_key
    if process_key in ("eia_normal", "eia_normal_book"):
        wait_for_period(application_id, "public_notice")
    wait_for_people(application_id, "eia_review")
    with session_scope() as session:
        approved = session.get(Application, application_id).status == ApplicationStatus.approved
    result: dict = {"approved": approved}
    if approved:
        result["decision_id"] = issue_document(application_id, "eia_decision", "eia_decision")
        if process_key == "eia_commitment":
            wait_for_people(application_id, "post_check")
            with session_scope() as session:
                result["check"] = get_step(session, application_id, "post_check").outcome.get("check")
    publish_steps_table(application_id)
    return result
