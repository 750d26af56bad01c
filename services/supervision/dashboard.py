"""Read models for pages and the API: an application with its steps and documents, and lists.

Lists always start from ``visibility.readable_applications`` so a user never sees a row the
visibility rules hide.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, col, select

from services.cases.steps import OPEN, steps_of
from services.core.ids import stored_id
from services.models import (
    Application,
    Attachment,
    ClockPause,
    ComplianceCheck,
    Document,
    Enterprise,
    Evaluation,
    IndustrialBase,
    Parcel,
    ParcelIndicator,
    Project,
    Role,
    Step,
    StepAction,
    StepLight,
    StepStatus,
    User,
    VerificationRecord,
)
from services.standard_land import compliance


@dataclass
class ApplicationView:
    application: Application
    enterprise: Enterprise
    project: Project
    parcel: Parcel | None
    base: IndustrialBase | None
    steps: list[Step]
    documents: list[Document]
    evaluations: list[Evaluation] = field(default_factory=list)
    actions: list[StepAction] = field(default_factory=list)
    actors: dict[int, str] = field(default_factory=dict)
    pauses: list[ClockPause] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    verifications: list[VerificationRecord] = field(default_factory=list)
    lights: dict[int, StepLight] = field(default_factory=dict)
    compliance_checks: list[ComplianceCheck] = field(default_factory=list)  # 履约核验计划 (approved 标准地 cases)

    @property
    def evaluation(self) -> Evaluation | None:
        """The 标准地 indicator evaluation, if this case has one."""
        return next((e for e in self.evaluations if e.kind == "standard_land"), None)

    @property
    def eia_evaluation(self) -> Evaluation | None:
        """The 环评 classification and commitment-route check, if this case has one."""
        return next((e for e in self.evaluations if e.kind == "eia_classification"), None)

    def actions_on(self, step: Step) -> list[StepAction]:
        return [a for a in self.actions if a.step_id == step.id]

    def pauses_on(self, step: Step) -> list[ClockPause]:
        return [p for p in self.pauses if p.step_id == step.id]

    @property
    def open_request(self) -> StepAction | None:
        """The 补正 request whose clock pause is still open (what the applicant must answer)."""
        open_ids = {p.started_action_id for p in self.pauses if p.ended_on is None}
        return next((a for a in self.actions if a.id in open_ids), None)

    def attachments_for(self, action: StepAction, index: int) -> list[Attachment]:
        return [f for f in self.attachments if f.request_action_id == action.id and f.item_index == index]

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


def application_essentials(session: Session, application: Application) -> ApplicationView:
    """The case with its enterprise, project, parcel, steps, documents and evaluations: what the API's answer
    shows, after every submission and poll (``application_view`` adds the history the pages show: seven queries
    more)."""
    project = session.get_one(Project, application.project_id)
    parcel = session.get(Parcel, project.parcel_id) if project.parcel_id else None
    documents = session.exec(select(Document).where(Document.application_id == application.id)
                             .order_by(col(Document.issued_at), col(Document.id))).all()  # same second: issue order
    return ApplicationView(
        application=application, enterprise=session.get_one(Enterprise, application.enterprise_id),
        project=project,
        parcel=parcel, base=session.get(IndustrialBase, parcel.base_id) if parcel else None,
        steps=steps_of(session, stored_id(application)), documents=list(documents),
        evaluations=list(session.exec(select(Evaluation).where(Evaluation.application_id == application.id))))


def application_view(session: Session, application: Application) -> ApplicationView:
    """``application_essentials`` and the case's history: actions and who took them, clock pauses, attachments,
    lights, verifications and 履约核验 checks."""
    view = application_essentials(session, application)
    step_ids = [s.id for s in view.steps]
    view.actions = list(session.exec(select(StepAction).where(StepAction.application_id == application.id)
                                     .order_by(col(StepAction.step_id), col(StepAction.sequence))))
    view.actors = {stored_id(u): u.display_name for u in session.exec(select(User).where(
        col(User.id).in_({a.actor_id for a in view.actions})))} if view.actions else {}
    view.pauses = list(session.exec(select(ClockPause).where(col(ClockPause.step_id).in_(step_ids))
                                    .order_by(col(ClockPause.id))))
    view.attachments = list(session.exec(select(Attachment).where(Attachment.application_id == application.id)
                                         .order_by(col(Attachment.id))))
    view.lights = {light.step_id: light for light in session.exec(select(StepLight).where(
        col(StepLight.step_id).in_(step_ids)))}
    view.verifications = list(session.exec(select(VerificationRecord)
                                           .where(VerificationRecord.application_id == application.id)
                                           .order_by(col(VerificationRecord.id))))
    view.compliance_checks = compliance.checks_of(session, stored_id(application))
    return view


def application_rows(session: Session, apps: Sequence[Application]) -> list[ApplicationRow]:
    """The list's rows for these cases, in their order: names, next open step and its deadline."""
    if not apps:
        return []
    ids = [a.id for a in apps]
    names = dict(session.exec(select(Enterprise.id, Enterprise.name)
                              .where(col(Enterprise.id).in_({a.enterprise_id for a in apps}))).all())
    projects = dict(session.exec(select(Project.id, Project.name)
                                 .where(col(Project.id).in_({a.project_id for a in apps}))).all())
    first_open = (select(Step.application_id, func.min(Step.sequence).label("seq"))
                  .where(col(Step.application_id).in_(ids), col(Step.status).in_(OPEN))
                  .group_by(col(Step.application_id)).subquery())
    next_steps = {s.application_id: s for s in session.exec(
        select(Step).join(first_open, (col(Step.application_id) == first_open.c.application_id)
                          & (col(Step.sequence) == first_open.c.seq)))}
    rows = []
    for a in apps:
        step = next_steps.get(stored_id(a))
        rows.append(ApplicationRow(a, names.get(a.enterprise_id, ""), projects.get(a.project_id, ""),
                                   step.name if step else None, step.due_on if step else None,
                                   step.due_provisional if step else False))
    return rows


