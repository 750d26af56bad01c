"""标准地预评估 as Prefect flows: orchestration only, every task is a thin call into services.

Two flows, both run on the warm task worker as children of its task runs, tagged with the case:

* ``standard-land-pre-assessment`` right after submission: completeness → acceptance (受理通知书) →
  indicator evaluation, then the first review segment opens the 自然资源局 review and ends.
* ``standard-land-review``, a segment run again after each action on the review (``flows.dispatch``
  ``continue_case``): it applies the stored 补正 requests, supplements and decisions in order, and on
  approval issues the 预评估报告, the 投资建设承诺书 and the draft 履约监管协议. While the step waits for
  people the segment has ended: no run and no process is held while a department takes days.

Every task is idempotent (the services guard each transition and issue each document once), so a second
segment for the same action only does what is left.
"""

from prefect import flow, task
from prefect.runtime import flow_run

from flows.human import WAITING, settle_step
from flows.progress import publish_steps_table
from services.cases import acceptance, handoff
from services.core.db import session_scope
from services.core.ids import stored_id
from services.standard_land import service as standard_land

FLOW_NAME = "standard-land-pre-assessment"
REVIEW_FLOW_NAME = "standard-land-review"


@task(name="材料完整性审查 completeness", retries=2, retry_delay_seconds=2)
def check_completeness(application_id: int) -> dict:
    with session_scope() as session:
        return acceptance.check_completeness(session, application_id)


@task(name="受理 acceptance", retries=2, retry_delay_seconds=2)
def accept(application_id: int) -> int | None:
    """Accept and issue the 受理通知书; returns the document id."""
    with session_scope() as session:
        return acceptance.accept(session, application_id)


@task(name="控制指标预评估 evaluation", retries=2, retry_delay_seconds=2)
def evaluate(application_id: int) -> dict:
    with session_scope() as session:
        return standard_land.evaluate(session, application_id).result["proposal"]


@flow(name=FLOW_NAME, flow_run_name="case-{application_id}", log_prints=True)
def standard_land_process(application_id: int) -> dict:
    with session_scope() as session:
        handoff.set_flow_run(session, application_id, str(flow_run.id))
    completeness = check_completeness(application_id)
    document_id = accept(application_id) if completeness.get("complete") else None
    result = {"complete": completeness.get("complete"), "acceptance_notice_id": document_id}
    if document_id is not None:
        result["proposal"] = evaluate(application_id)["result"]
        result["review"] = standard_land_review(application_id)
    else:
        publish_steps_table(application_id)
    return result


@task(name="应用审查意见 apply action", retries=2, retry_delay_seconds=2)
def apply_review_action(action_id: int) -> dict:
    with session_scope() as session:
        return standard_land.apply_review_action(session, action_id)


@task(name="出具文书 issue document", retries=2, retry_delay_seconds=2)
def issue_approval_document(application_id: int, step_key: str) -> int:
    with session_scope() as session:
        return standard_land.issue_approval_document(session, application_id, step_key)


@flow(name=REVIEW_FLOW_NAME, flow_run_name="case-{application_id}-review", log_prints=True)
def standard_land_review(application_id: int) -> dict:
    """One segment of the review: open it (once), apply what people did, and after the decision issue its
    documents; ends with ``{"waiting": …}`` while the step waits for people."""
    with session_scope() as session:
        if not handoff.accepted(session, application_id):
            return {"waiting": None}
        step = standard_land.open_review(session, application_id, str(flow_run.id))
    if settle_step(stored_id(step), apply_review_action) == WAITING:
        publish_steps_table(application_id)
        return {"waiting": standard_land.REVIEW_STEP}
    with session_scope() as session:
        due = standard_land.approval_steps_due(session, application_id)
    documents = [issue_approval_document(application_id, key) for key in due]
    publish_steps_table(application_id)
    with session_scope() as session:
        decision = standard_land.review_decision(session, application_id)
    return {"decision": decision, "documents": documents}
