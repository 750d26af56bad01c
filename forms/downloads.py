"""Document downloads, shared by pages and the API: visibility first, then the stored file, checked.

Every download hashes the file and compares it with the SHA-256 recorded when the document was issued;
a file altered (or lost) in the file store (data folder or database) is refused with 409 and an audit
event, never served. The bytes that were checked are the bytes sent (no second read of the file).
Responses are ``no-store``: a 文书 names the enterprise and its project and must not stay in shared caches.
"""

import hashlib
import logging
from urllib.parse import quote

from fastapi import HTTPException
from fastapi.responses import Response

from services.core import audit, file_store, visibility

log = logging.getLogger(__name__)
MEDIA = {"pdf": "application/pdf",
         "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
INTEGRITY_MESSAGE = "文书文件校验失败：存储的文件与出具时登记的摘要不一致，已停止下载。请联系服务中心核查。"


def document_response(session, user, document_id: int, fmt: str) -> Response:
    """Shared by pages and the API: visibility first, then the stored file if its hash still matches."""
    if fmt not in MEDIA:
        raise HTTPException(status_code=404, detail="不支持的文件格式")
    document = visibility.get_readable_document(session, user, document_id)
    if document is None:
        raise HTTPException(status_code=404, detail="未找到该文书，或您无权查看")
    path = document.pdf_path if fmt == "pdf" else document.docx_path
    expected = document.pdf_sha256 if fmt == "pdf" else document.docx_sha256
    try:
        content = file_store.store(session, "documents").get(path)
    except OSError:  # a file the data folder cannot read counts as lost
        content = None
    if content is None or hashlib.sha256(content).hexdigest() != expected:
        _refuse(session, user, document, fmt, "missing" if content is None else "sha256 mismatch")
    filename = f"{document.title}-{document.number}.{fmt}"
    return Response(content, media_type=MEDIA[fmt], headers={
        "Content-Disposition": f"attachment; filename*=utf-8''{quote(filename)}",
        "Cache-Control": "no-store"})


def _refuse(session, user, document, fmt: str, reason: str) -> None:
    log.error("document %s (%s, %s) failed its integrity check: %s", document.id, document.number, fmt, reason)
    audit.record(session, "document.integrity_failed", actor=user, entity="document", entity_id=document.id,
                 application_id=document.application_id, detail={"format": fmt, "reason": reason})
    session.commit()  # the request's transaction is rolled back on the error below; keep the audit event
    raise HTTPException(status_code=409, detail=INTEGRITY_MESSAGE)
