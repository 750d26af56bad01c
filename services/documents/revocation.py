"""作废: a supervisor revokes an issued document with a reason; 文书查验 then says 已作废, when and why.

The document itself (its files, hashes, number) never changes — migration 0009's guard refuses that; only
``revoked_at`` and ``revocation_reason`` are set, once, by a guarded update (``WHERE revoked_at IS NULL``), so
two supervisors revoking at the same moment revoke it once. Every revocation is an audit event naming the
supervisor. There is no un-revoking: a document revoked by mistake is issued again.
"""

from sqlalchemy import update
from sqlmodel import Session, col

from services.core import audit, clock
from services.core.access import Action, Resource, allowed
from services.core.ids import stored_id
from services.documents.models import Document
from services.models import User

REASON_MAX = 500


class RevocationError(Exception):
    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.message, self.status = message, status


def may_revoke(user: User) -> bool:
    return allowed(user, Resource.document, Action.manage)


def revoke(session: Session, user: User, document_id: int, reason: str) -> Document:
    """Revoke the document (the caller commits); refused when not allowed, already revoked, or without reason."""
    if not may_revoke(user):
        raise RevocationError("只有督办管理员可以作废文书", 403)
    document = session.get(Document, document_id)
    if document is None:
        raise RevocationError("未找到该文书", 404)
    reason = " ".join(reason.split())
    if not reason:
        raise RevocationError("请填写作废原因")
    if len(reason) > REASON_MAX:
        raise RevocationError(f"作废原因不能超过{REASON_MAX}字")
    now = clock.now()
    claimed = session.exec(
        update(Document).where(col(Document.id) == document_id, col(Document.revoked_at).is_(None))
        .values(revoked_at=now, revocation_reason=reason)).rowcount
    if not claimed:
        raise RevocationError("该文书已作废", 409)
    session.refresh(document)
    audit.record(session, "document.revoked", actor=user, entity="document", entity_id=stored_id(document),
                 application_id=document.application_id,
                 detail={"number": document.number, "reason": reason, "mandate_id": document.mandate_id})
    return document
