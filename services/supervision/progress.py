"""办理进度报告 (progress report): every case of a project, step by step, with deadlines and lights.

Issued on demand from a case page, and weekly by a scheduled flow for every project with an open
case (one report per project and ISO week: the weekly run is idempotent).
"""

from datetime import date, datetime
from typing import Any

from sqlmodel import Session, select

from services.calendar.schedules import work_calendar
from services.cases import waiting
from services.cases.steps import OPEN, steps_of
from services.core import clock
from services.core.settings import get_settings
from services.documents import issue as documents
from services.models import Application, Document, Enterprise, Project, Step, StepLight, StepStatus
from services.supervision.service import remaining_days


def _remaining_text(session: Session, step: Step, today: date) -> str:
    if step.status not in OPEN or step.due_on is None:
        return "—"
    if step.status == StepStatus.suspended:
        return "计时暂停"
    left = remaining_days(work_calendar(session), step, today)
    unit = "日" if step.sla_unit == "calendar_day" else "个工作日"
    return f"剩余{left}{unit}" if left > 0 else f"超期{1 - left}{unit}"


def _waiting_on(session: Session, step: Step) -> str:
    """Who the step waits on, named (``services.cases.waiting``); "—" for planned and closed steps."""
    waits = waiting.waiting_on(session, step)
    return waits.who_zh if waits else "—"


def _next_action(step: Step) -> str:
    if step.status == StepStatus.suspended:
        return "申请企业提交补正材料"
    if step.status == StepStatus.running:
        return f"{step.department}办理“{step.name}”"
    if step.status == StepStatus.planned:
        return "待前序环节完成后开始"
    return "—"


def progress_context(session: Session, application: Application, number: str, issued_at: datetime,
                     period: str, audience: str) -> dict[str, Any]:
    """Every case of the application's project, as of the issue day."""
    project = session.get(Project, application.project_id)
    enterprise = session.get(Enterprise, application.enterprise_id)
    today = issued_at.date()
    cases = session.exec(select(Application).where(Application.project_id == project.id)
                         .order_by(Application.id)).all()
    lights = {light.step_id: light.light for light in session.exec(select(StepLight).where(
        StepLight.application_id.in_([c.id for c in cases])))}
    summary = {"green": 0, "yellow": 0, "red": 0, "paused": 0}
    out = []
    for case in cases:
        rows = []
        for step in steps_of(session, case.id):
            light = lights.get(step.id, "none") if step.status in OPEN else "none"
            if light in summary:
                summary[light] += 1
            rows.append({"name": step.name, "department": step.department, "status": step.status.label_zh,
                         "due_on": step.due_on, "remaining": _remaining_text(session, step, today), "light": light,
                         "waiting_on": _waiting_on(session, step), "next_action": _next_action(step)})
        out.append({"case_no": case.case_no, "title": case.title, "status": case.status.label_for(case.process_key),
                    "steps": rows})
    milestones = [{"name": name, "planned": planned, "actual": None} for name, planned in (
        ("计划开工", project.planned_start_on), ("计划竣工", project.planned_completion_on),
        ("计划投产", project.planned_production_on)) if planned]
    return {"number": number, "issuer": get_settings().issuer_name, "issued_on": today,
            "enterprise_name": enterprise.name, "uscc": enterprise.uscc, "case_no": application.case_no,
            "project_name": project.name, "as_of": today, "period": period, "audience": audience,
            "cases": out, "summary": summary, "milestones": milestones}


def issue_report(session: Session, application: Application, issue_key: str, period: str = "按需生成",
                 audience: str = "企业及园区领导") -> Document:
    """Issue a progress report for the application's project once per ``issue_key``."""
    return documents.issue(session, application, kind="progress_report", step_key="progress", issue_key=issue_key,
                           build_context=lambda number, issued_at: progress_context(
                               session, application, number, issued_at, period, audience))


def weekly_reports(session: Session, today: date | None = None) -> list[int]:
    """One report per project with an open case, per ISO week (re-running the week issues nothing new)."""
    today = today or clock.today()
    year, week, _ = today.isocalendar()
    open_cases = select(Step.application_id).where(Step.status.in_(OPEN))
    latest: dict[int, Application] = {}
    for application in session.exec(select(Application).where(Application.id.in_(open_cases))
                                    .order_by(Application.id)):
        latest[application.project_id] = application
    return [issue_report(session, application, f"progress-{year}-W{week:02d}", period=f"{year}年第{week}周").id
            for application in latest.values()]
