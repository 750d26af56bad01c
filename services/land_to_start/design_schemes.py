"""设计方案 upload for 拿地即开工 (带设计方案出让): the enterprise (or its agent) hands in the scheme for
设计方案预审 as numbered versions — 第1版, 第2版 … — each one upload set of files with their hashes and time.

Every file is checked (name, size, what its content really is: ``services.core.uploads.check_file``) before
any is stored, so a refused set writes nothing; files may also be chosen from the enterprise's 材料库.
The version number is allocated with the case row locked (no gaps, no two 第2版), and the same
idempotency key returns the version written the first time (a double click uploads once).
Which version a decision is about is ``design_scheme_decisions``.
"""

import hashlib
from dataclasses import dataclass, field

from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from services.agency import service as agency
from services.cases.human_actions import ActionError
from services.core import audit, clock, file_kinds, text, uploads
from services.core.ids import stored_id
from services.land_to_start.design_scheme_decisions import (
    PROCESS_KEY,
    PURPOSE,
    DesignSchemeError,
    decided,
    files_of,
    versions,
)
from services.land_to_start.design_scheme_models import DesignScheme, DesignSchemeDecision
from services.models import Application, ApplicationStatus, Attachment, StepAction, User

MAX_FILES = 20
FILES, REUSE = "files", "reuse_ids"
ENDED = (ApplicationStatus.rejected, ApplicationStatus.lost, ApplicationStatus.started, ApplicationStatus.permitted)
SUPPORTED = f"设计方案文件须为{file_kinds.SUPPORTED}（CAD 图纸请转为 PDF 或打包为 ZIP）"


@dataclass(frozen=True)
class UploadedFile:
    filename: str
    content_type: str
    data: bytes


@dataclass
class VersionView:
    """One version as pages and the API show it: files, and the decisions made on it."""

    scheme: DesignScheme
    files: list[Attachment]
    decisions: list[StepAction] = field(default_factory=list)


def upload(session: Session, user: User, application: Application, files: list[UploadedFile],
           reuse_ids: list[int], idempotency_key: str) -> tuple[DesignScheme, bool]:
    """Write the next version (or return the one this key wrote); ``(version, created)``."""
    try:
        text.check_key(idempotency_key)
    except text.TextError as error:
        raise DesignSchemeError("idempotency_key", error.message) from None
    existing = _by_key(session, stored_id(application), idempotency_key)
    if existing is not None:
        return existing, False
    _may_upload(session, user, application)
    checked = _checked_files(files)
    sources = _library_files(session, application, reuse_ids)
    if not checked and not sources:
        raise DesignSchemeError(FILES, "请选择要上传的设计方案文件，或从材料库中选用")
    if len(checked) + len(sources) > MAX_FILES:
        raise DesignSchemeError(FILES, f"设计方案每版最多{MAX_FILES}个文件，请合并或打包后上传")
    _lock_case(session, stored_id(application))
    existing = _by_key(session, stored_id(application), idempotency_key)  # a twin request won the lock
    if existing is not None:
        return existing, False
    try:
        with session.begin_nested():
            scheme = _write(session, user, application, checked, sources, idempotency_key)
    except IntegrityError:
        twin = _by_key(session, stored_id(application), idempotency_key)
        if twin is None:
            raise
        return twin, False
    audit.record(session, "design_scheme.uploaded", actor=user, entity="design_scheme", entity_id=stored_id(scheme),
                 application_id=application.id, on_behalf_of_enterprise_id=application.enterprise_id,
                 detail={"version": scheme.version, "digest": scheme.digest,
                         "files": [{"filename": a.filename, "sha256": a.sha256} for a in files_of(session, scheme)]})
    return scheme, True


def version_views(session: Session, application_id: int) -> list[VersionView]:
    """Every version, oldest first, with the decisions bound to it."""
    views = [VersionView(s, files_of(session, s)) for s in versions(session, application_id)]
    by_id = {v.scheme.id: v for v in views}
    stmt = (select(StepAction, DesignSchemeDecision.design_scheme_id)
            .join(DesignSchemeDecision, col(DesignSchemeDecision.action_id) == col(StepAction.id))
            .where(col(StepAction.application_id) == application_id).order_by(col(StepAction.id)))
    for action, scheme_id in session.exec(stmt):
        by_id[scheme_id].decisions.append(action)
    return views


