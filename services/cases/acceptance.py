"""Completeness check and acceptance (受理) — the first automatic steps of every process.

Acceptance starts the statutory clock: the application records when, every later step gets its
deadline from that day, and a 受理通知书 is issued. Each function is idempotent, so a flow task
may run it again after a crash without a second notice or number.
"""

from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from services.calendar.schedules import work_calendar
from services.calendar.work_calendar import DueDate
from services.cases import transitions
from services.cases.processes import ProcessDefinition, get_definition
from services.cases.steps import due_after, finish_step, get_step, schedule_deadlines, steps_of
from services.core import audit, clock, uscc
from services.core.ids import stored_id
from services.core.settings import get_settings
from services.documents import issue as documents
from services.models import Application, ApplicationStatus, Enterprise, Parcel, Project, Step, StepStatus

MATERIALS = [
    {"name": "标准地预评估申请表", "form": "在线填报，1份"},
    {"name": "企业基本信息（含统一社会信用代码、法定代表人）", "form": "在线填报，1份"},
    {"name": "项目基本信息（行业、投资、用地、产值、税收）", "form": "在线填报，1份"},
]
EIA_MATERIALS = [
    {"name": "建设项目环境影响评价文件报批申请书", "form": "在线填报，1份"},
    {"name": "环评分类判定信息（行业代码、规模、工艺、选址）", "form": "在线填报，1份"},
]
MATERIALS_BY_PROCESS = {
    "standard_land": MATERIALS,
    "eia_commitment": [*EIA_MATERIALS, {"name": "建设项目环境影响评价告知承诺书", "form": "在线确认，1份"}],
    "eia_normal": [*EIA_MATERIALS, {"name": "环境影响报告表", "form": "电子件，1份"}],
    "eia_normal_book": [*EIA_MATERIALS, {"name": "环境影响报告书", "form": "电子件，1份"}],
}


def materials_of(application: Application) -> list[dict[str, str]]:
    """What the applicant handed in, as listed on the 受理通知书 of its process."""
    return MATERIALS_BY_PROCESS.get(application.process_key, MATERIALS)


def check_completeness(session: Session, application_id: int) -> dict[str, Any]:
    """Check what acceptance needs; the outcome (with every missing item) is stored on the step."""
    step = get_step(session, application_id, "completeness")
    if step.status == StepStatus.completed or step.status == StepStatus.blocked:
        return step.outcome
    application = session.get_one(Application, application_id)
    enterprise = session.get_one(Enterprise, application.enterprise_id)
    project = session.get_one(Project, application.project_id)
    parcel = session.get(Parcel, project.parcel_id) if project.parcel_id else None
    missing = []
    if not uscc.validate(enterprise.uscc).valid:
        missing.append("统一社会信用代码无效")
    if parcel is None:
        missing.append("未选择意向地块")
    for label, value in [("法定代表人", enterprise.legal_representative), ("联系电话", enterprise.contact_phone),
                         ("项目名称", project.name), ("行业代码", project.industry_code)]:
        if not value:
            missing.append(f"缺少{label}")
    outcome = {"complete": not missing, "missing": missing, "materials": materials_of(application),
               "checked_at": _iso(clock.now())}
    status = StepStatus.completed if not missing else StepStatus.blocked
    if finish_step(session, application_id, "completeness", status=status, outcome=outcome) and missing:
        transitions.move_application(session, application_id, ApplicationStatus.incomplete)
    return outcome


