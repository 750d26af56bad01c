"""The SLA sweep as a scheduled Prefect flow (served by ``deployments/serve.py`` on an interval).

Three idempotent tasks: recompute lights and record escalations, issue the pending 督办通知
documents, e-mail pending notifications. Running it twice, or two runs at once, sends nothing twice:
the database rows are the guards (see ``services.supervision.service``).
"""

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact

from services.core.db import session_scope
from services.supervision import notifications
from services.supervision import service as supervision
from services.supervision.sla_rules import LIGHT_ZH

FLOW_NAME = "sla-sweep"


@task(name="亮灯 lights", retries=1, retry_delay_seconds=5)
def compute_lights() -> dict:
    with session_scope() as session:
        report = supervision.sweep(session)
    return {"today": report.today.isoformat(), "steps": report.steps, "lights": report.lights,
            "changed": report.changed, "notified": report.notified, "escalations": report.escalations,
            "overdue_replies": report.overdue_replies}


@task(name="督办通知 notices", retries=1, retry_delay_seconds=5)
def issue_notices() -> list[int]:
    with session_scope() as session:
        return supervision.issue_pending_notices(session)


@task(name="邮件 e-mail", retries=1, retry_delay_seconds=5)
def send_mail() -> int:
    with session_scope() as session:
        return notifications.deliver_pending(session)


@flow(name=FLOW_NAME, log_prints=True)
def sla_sweep() -> dict:
    report = compute_lights()
    report["notices"] = issue_notices()
    report["emails"] = send_mail()
    lights = "、".join(f"{LIGHT_ZH[k]} {v}" for k, v in report["lights"].items())
    create_markdown_artifact(key="sla-sweep", description="亮灯督办",
                             markdown=f"**{report['today']}** 在办环节 {report['steps']} 个：{lights}；"
                                      f"变化 {report['changed']}，新督办 {len(report['escalations'])}，"
                                      f"回复逾期提级 {len(report['overdue_replies'])}，"
                                      f"出具督办通知 {len(report['notices'])}，邮件 {report['emails']}。")
    return report
