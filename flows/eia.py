"""环评 (EIA) processes as Prefect flows: orchestration only, each task one service call.

* ``eia-application`` runs on the task worker right after submission: a 登记表 project gets its
  备案回执 and a project outside EIA management its 告知书 at once; an approval case is accepted
  (受理通知书, and for the commitment route the 环评告知承诺书 the enterprise confirmed) and its first
  review segment runs.
* ``eia-review`` is a segment, run again on the task worker after each action and when the public notice
  period has ended (``flows.dispatch``): it goes as far as the database allows — the 公示 (a calendar
  timer), the department's decision, the 审批决定 the same day, the post-approval check — and ends where
  it must wait, holding no run and no process.

Which of these stages a case has is the service's answer (``services.eia.stages``), and so
is every status change; this module only orders the tasks, retries them and says where it waits.
"""

from prefect import flow, task
from prefect.runtime import flow_run

from flows.human import WAITING, settle_step
from flows.progress import publish_steps_table
from services.cases import acceptance, decisions, handoff
from services.core.db import session_scope
from services.core.ids import stored_id
from services.eia import service as eia
from services.eia import stages as eia_stages

FLOW_NAME = "eia-application"
REVIEW_FLOW_NAME = "eia-review"


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
        result["review"] = eia_review(application_id)
    else:
        publish_steps_table(application_id)
    return result


@task(name="应用处理意见 apply action", retries=2, retry_delay_seconds=2)
def apply_action(action_id: int) -> dict:
    with session_scope() as session:
        return eia.apply_action(session, action_id)


def period_over(application_id: int, step_key: str) -> bool:
    """A statutory calendar period (公示): started once, closed once its last day has passed (the timer
    sweep queues a segment the day after)."""
    with session_scope() as session:
        return eia_stages.run_period(session, application_id, step_key, str(flow_run.id)).closed


def settled_by_people(application_id: int, step_key: str) -> bool:
    """Open the human step (once) and apply what people did; whether it is closed."""
    with session_scope() as session:
        step = decisions.open_human_step(session, application_id, step_key, str(flow_run.id))
    return settle_step(stored_id(step), apply_action) != WAITING


@flow(name=REVIEW_FLOW_NAME, flow_run_name="case-{application_id}-review", log_prints=True)
def eia_review(application_id: int) -> dict:
    """One segment: from the database as far as it goes; ``{"waiting": step}`` where people or the calendar
    must act first."""
    with session_scope() as session:
        if not handoff.accepted(session, application_id):
            return {"waiting": None}
        letter_missing = eia.commitment_letter_missing(session, application_id)
    stages = _stages(application_id)
    if stages.commitment_letter and letter_missing:  # an intake lost between 受理 and the letter: issued here
        issue_commitment_letter(application_id)
    waiting = _first_wait(application_id, stages)
    publish_steps_table(application_id)
    if waiting:
        return {"waiting": waiting}
    with session_scope() as session:
        return {"approved": eia_stages.is_approved(session, application_id),
                "check": eia_stages.post_check_result(session, application_id) if stages.post_check else None}


def _first_wait(application_id: int, stages: eia_stages.Stages) -> str | None:
    """Do every stage that can be done now, in order; the step it stops at, or None when the case is through."""
    if stages.public_notice and not period_over(application_id, stages.public_notice):
        return stages.public_notice
    if not settled_by_people(application_id, "eia_review"):
        return "eia_review"
    with session_scope() as session:
        approved = eia_stages.is_approved(session, application_id)
    if not approved:
        return None
    issue_document(application_id, "eia_decision", "eia_decision")
    if stages.post_check and not settled_by_people(application_id, stages.post_check):
        return stages.post_check
    return None