def available_parcels(session: Session) -> list[tuple[Parcel, IndustrialBase]]:
    stmt = (select(Parcel, IndustrialBase).join(IndustrialBase, col(Parcel.base_id) == IndustrialBase.id)
            .where(Parcel.status == "available").order_by(col(IndustrialBase.id), col(Parcel.number)))
    return list(session.exec(stmt).all())


def parcel_indicators(session: Session) -> dict[int, list[ParcelIndicator]]:
    """Indicators of every available parcel, so the application form can ask for each planned value."""
    stmt = (select(ParcelIndicator).join(Parcel, col(Parcel.id) == ParcelIndicator.parcel_id)
            .where(Parcel.status == "available").order_by(col(ParcelIndicator.parcel_id),
                                                          col(ParcelIndicator.sequence), col(ParcelIndicator.id)))
    grouped: dict[int, list[ParcelIndicator]] = {}
    for indicator in session.exec(stmt):
        grouped.setdefault(indicator.parcel_id, []).append(indicator)
    return grouped


@dataclass
class QueueRow:
    """One step waiting on a department (待审查) or on the applicant's 补正, for a reviewer's queue."""

    step: Step
    application: Application
    enterprise_name: str
    project_name: str
    proposal: str | None
    light: str | None = None


def review_departments(session: Session) -> list[str]:
    """Departments with open human-decision steps: what a supervisor may narrow the queue to."""
    return list(session.exec(select(Step.department).where(
        Step.kind == "human", col(Step.status).in_([StepStatus.running, StepStatus.suspended]))
        .distinct().order_by(col(Step.department))).all())


def review_queue(session: Session, user: User, limit: int = 200, department: str = "") -> list[QueueRow]:
    """Human-decision steps that are open, for the user's department (supervisors: all, or the ``department``
    they pick); soonest due first."""
    stmt = (select(Step, Application, Enterprise.name, Project.name)
            .join(Application, col(Application.id) == Step.application_id)
            .join(Enterprise, col(Enterprise.id) == Application.enterprise_id)
            .join(Project, col(Project.id) == Application.project_id)
            .where(Step.kind == "human", col(Step.status).in_([StepStatus.running, StepStatus.suspended]))
            .order_by(col(Step.status), col(Step.due_on), col(Step.id)).limit(limit))
    if user.role != Role.supervisor:
        stmt = stmt.where(Step.department == (user.department or ""))
    elif department:
        stmt = stmt.where(Step.department == department)
    rows = session.exec(stmt).all()
    proposals = {e.application_id: e.result.get("proposal", {}).get("result_zh") for e in session.exec(
        select(Evaluation).where(col(Evaluation.application_id).in_([r[1].id for r in rows])))} if rows else {}
    lights = {light.step_id: light.light for light in session.exec(select(StepLight).where(
        col(StepLight.step_id).in_([r[0].id for r in rows])))} if rows else {}
    return [QueueRow(step, app, ent, proj, proposals.get(stored_id(app)), lights.get(stored_id(step)))
            for step, app, ent, proj in rows]
