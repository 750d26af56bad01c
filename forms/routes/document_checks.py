"""文书查验 (public) and 作废 (supervisors): the pages around an issued document's authenticity.

- ``GET /verify?code=…``: the document with that 查验码, whether the PDF we keep is still signed and intact and
  by whom, and whether it was revoked.
- ``POST /verify`` (multipart ``file``): a person hands in a PDF; the page says whether it is, byte for byte,
  a document issued here, or why not. Bad input (no file, empty, too large, not a PDF, a control character in
  the name) is a Chinese message with a 4xx status, never a 500.
- ``POST /documents/{id}/revoke``: a supervisor revokes a document with a reason (back to the case page).

Both public routes share the ``verify:`` rate limit per client address (``GC_VERIFY_PER_MINUTE``); the body
size is bounded before it is read by ``forms.upload_limit``. No rules here: ``services.documents.authenticity``
and ``services.documents.revocation`` decide.
"""

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse
from sqlmodel import Session
from starlette.datastructures import UploadFile

from forms.deps import PageUser, SessionDep, permit
from forms.params import Id
from forms.security import client_address, verify_csrf
from forms.web import page, posted_form
from services.core import rate_limits
from services.core.access import Action, Resource
from services.core.settings import get_settings
from services.documents import authenticity, revocation
from services.documents import issue as documents
from services.models import Application, Document, Enterprise, Mandate

router = APIRouter(include_in_schema=False)


@router.get("/verify")
def verify_document(request: Request, session: SessionDep, code: str = ""):
    """Public 文书查验: anyone holding a paper copy can check it was issued, without signing in.

    Lookups are limited per client address (``verify_per_minute``, counted in the database) so that
    查验码 cannot be guessed at speed; the empty form is not counted.
    """
    if code.strip() and (refused := _too_often(request, session)):
        return refused
    document = documents.verify(session, code) if code.strip() else None
    return page(request, "verify.html", code=code.strip()[:32], **_facts(session, document))


@router.post("/verify", dependencies=[Depends(verify_csrf)])
async def verify_upload(request: Request, session: SessionDep):
    """Upload-a-file 文书查验: is this PDF an unaltered document issued here?"""
    if refused := await run_in_threadpool(_too_often, request, session):
        return refused
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not (upload.filename or "").strip():
        return page(request, "verify.html", status_code=422, code="", upload_error="请选择要查验的PDF文件")
    data = await upload.read()
    try:
        verdict = await run_in_threadpool(authenticity.check_upload_file, session, upload.filename or "", data)
    except authenticity.UploadRefused as refusal:
        return page(request, "verify.html", status_code=refusal.status, code="", upload_error=refusal.message)
    facts = await run_in_threadpool(_facts, session, verdict.document)
    return page(request, "verify.html", code="", upload=verdict, uploaded_name=verdict.filename, **facts)


@router.post("/documents/{document_id}/revoke", dependencies=[Depends(verify_csrf)])
def revoke_document(session: SessionDep, user: PageUser, document_id: Id,
                    values: Annotated[dict[str, str], Depends(posted_form)]):
    permit(user, Resource.document, Action.manage, "只有督办管理员可以作废文书")
    try:
        document = revocation.revoke(session, user, document_id, values.get("reason", ""))
    except revocation.RevocationError as error:
        session.rollback()
        raise HTTPException(status_code=error.status, detail=error.message) from None
    session.commit()
    if document.application_id:
        return RedirectResponse(f"/applications/{document.application_id}#document-{document.id}", status_code=303)
    if document.mandate_id:
        return RedirectResponse(f"/mandates/{document.mandate_id}", status_code=303)
    return RedirectResponse(f"/verify?code={document.verification_code}", status_code=303)


def _too_often(request: Request, session: Session):
    verdict = rate_limits.claim(session.get_bind().engine, f"verify:{client_address(request)}",
                                limit=get_settings().verify_per_minute, window=timedelta(minutes=1))
    if verdict.allowed:
        return None
    response = page(request, "error.html", status_code=429, status=429,
                    message=f"查验过于频繁，请{verdict.retry_after_seconds}秒后再试")
    response.headers["Retry-After"] = str(verdict.retry_after_seconds)
    return response


def _facts(session: Session, document: Document | None) -> dict:
    """What the page shows of a document: its case or mandate, the enterprise, the kept PDF's signature."""
    if document is None:
        return {"document": None, "application": None, "enterprise": None, "signature": None}
    application = session.get(Application, document.application_id) if document.application_id else None
    mandate = session.get(Mandate, document.mandate_id) if document.mandate_id else None
    owner = application or mandate
    enterprise = session.get(Enterprise, owner.enterprise_id) if owner else None
    return {"document": document, "application": application, "enterprise": enterprise,
            "signature": authenticity.stored_signature(session, document)}
