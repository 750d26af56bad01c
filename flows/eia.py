"""环评 (EIA) processes as Prefect flows: orchestration only, each task one service call.

* ``eia-application`` runs on the task worker right after submission: a 登记表 project gets its
  备案回执 and a project outside EIA management its 告知书 at once; an approval case is accepted
  (受理通知书, and for the commitment route the 环评告知承诺书 the enterprise confirmed) and its review
  run is started.
* ``eia-review`` is a deployment run (``deployments/serve.py``) that waits without holding a process:
  for the public notice period (a calendar timer, normal route) it suspends until the task worker's
  timer sweep resumes it after the period; for the department's decision and the post-approval check it
  suspends until a person acts (``flows.human``). On approval it issues the 审批决定 the same day.

Which of these stages a case has is the service's answer (``services.eia.stages``), and so
is every status change; this module only orders the tasks, retries them and waits.
"""

from prefect import flow, task
from prefect.flow_runs import suspend_flow_run
from prefect.runtime import flow_run

from flows.human import settle_step
from flows.progress import publish_steps_table
from flows.runs import start_deployment_run
from services.cases import acceptance, decisions, handoff
from services.core.db import session_scope
from services.core.ids import stored_id
from services.eia import service as eia
from services.eia import stages as eia_stages

FLOW_NAME = "eia-application"
REVIEW_FLOW_NAME = "eia-review"
REVIEW_DEPLOYMENT = f"{REVIEW_FLOW_NAME}/greenchannel"
REVIEW_TAG = "eia"  # with ``case-<id>``, the tags of a case's review run (``flows.repair`` finds it by them)


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
        return eia.issue_commitment_letter(session, application_id)


@task(name="启动审查 start review", retries=2, retry_delay_seconds=5)
def start_review(application_id: int) -> str:
    """Start the review deployment run once (idempotency key); not a sub-flow, since it suspends."""
    return start_deployment_run(REVIEW_DEPLOYMENT, application_id, idempotency_key=f"gc-eia-review-{application_id}",
                                tag=REVIEW_TAG)


def _stages(application_id: int) -> eia_stages.Stages:
    with session_scope() as session:
        return eia_stages.stages_of(session, application_id)


@flow(name=FLOW_NAME, flow_run_name="case-{application_id}", log_prints=True)
def eia_process(application_id: int) -> dict:
    with session_scope() as session:
        handoff.set_flow_run(session, application_id, str(flow_run.id))
    stages = _stages(application_id)
    if stages.issued_at_once:
        step_key, kind = stages.issued_at_once
        document_id = issue_document(application_id, step_key, kind)
        publish_steps_table(application_id)
        return {"document_id": document_id}
    completeness = check_completeness(application_id)
    result: dict = {"complete": completeness.get("complete")}
    if completeness.get("complete") and accept(application_id) is not None:
        if stages.commitment_letter:
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
            period = eia_stages.run_period(session, application_id, step_key, str(flow_run.id))
        if period.closed:
            return
        suspend_flow_run(key=f"period-{step_key}-{period.due_on}", timeout=None)


def wait_for_people(application_id: int, step_key: str) -> str:
    with session_scope() as session:
        step = decisions.open_human_step(session, application_id, step_key, str(flow_run.id))
    publish_steps_table(application_id)
    return settle_step(stored_id(step), apply_action)


@flow(name=REVIEW_FLOW_NAME, flow_run_name="case-{application_id}-review", persist_result=True, log_prints=True)
def eia_review(application_id: int) -> dict:
    stages = _stages(application_id)
    if stages.public_notice:
        wait_for_period(application_id, stages.public_notice)
    wait_for_people(application_id, "eia_review")
    with session_scope() as session:
        approved = eia_stages.is_approved(session, application_id)
    result: dict = {"approved": approved}
    if approved:
        result["decision_id"] = issue_document(application_id, "eia_decision", "eia_decision")
        if stages.post_check:
            wait_for_people(application_id, stages.post_check)
            with session_scope() as session:
                result["check"] = eia_stages.post_check_result(session, application_id)
    publish_steps_table(application_id)
    return result
