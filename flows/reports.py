"""Weekly 办理进度报告 as a scheduled Prefect flow (cron ``GC_PROGRESS_REPORT_CRON``, China time).

One report per project with an open case and ISO week: a second run in the same week issues nothing.
"""

from prefect import flow, task

from services.core.db import session_scope
from services.supervision import progress

FLOW_NAME = "progress-reports"


@task(name="进度报告 weekly reports", retries=1, retry_delay_seconds=10)
def issue_weekly() -> list[int]:
    with session_scope() as session:
        return progress.weekly_reports(session)


@flow(name=FLOW_NAME, log_prints=True)
def progress_reports() -> dict:
    issued = issue_weekly()
    print(f"{len(issued)} progress reports issued")
    return {"issued": issued}
