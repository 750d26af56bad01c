"""Row visibility, decided here and nowhere else: pages, API and exports all use these queries.

An enterprise user sees its own enterprise's applications; staff (agents, department reviewers,
supervisors) see every application. Later issues narrow reviewers to their queue and agents to
their mandates — here, in one place.
"""

from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from services.models import Application, Document, Mandate, Role, User


def readable_applications(user: User) -> SelectOfScalar[Application]:
    stmt = select(Application)
    if user.role == Role.enterprise:
        stmt = stmt.where(Application.enterprise_id == (user.enterprise_id or -1))
    return stmt


def get_readable_application(session: Session, user: User, application_id: int) -> Application | None:
    return session.exec(readable_applications(user).where(Application.id == application_id)).first()


def readable_mandates(user: User) -> SelectOfScalar[Mandate]:
    """代办 mandates: an enterprise sees its own; staff see all."""
    stmt = select(Mandate)
    if user.role == Role.enterprise:
        stmt = stmt.where(Mandate.enterprise_id == (user.enterprise_id or -1))
    return stmt


def get_readable_mandate(session: Session, user: User, mandate_id: int) -> Mandate | None:
    return session.exec(readable_mandates(user).where(Mandate.id == mandate_id)).first()


def get_readable_document(session: Session, user: User, document_id: int) -> Document | None:
    visible_ids = readable_applications(user).with_only_columns(col(Application.id))
    visible_mandates = readable_mandates(user).with_only_columns(col(Mandate.id))
    stmt = select(Document).where(Document.id == document_id, col(Document.application_id).in_(visible_ids)
                                  | col(Document.mandate_id).in_(visible_mandates))
    return session.exec(stmt).first()
