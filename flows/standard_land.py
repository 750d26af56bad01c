"""标准地预评估 as a Prefect flow: orchestration only, every task is a thin call into services.

This issue runs the intake part of the process definition (completeness check → acceptance with
its 受理通知书); the later steps stay planned with deadlines and are not faked. Each task is
idempotent (the services guard every transition), so a crashed run can simply run again.
"""

from prefect import flow, task
from prefect.runtime import flow_run

from flows.progress import publish_steps_table
from services import acceptance, intake
from services.db import session_scope

FLOW_NAME = "standard-land-pre-assessment"


@task(name="材料完整性审查 completeness", retries=2, retry_delay_seconds=2)
def check_completeness(application_id: int) -> dict:
    with session_scope() as session:
        return acceptance.check_completeness(session, application_id)


@task(name="受理 acceptance", retries=2, retry_delay_seconds=2)
def accept(application_id: int) -> int | None:
    """Accept and issue the 受理通知书; returns the document id."""
    with session_scope() as session:
        return acceptance.accept(session, application_id)


@flow(name=FLOW_NAME, flow_run_name="case-{application_id}", log_prints=True)
def standard_land_process(application_id: int) -> dict:
    with session_scope() as session:
        intake.set_flow_run(session, application_id, str(flow_run.id))
    completeness = check_completeness(application_id)
    document_id = accept(application_id) if completeness.get("complete") else None
    publish_steps_table(application_id)
    return {"complete": completeness.get("complete"), "acceptance_notice_id": document_id}
