"""Show an application's steps, deadlines and status in the Prefect UI as a table artifact.

The truth stays in our database; Prefect gets a view of it for staff who monitor runs there.
"""

from prefect.artifacts import create_table_artifact

from services.cases.handoff import application_of
from services.cases.steps import steps_of
from services.core.db import session_scope
from services.core.formatting import format_date_zh


def publish_steps_table(application_id: int) -> None:
    with session_scope() as session:
        application = application_of(session, application_id)
        rows = [
            {"环节": s.name, "部门": s.department, "状态": s.status.label_zh, "时限": s.limit_zh,
             "办结期限": (format_date_zh(s.due_on) + ("（暂定）" if s.due_provisional else "")) if s.due_on else "—"}
            for s in steps_of(session, application_id)
        ]
        description = f"{application.case_no} {application.title}：办理环节与期限"
    # outside the session: a slow Prefect API must not keep a transaction (on SQLite, the write lock) open
    create_table_artifact(key=f"case-{application_id}-steps", table=rows, description=description)
