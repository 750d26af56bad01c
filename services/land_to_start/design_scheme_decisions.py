"""Which 设计方案 version a 设计方案预审 decision is about, and which version the case's sale carries.

``services.cases.human_actions.record_action`` asks ``check`` before it stores a decision on the step and
``bind`` after: an approval needs an uploaded version (the latest, unless the reviewer names one), and every
decision made while versions exist records the version it was made on. The binding never moves: a version
uploaded after the approval is shown as newer, unreviewed; the approval, the 出让公告附件 and the
建设工程规划许可证 keep citing the approved one. This module must not import ``human_actions`` or
``uploads`` (they import it) and writes nothing but the binding row.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from services.core.errors import DomainError
from services.core.ids import stored_id
from services.land_to_start.design_scheme_models import DesignScheme, DesignSchemeDecision
from services.models import (
    ActionKind,
    Application,
    ApplicationStatus,
    Attachment,
    Project,
    Step,
    StepAction,
    StepStatus,
)

PROCESS_KEY, STEP_KEY, PURPOSE = "land_to_start", "design_review", "design_scheme"
FIELD = "design_scheme_id"


class DesignSchemeError(DomainError):
    """A design-scheme request refused, with a Chinese message for the named field (422)."""

    def __init__(self, field: str, message: str):
        super().__init__(message, field=field)


def reviews_scheme(application: Application, step: Step) -> bool:
    return application.process_key == PROCESS_KEY and step.key == STEP_KEY


def versions(session: Session, application_id: int) -> list[DesignScheme]:
    stmt = select(DesignScheme).where(col(DesignScheme.application_id) == application_id)
    return list(session.exec(stmt.order_by(col(DesignScheme.version))))


def files_of(session: Session, scheme: DesignScheme) -> list[Attachment]:
    stmt = select(Attachment).where(col(Attachment.application_id) == scheme.application_id,
                                    col(Attachment.purpose) == PURPOSE, col(Attachment.item_index) == scheme.version)
    return list(session.exec(stmt.order_by(col(Attachment.id))))


def reference(scheme: DesignScheme) -> str:
    """How an opinion or a document names the version: 设计方案第N版，文件哈希 <first 12 hex>."""
    return f"设计方案第{scheme.version}版，文件哈希{scheme.digest[:12]}"


def check(session: Session, application: Application, step: Step, kind: ActionKind,
          scheme_id: int | None) -> DesignScheme | None:
    """The version a decision on ``step`` is about (None: not a design review, or nothing uploaded and no
    approval); refuses an approval with no version and a version of another case."""
    if not reviews_scheme(application, step):
        return None
    found = versions(session, stored_id(application))
    if scheme_id is None:
        chosen = found[-1] if found else None
    else:
        chosen = next((s for s in found if s.id == scheme_id), None)
        if chosen is None:
            raise DesignSchemeError(FIELD, "所选设计方案版本不属于本案件，请在版本列表中重新选择")
    if chosen is None and kind == ActionKind.approve:
        raise DesignSchemeError(FIELD, "申请人尚未上传设计方案，不能作出同意的预审决定；可先要求补正设计方案")
    return chosen


def bind(session: Session, action: StepAction, scheme: DesignScheme | None) -> None:
    if scheme is not None:
        session.add(DesignSchemeDecision(action_id=stored_id(action), design_scheme_id=stored_id(scheme)))
        session.flush()


def decided(session: Session, action_id: int | None) -> DesignScheme | None:
    """The version an action decided on, if it named one."""
    if action_id is None:
        return None
    stmt = (select(DesignScheme).join(DesignSchemeDecision, col(DesignSchemeDecision.design_scheme_id)
                                      == col(DesignScheme.id))
            .where(col(DesignSchemeDecision.action_id) == action_id))
    return session.exec(stmt).first()


@dataclass(frozen=True)
class Approved:
    """The version 设计方案预审 approved: what the listing attaches and the permit cites."""

    scheme: DesignScheme
    approved_at: datetime
    department: str

    @property
    def short_hash(self) -> str:
        return self.scheme.digest[:12]


def approved(session: Session, application_id: int) -> Approved | None:
    """The approved version, once the step is completed with an approval bound to one."""
    step = session.exec(select(Step).where(col(Step.application_id) == application_id,
                                           col(Step.key) == STEP_KEY)).first()
    if step is None or step.status != StepStatus.completed or step.outcome.get("decision") != "approve":
        return None
    scheme = decided(session, step.outcome.get("action_id"))
    if scheme is None or step.finished_at is None:
        return None
    return Approved(scheme=scheme, approved_at=step.finished_at, department=step.department)


@dataclass(frozen=True)
class ListingAttachment:
    """出让公告附件 of a parcel: the approved 设计方案 of a 拿地即开工 case on it, with its files."""

    case_no: str
    application_id: int
    approved: Approved
    files: list[Attachment]


def listing_attachments(session: Session, parcel_id: int) -> list[ListingAttachment]:
    """The approved schemes a parcel's listing carries (cases on it not refused or lost), newest case first."""
    stmt = (select(Application).join(Project, col(Project.id) == Application.project_id)
            .where(col(Project.parcel_id) == parcel_id, col(Application.process_key) == PROCESS_KEY,
                   col(Application.status).not_in([ApplicationStatus.rejected, ApplicationStatus.lost]))
            .order_by(col(Application.id).desc()))
    found = []
    for application in session.exec(stmt):
        approved_scheme = approved(session, stored_id(application))
        if approved_scheme is not None:
            found.append(ListingAttachment(application.case_no, stored_id(application), approved_scheme,
                                           files_of(session, approved_scheme.scheme)))
    return found