def accept(session: Session, application_id: int) -> int | None:
    """Accept a complete application and issue its acceptance notice; returns the document id."""
    application = session.get_one(Application, application_id)
    if get_step(session, application_id, "completeness").status != StepStatus.completed:
        return None
    now = clock.now()
    moved = transitions.move_application(session, application_id, ApplicationStatus.accepted,  # run again: no-op
                                         expected=[ApplicationStatus.submitted], values={"accepted_at": now},
                                         strict=False)
    if moved:
        audit.record(session, "application.accepted", actor=None, actor_label="flow", entity="application",
                     entity_id=application_id, application_id=application_id)
        finish_step(session, application_id, "acceptance", status=StepStatus.completed,
                    outcome={"accepted_at": _iso(now)})
        schedule_deadlines(session, application, work_calendar(session))
    document = documents.issue(
        session, application, kind="acceptance_notice", step_key="acceptance", issue_key="acceptance_notice",
        build_context=lambda number, issued_at: acceptance_notice_context(session, application, number, issued_at))
    return document.id


def acceptance_notice_context(session: Session, application: Application, number: str,
                              issued_at: datetime) -> dict[str, Any]:
    """The one context both the PDF and the DOCX of the 受理通知书 are made from.

    The committed limit is the case's end date (:func:`committed_due`) and the working days between
    acceptance and it.
    """
    settings = get_settings()
    enterprise = session.get_one(Enterprise, application.enterprise_id)
    project = session.get_one(Project, application.project_id)
    due = committed_due(session, application)
    if application.accepted_at is None or due is None:
        raise ValueError(f"application {application.id} is not accepted: no acceptance notice")
    accepted_on = application.accepted_at.date()
    due_on = due.due
    return {
        "number": number, "issuer": settings.issuer_name, "issued_on": issued_at.date(),
        "enterprise_name": enterprise.name, "uscc": enterprise.uscc, "case_no": application.case_no,
        "application_title": application.title, "project_name": project.name,
        "submitted_at": application.submitted_at, "accepted_at": application.accepted_at,
        "materials": materials_of(application),
        "sla_working_days": work_calendar(session).working_days_between(accepted_on, due_on),
        "due_on": due_on, "due_provisional": due.provisional,
        "handler_name": "绿色通道服务中心受理窗口", "handler_phone": settings.handler_phone,
    }


def committed_due(session: Session, application: Application) -> DueDate | None:
    """The case's 办结期限 — the one date the 受理通知书 prints and the case page shows; None before 受理.

    The whole plan counted from acceptance, each step of the committed limit at its full time limit (plus
    its 补正 pauses), or a step's own later due date. A step finishing early moves the later steps' own
    due dates in (they count from when it finished) but never the date promised to the applicant.
    None too for a process that issues no 受理通知书 (a 拿地即开工 case has its own timeline).
    """
    definition = get_definition(application.process_key, application.process_version)
    if application.accepted_at is None or ("acceptance", "acceptance_notice") not in definition.issuing_steps():
        return None
    steps = {s.key: s for s in steps_of(session, stored_id(application))}
    counted = {d.key for d in definition.steps if d.in_committed_limit}
    dues = [DueDate(s.due_on, s.due_provisional) for s in steps.values() if s.due_on and s.key in counted]
    dues += _planned_from_acceptance(session, definition, steps, application.accepted_at.date(), counted)
    return max(dues, key=lambda d: d.due, default=None)


def _planned_from_acceptance(session: Session, definition: ProcessDefinition, steps: dict[str, Step],
                             accepted_on: date, counted: set[str]) -> list[DueDate]:
    """Due dates of the counted steps after 受理 as planned on the day of acceptance (none finished early)."""
    calendar = work_calendar(session)
    after: set[str] = set()
    ends: dict[str, tuple[date, bool]] = {}
    for d in definition.steps:
        if "acceptance" not in d.depends_on and not after & set(d.depends_on):
            ends[d.key] = (accepted_on, False)  # up to and including acceptance, or beside it
            continue
        after.add(d.key)
        start, inherited = max((ends[k] for k in d.depends_on), key=lambda end: end[0])
        cancelled = steps[d.key].status == StepStatus.cancelled
        ends[d.key] = (start, inherited) if cancelled else due_after(calendar, d, steps[d.key], start, inherited)
    return [DueDate(*ends[k]) for k in after & counted]


def _iso(value: datetime) -> str:
    return value.isoformat(sep=" ")