def version_of_action(session: Session, action_id: int | None) -> DesignScheme | None:
    return decided(session, action_id)


def _may_upload(session: Session, user: User, application: Application) -> None:
    if application.process_key != PROCESS_KEY:
        raise DesignSchemeError(FILES, "只有拿地即开工案件需要上传设计方案")
    if not agency.may_act_for(session, user, application):
        raise DesignSchemeError(FILES, "只有申请企业或受托的代办专员可以上传设计方案")
    if application.status in ENDED:
        raise DesignSchemeError(FILES, "本案件已办结或已关闭，不能再上传设计方案")


def _checked_files(files: list[UploadedFile]) -> list[tuple[str, bytes]]:
    checked = []
    for upload in files:
        if text.problem(upload.filename):
            raise DesignSchemeError(FILES, "设计方案文件的文件名含有不可见的控制字符，请重命名后重新上传")
        if file_kinds.kind_of_name(upload.filename.strip()) is None:
            raise DesignSchemeError(FILES, f"设计方案文件“{upload.filename.strip()[:100]}”格式不支持：{SUPPORTED}")
        try:
            name, _kind = uploads.check_file(upload.filename, upload.data, FILES)
        except ActionError as error:
            raise DesignSchemeError(FILES, f"设计方案文件：{error.message}") from None
        checked.append((name, upload.data))
    return checked


def _library_files(session: Session, application: Application, reuse_ids: list[int]) -> list[Attachment]:
    """材料库: files the same enterprise uploaded before, for any of its cases (shared, not copied)."""
    found = []
    for source_id in dict.fromkeys(reuse_ids):
        source = session.get(Attachment, source_id)
        owner = session.get(Application, source.application_id) if source else None
        if source is None or owner is None or owner.enterprise_id != application.enterprise_id:
            raise DesignSchemeError(REUSE, "所选材料不在本企业的材料库中，请重新选择")
        found.append(source)
    return found


def _lock_case(session: Session, application_id: int) -> None:
    """Take the case row (a no-op update) so two uploads are numbered one after the other."""
    session.execute(update(Application).where(col(Application.id) == application_id)
                    .values(status=Application.status).execution_options(synchronize_session=False))


def _by_key(session: Session, application_id: int, key: str) -> DesignScheme | None:
    return session.exec(select(DesignScheme).where(col(DesignScheme.application_id) == application_id,
                                                   col(DesignScheme.idempotency_key) == key)).first()


def _write(session: Session, user: User, application: Application, checked: list[tuple[str, bytes]],
           sources: list[Attachment], key: str) -> DesignScheme:
    application_id, now = stored_id(application), clock.now()
    version = (session.exec(select(func.max(DesignScheme.version))
                            .where(col(DesignScheme.application_id) == application_id)).one() or 0) + 1
    rows, seen = [], set()
    for name, data in checked:
        digest, relative = uploads.store_checked(session, application, name, data)
        kind = file_kinds.kind_of_name(name)
        assert kind is not None, "checked files have a known kind"
        if digest not in seen:
            seen.add(digest)
            rows.append(Attachment(application_id=application_id, purpose=PURPOSE, item_index=version, filename=name,
                                   content_type=kind.media_type, size=len(data), sha256=digest, path=relative,
                                   uploaded_by_id=stored_id(user), uploaded_at=now))
    for source in sources:
        if source.sha256 not in seen:
            seen.add(source.sha256)
            rows.append(Attachment(application_id=application_id, purpose=PURPOSE, item_index=version,
                                   filename=source.filename, content_type=source.content_type, size=source.size,
                                   sha256=source.sha256, path=source.path, uploaded_by_id=stored_id(user),
                                   uploaded_at=now, reused_from_id=stored_id(source)))
    digest = hashlib.sha256("\n".join(r.sha256 for r in rows).encode()).hexdigest()
    scheme = DesignScheme(application_id=application_id, version=version, digest=digest, file_count=len(rows),
                          uploaded_by_id=stored_id(user), uploaded_at=now, idempotency_key=key)
    session.add(scheme)
    session.add_all(rows)
    session.flush()
    return scheme
