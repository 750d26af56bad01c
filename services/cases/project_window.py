"""一窗受理 (one window for a project): every item of one 投资项目 across processes on one page.

A project's 标准地, 环评 and 拿地即开工 cases and its 代办委托, each with its status, its light, what must happen
next and its documents, and one timeline merged from all of them (steps opened and finished, documents
issued, mandates signed). What a person sees is what they may read (``services.core.visibility``): a
reviewer sees the project's cases of their department only. Read-only; starting an item is done by the
forms, which this page links to with the project chosen.
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from services.agency.models import Mandate
from services.cases.processes import get_definition
from services.cases.project_labels import labels
from services.core import visibility
from services.core.access import Action, Resource, allowed
from services.core.ids import stored_id
from services.models import (
    Application,
    Document,
    Enterprise,
    Parcel,
    Project,
    Role,
    Step,
    StepLight,
    StepStatus,
    User,
)

#: processes an enterprise (or its agent) can start for a project from its page, in the order of the seeds
START_LINKS = (("申请标准地预评估", "/applications/new?project={id}"), ("申请环评", "/eia/new?project_id={id}"),
               ("申请拿地即开工", "/land-to-start/new?project_id={id}"),
               ("签署代办委托", "/mandates/new?project_id={id}"))


@dataclass
class WindowItem:
    """One case of the project, as its row on the page."""

    application: Application
    process_name: str
    next_step: Step | None
    light: StepLight | None
    documents: list[Document]

    @property
    def status_label(self) -> str:
        return self.application.status.label_for(self.application.process_key)


@dataclass(frozen=True)
class TimelineEvent:
    at: datetime
    what: str
    case_no: str = ""
    link: str = ""


@dataclass
class ProjectWindow:
    project: Project
    label: str
    enterprise: Enterprise
    parcel: Parcel | None
    items: list[WindowItem]
    mandates: list[Mandate]
    timeline: list[TimelineEvent] = field(default_factory=list)
    start_links: list[tuple[str, str]] = field(default_factory=list)


def readable_projects(session: Session, user: User, limit: int = 200) -> list[tuple[Project, str]]:
    """The projects the user may read, newest first, each with its label (name, parcel, first case number)."""
    projects = list(session.exec(visibility.readable_projects(user).order_by(col(Project.id).desc()).limit(limit)))
    named = labels(session, projects)
    return [(p, named[stored_id(p)]) for p in projects]


def project_window(session: Session, user: User, project_id: int) -> ProjectWindow | None:
    """The project's page for ``user``; None when there is no such project or the user may not read it."""
    project = session.exec(visibility.readable_projects(user).where(Project.id == project_id)).first()
    if project is None:
        return None
    cases = list(session.exec(visibility.readable_applications(user).where(Application.project_id == project_id)
                              .order_by(col(Application.id))))
    case_ids = [stored_id(a) for a in cases]
    steps: dict[int, list[Step]] = {}
    for step in session.exec(select(Step).where(col(Step.application_id).in_(case_ids))
                             .order_by(col(Step.application_id), col(Step.sequence), col(Step.id))):
        steps.setdefault(step.application_id, []).append(step)
    lights = {light.step_id: light for light in session.exec(
        select(StepLight).where(col(StepLight.application_id).in_(case_ids)))}
    documents: dict[int, list[Document]] = {}
    for document in session.exec(select(Document).where(col(Document.application_id).in_(case_ids))
                                 .order_by(col(Document.issued_at), col(Document.id))):
        documents.setdefault(document.application_id or 0, []).append(document)
    items = []
    for case in cases:
        open_steps = [s for s in steps.get(stored_id(case), []) if s.status == StepStatus.running]
        next_step = min(open_steps, key=lambda s: (s.due_on is None, s.due_on, s.sequence), default=None)
        items.append(WindowItem(case, get_definition(case.process_key).name, next_step,
                                lights.get(stored_id(next_step)) if next_step else None,
                                documents.get(stored_id(case), [])))
    mandates = list(session.exec(visibility.readable_mandates(user).where(Mandate.project_id == project_id)
                                 .order_by(col(Mandate.id)))) if allowed(user, Resource.mandate, Action.read) else []
    window = ProjectWindow(project=project, label=labels(session, [project])[project_id],
                           enterprise=session.get_one(Enterprise, project.enterprise_id),
                           parcel=session.get(Parcel, project.parcel_id) if project.parcel_id else None,
                           items=items, mandates=mandates)
    window.timeline = _timeline(items, steps, mandates)
    window.start_links = _start_links(user, project)
    return window


def _timeline(items: list[WindowItem], steps: dict[int, list[Step]], mandates: list[Mandate]) -> list[TimelineEvent]:
    """Every case's submission, steps and documents and every mandate's signing, newest first."""
    events: list[TimelineEvent] = []
    for item in items:
        case = item.application
        link = f"/applications/{case.id}"
        events.append(TimelineEvent(case.submitted_at, f"提交{item.process_name}申请", case.case_no, link))
        for step in steps.get(stored_id(case), []):
            if step.started_at:
                events.append(TimelineEvent(step.started_at, f"{step.name}开始办理（{step.department}）",
                                            case.case_no, link))
            if step.finished_at and step.status == StepStatus.completed:
                events.append(TimelineEvent(step.finished_at, f"{step.name}办结", case.case_no, link))
        for document in item.documents:
            events.append(TimelineEvent(document.issued_at, f"出具《{document.title}》{document.number}",
                                        case.case_no, f"/documents/{document.id}.pdf"))
    for mandate in mandates:
        if mandate.signed_at:
            events.append(TimelineEvent(mandate.signed_at, f"签署代办委托书 {mandate.number}", "",
                                        f"/mandates/{mandate.id}"))
    return sorted(events, key=lambda e: e.at)[::-1]  # newest first; within one second, the later event first


def _start_links(user: User, project: Project) -> list[tuple[str, str]]:
    """What the enterprise itself may start for the project, the project already chosen (agents act from their
    mandates)."""
    if user.role != Role.enterprise or user.enterprise_id != project.enterprise_id:
        return []
    return [(label, url.format(id=project.id)) for label, url in START_LINKS]
