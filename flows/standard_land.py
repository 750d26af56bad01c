"""标准地预评估 as Prefect flows: orchestration only, every task is a thin call into services.

Two flows, because the two halves wait differently:

* ``standard-land-pre-assessment`` runs on the task worker right after submission (warm process,
  notice in about half a second): completeness → acceptance (受理通知书) → indicator evaluation,
  then it starts the review run and ends.
* ``standard-land-review`` is a deployment run (served by ``deployments/serve.py``), tagged with the
  case like the first (Prefect cannot suspend a sub-flow, so it is not a child run). It waits for
  the 自然资源局 decision by suspending (no process is held
  while a department takes days), applies 补正 requests and supplements as they come, and on
  approval issues the 预评估报告, the 投资建设承诺书 and the draft 履约监管协议.

Every task is idempotent (the services guard each transition and issue each document once), so a
resumed run that starts again from the top only does what is left.
"""

from prefect import flow, task
from prefect.runtime import flow_run

from flows.human import settle_step
from flows.progress import publish_steps_table
from flows.runs import start_deployment_run
from services.cases import acceptance, handoff
from services.core.db import session_scope
from services.core.ids import stored_id
from services.standard_land import service as standard_land

FLOW_NAME = "standard-land-pre-assessment"
REVIEW_FLOW_NAME = "standard-land-review"
REVIEW_DEPLOYMENT = f"{REVIEW_FLOW_NAME}/greenchannel"
REVIEW_TAG = "standard-land"  # with ``case-<id>``, the tags of a case's review run (``flows.repair`` finds it)


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


@task(name="启动部门审查 start review", retries=2, retry_delay_seconds=5)
def start_review(application_id: int) -> str:
    """Start the review deployment run once (Prefect's idempotency key makes a retry find the same run).

    Prefect refuses to suspend a sub-flow, so the review run is started on its own (``as_subflow=False``)
    and tied to the case by its tag ``case-<id>`` and by the step's stored flow run id.
    """
    return start_deployment_run(REVIEW_DEPLOYMENT, application_id, idempotency_key=f"gc-review-{application_id}",
                                tag=REVIEW_TAG)


@flow(name=FLOW_NAME, flow_run_name="case-{application_id}", log_prints=True)
def standard_land_process(application_id: int) -> dict:
    with session_scope() as session:
        handoff.set_flow_run(session, application_id, str(flow_run.id))
    completeness = check_completeness(application_id)
    document_id = accept(application_id) if completeness.get("complete") else None
    result = {"complete": completeness.get("complete"), "acceptance_notice_id": document_id}
    if document_id is not None:
        result["proposal"] = evaluate(application_id)["result"]
        result["review_flow_run_id"] = start_review(application_id)
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


@flow(name=REVIEW_FLOW_NAME, flow_run_name="case-{application_id}-review", persist_result=True, log_prints=True)
def standard_land_review(application_id: int) -> dict:
    with session_scope() as session:
        step = standard_land.open_review(session, application_id, str(flow_run.id))
    publish_steps_table(application_id)
    settle_step(stored_id(step), apply_review_action)
    with session_scope() as session:
        due = standard_land.approval_steps_due(session, application_id)
    documents = [issue_approval_document(application_id, key) for key in due]
    publish_steps_table(application_id)
    with session_scope() as session:
        decision = standard_land.review_decision(session, application_id)
    return {"decision": decision, "documents": documents}
