"""Material the applicant uploads for a 补正 request: checked, stored once, recorded.

Files are stored (``services.core.file_store``: ``GC_DATA_DIR/uploads/`` or the database) at
``<case no>/<sha256><suffix>``, so the same file uploaded twice is stored once, and a name from the browser
never becomes a path. A file is kept only when its content is what its extension says
(``services.core.file_kinds``: PDF, images, Office, OFD, ZIP without programs, archives that stay small
when expanded); the type we record and serve it with comes from that check — the browser's content type
is kept in the audit detail only, never trusted.
"""

import hashlib
from pathlib import PurePosixPath

from sqlmodel import Session, select

from services.agency import service as agency
from services.cases.human_actions import ActionError, pending_request
from services.core import audit, clock, file_kinds, file_store
from services.core.ids import stored_id
from services.core.settings import get_settings
from services.models import Application, Attachment, Step, StepAction, User

ALLOWED_SUFFIXES = set(file_kinds.BY_SUFFIX)
EXPANSION_FACTOR = 10  # an archive may expand to at most this many times the upload limit


def _open_item(session: Session, user: User, step: Step, item_index: int) -> tuple[Application, StepAction]:
    """The case and its open 补正 request, when ``user`` may hand in material for item ``item_index`` of it."""
    application = session.get_one(Application, step.application_id)
    if not agency.may_act_for(session, user, application):
        raise ActionError("files", "只有申请企业或受托的代办专员可以上传补正材料")
    request = pending_request(session, step)
    if request is None or request.applied_at is None:
        raise ActionError("files", "该环节当前没有待补正的材料")
    if not 0 <= item_index < len(request.items):
        raise ActionError("files", "请选择要补正的材料项")
    return application, request


def save_attachment(session: Session, user: User, step: Step, item_index: int, filename: str,
                    content_type: str, data: bytes) -> Attachment:
    """Store one file for item ``item_index`` of the step's open 补正 request."""
    application, request = _open_item(session, user, step, item_index)
    name, digest, relative, kind = _store(session, application, filename, data, f"file_{item_index}")
    attachment = Attachment(application_id=stored_id(application), request_action_id=request.id,
                            item_index=item_index, filename=name, content_type=kind.media_type, size=len(data),
                            sha256=digest, path=relative, uploaded_by_id=stored_id(user), uploaded_at=clock.now())
    session.add(attachment)
    session.flush()
    audit.record(session, "attachment.uploaded", actor=user, entity="attachment", entity_id=stored_id(attachment),
                 application_id=application.id, on_behalf_of_enterprise_id=application.enterprise_id,
                 detail={"item": request.items[item_index]["name"], "filename": name, "sha256": digest,
                         "size": len(data), "kind": kind.key, "claimed_type": content_type[:128]})
    return attachment


def reuse_attachment(session: Session, user: User, step: Step, item_index: int, source_id: int) -> Attachment:
    """材料库 (一次提交、多次复用): hand in, for item ``item_index``, a file the same enterprise uploaded before (for
    any of its cases); the stored file is shared, not copied, and its sha256 says which version it is. The same
    file chosen twice for one item is kept once."""
    application, request = _open_item(session, user, step, item_index)
    source = session.get(Attachment, source_id)
    owner = session.get(Application, source.application_id) if source else None
    if source is None or owner is None or owner.enterprise_id != application.enterprise_id:
        raise ActionError("files", "所选材料不在本企业的材料库中，请重新选择")
    existing = session.exec(select(Attachment).where(
        Attachment.request_action_id == request.id, Attachment.item_index == item_index,
        Attachment.sha256 == source.sha256)).first()
    if existing is not None:
        return existing
    attachment = Attachment(application_id=stored_id(application), request_action_id=request.id,
                            item_index=item_index, filename=source.filename, content_type=source.content_type,
                            size=source.size, sha256=source.sha256, path=source.path, uploaded_by_id=stored_id(user),
                            uploaded_at=clock.now(), reused_from_id=stored_id(source))
    session.add(attachment)
    session.flush()
    audit.record(session, "attachment.reused", actor=user, entity="attachment", entity_id=stored_id(attachment),
                 application_id=application.id, on_behalf_of_enterprise_id=application.enterprise_id,
                 detail={"item": request.items[item_index]["name"], "filename": source.filename,
                         "sha256": source.sha256, "from_attachment": stored_id(source), "from_case": owner.case_no})
    return attachment


def save_application_file(session: Session, user: User, application: Application, purpose: str, filename: str,
                          content_type: str, data: bytes, field: str = "document") -> Attachment:
    """Store a file handed in with the application itself (e.g. the 环境影响报告表 on the normal route)."""
    name, digest, relative, kind = _store(session, application, filename, data, field)
    attachment = Attachment(application_id=stored_id(application), purpose=purpose, item_index=0, filename=name,
                            content_type=kind.media_type, size=len(data), sha256=digest, path=relative,
                            uploaded_by_id=stored_id(user), uploaded_at=clock.now())
    session.add(attachment)
    session.flush()
    audit.record(session, "attachment.uploaded", actor=user, entity="attachment", entity_id=stored_id(attachment),
                 application_id=application.id, on_behalf_of_enterprise_id=application.enterprise_id,
                 detail={"purpose": purpose, "filename": name, "sha256": digest, "size": len(data),
                         "kind": kind.key, "claimed_type": content_type[:128]})
    return attachment


def _store(session: Session, application: Application, filename: str, data: bytes,
           field: str) -> tuple[str, str, str, file_kinds.FileKind]:
    """Check the file (size, then what its content really is) and write it once under its sha256;
    returns (name, sha256, relative path, kind)."""
    name, kind = check_file(filename, data, field)
    digest, relative = store_checked(session, application, name, data)
    return name, digest, relative, kind


def check_file(filename: str, data: bytes, field: str) -> tuple[str, file_kinds.FileKind]:
    """The file's name (no folders) and kind, or ``ActionError`` for ``field``; writes nothing, so a caller
    taking several files can check them all before storing any."""
    name = PurePosixPath(filename.replace("\\", "/")).name.strip()[:200]
    suffix = PurePosixPath(name).suffix.lower()
    if not name or suffix not in ALLOWED_SUFFIXES:
        raise ActionError(field, f"文件格式不支持，请上传{file_kinds.SUPPORTED}")
    if not data:
        raise ActionError(field, f"“{name}”是空文件，请重新选择")
    limit = get_settings().max_upload_mb
    if len(data) > limit * 1024 * 1024:
        raise ActionError(field, f"“{name}”超过{limit}MB，请压缩或拆分后上传")
    try:
        kind = file_kinds.identify(name, data, max_expanded=EXPANSION_FACTOR * limit * 1024 * 1024)
    except file_kinds.FileRejected as rejected:
        raise ActionError(field, rejected.message) from None
    return name, kind


def store_checked(session: Session, application: Application, name: str, data: bytes) -> tuple[str, str]:
    """Write a file ``check_file`` accepted, once under its sha256; returns (sha256, relative path)."""
    digest = hashlib.sha256(data).hexdigest()
    relative = f"{application.case_no}/{digest}{PurePosixPath(name).suffix.lower()}"
    file_store.store(session, "uploads").put(relative, data)
    return digest, relative


def media_type(attachment: Attachment) -> str:
    """The content type we serve a stored file with: from the kind its extension names (checked against the
    content when it was uploaded), never the type the browser claimed."""
    kind = file_kinds.kind_of_name(attachment.path)
    return kind.media_type if kind else "application/octet-stream"
