"""Read models for pages and the API: an application with its steps and documents, and lists.

Lists always start from ``visibility.readable_applications`` so a user never sees a row the
visibility rules hide.
"""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, select

from services.models import Application, Document, Enterprise, IndustrialBase, Parcel, Project, Step, User
from services.steps import OPEN, steps_of
from services.visibility import readable_applications


@dataclass
class ApplicationView:
    application: Application
    enterprise: Enterprise
    project: Project
    parcel: Parcel | None
    base: IndustrialBase | None
    steps: list[Step]
    documents: list[Document]

    @property
    def next_step(self) -> Step | None:
        return next((s for s in self.steps if s.status in OPEN), None)


@dataclass
class ApplicationRow:
    application: Application
    enterprise_name: str
    project_name: str
    next_step_name: str | None = None
    next_due: date | None = None
    next_due_provisional: bool = False
    extra: dict = field(default_factory=dict)


def application_view(session: Session, application: Application) -> ApplicationView:
    project = session.get(Project, application.project_id)
    parcel = session.get(Parcel, project.parcel_id) if project.parcel_id else None
    documents = session.exec(select(Document).where(Document.application_id == application.id)
                             .order_by(Document.issued_at)).all()
    return ApplicationView(
        application=application, enterprise=session.get(Enterprise, application.enterprise_id), project=project,
        parcel=parcel, base=session.get(IndustrialBase, parcel.base_id) if parcel else None,
        steps=steps_of(session, application.id), documents=list(documents))


def list_applications(session: Session, user: User, limit: int = 200) -> list[ApplicationRow]:
    """Newest first, each with its next open step and that step's deadline."""
    apps = session.exec(readable_applications(user).order_by(Application.id.desc()).limit(limit)).all()
    if not apps:
        return []
    ids = [a.id for a in apps]
    names = dict(session.exec(select(Enterprise.id, Enterprise.name)
                              .where(Enterprise.id.in_({a.enterprise_id for a in apps}))).all())
    projects = dict(session.exec(select(Project.id, Project.name)
                                 .where(Project.id.in_({a.project_id for a in apps}))).all())
    first_open = (select(Step.application_id, func.min(Step.sequence).label("seq"))
                  .where(Step.application_id.in_(ids), Step.status.in_(OPEN))
                  .group_by(Step.application_id).subquery())
    next_steps = {s.application_id: s for s in session.exec(
        select(Step).join(first_open, (Step.application_id == first_open.c.application_id)
                          & (Step.sequence == first_open.c.seq)))}
    rows = []
    for a in apps:
        step = next_steps.get(a.id)
        rows.append(ApplicationRow(a, names.get(a.enterprise_id, ""), projects.get(a.project_id, ""),
                                   step.name if step else None, step.due_on if step else None,
                                   step.due_provisional if step else False))
    return rows


def available_parcels(session: Session) -> list[tuple[Parcel, IndustrialBase]]:
    stmt = (select(Parcel, IndustrialBase).join(IndustrialBase, Parcel.base_id == IndustrialBase.id)
            .where(Parcel.status == "available").order_by(IndustrialBase.id, Parcel.number))
    return list(session.exec(stmt).all())
