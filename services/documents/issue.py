"""Issue a document: allocate its number, render PDF and DOCX from one context, sign the PDF (PAdES,
``services.documents.signing``), store both (``services.core.file_store``; with the database store, in the
caller's transaction).

Issuing is idempotent per (application, issue_key): a retried flow task gets the document that
was already issued, with the same number. The number is allocated in the caller's transaction,
so a failed issue returns it and numbers stay gapless.
"""

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, select

from services.core import audit, clock, file_store, numbering
from services.core.settings import get_settings
from services.documents import signing
from services.documents.registry import get_kind
from services.documents.render import render_docx, render_pdf
from services.models import Application, Document


def find(session: Session, application_id: int, issue_key: str) -> Document | None:
    stmt = select(Document).where(Document.application_id == application_id, Document.issue_key == issue_key)
    return session.exec(stmt).first()


def issue(
    session: Session, application: Application, *, kind: str, step_key: str, issue_key: str,
    build_context: Callable[[str, datetime], dict[str, Any]],
) -> Document:
    """Issue ``kind`` for the application once; ``build_context(number, issued_at)`` gives the content."""
    existing = find(session, application.id, issue_key)
    if existing:
        return existing
    return _issue(session, folder=application.case_no, owner={"application_id": application.id}, kind=kind,
                  step_key=step_key, issue_key=issue_key, build_context=build_context)


def find_for_mandate(session: Session, mandate_id: int, issue_key: str) -> Document | None:
    stmt = select(Document).where(Document.mandate_id == mandate_id, Document.issue_key == issue_key)
    return session.exec(stmt).first()


def issue_for_mandate(
    session: Session, mandate_id: int, *, kind: str, issue_key: str,
    build_context: Callable[[str, datetime], dict[str, Any]],
) -> Document:
    """Issue a 代办 mandate's document (委托书, 续办, 终止, 办结) once per ``issue_key``."""
    existing = find_for_mandate(session, mandate_id, issue_key)
    if existing:
        return existing
    return _issue(session, folder=f"mandate-{mandate_id}", owner={"mandate_id": mandate_id}, kind=kind,
                  step_key="mandate", issue_key=issue_key, build_context=build_context)


def issue_standalone(
    session: Session, *, folder: str, kind: str, step_key: str, issue_key: str,
    build_context: Callable[[str, datetime], dict[str, Any]],
) -> Document:
    """Issue a document that belongs to no case or mandate (a department's monthly 通报); the caller looks for
    an earlier one with the same ``issue_key`` first."""
    return _issue(session, folder=folder, owner={}, kind=kind, step_key=step_key, issue_key=issue_key,
                  build_context=build_context)


def _issue(session: Session, *, folder: str, owner: dict[str, int], kind: str, step_key: str, issue_key: str,
           build_context: Callable[[str, datetime], dict[str, Any]]) -> Document:
    settings = get_settings()
    issued_at = clock.now()
    serial = numbering.next_number(session, settings.issuer_short, kind, issued_at.year)
    spec = get_kind(kind)
    number = f"{settings.issuer_short}{spec.number_word}〔{issued_at.year}〕第{serial:04d}号"
    code = verification_code(number)
    context = build_context(number, issued_at) | {"verification_code": code}
    # the stored PDF and its hash are of the signed bytes: the 文书查验 page checks both
    pdf, docx = signing.sign(render_pdf(kind, context)), render_docx(kind, context)
    pdf_sha256, docx_sha256 = hashlib.sha256(pdf).hexdigest(), hashlib.sha256(docx).hexdigest()
    # the names carry the content's hash: a number given back by a rolled-back issue is issued again under
    # new names, never onto the files the failed attempt left in the data folder (the store refuses that)
    stem = f"{folder}/{kind}-{issued_at.year}-{serial:04d}"
    pdf_path, docx_path = f"{stem}-{pdf_sha256[:12]}.pdf", f"{stem}-{docx_sha256[:12]}.docx"
    files = file_store.store(session, "documents")
    files.put(pdf_path, pdf)
    files.put(docx_path, docx)
    document = Document(
        **owner, step_key=step_key, issue_key=issue_key, kind=kind, title=spec.title,
        number=number, verification_code=code, issued_at=issued_at, pdf_path=pdf_path, docx_path=docx_path,
        pdf_sha256=pdf_sha256, docx_sha256=docx_sha256, context=json.loads(json.dumps(context, default=_jsonable)))
    session.add(document)
    session.flush()
    audit.record(session, "document.issued", actor=None, actor_label="flow", entity="document",
                 entity_id=document.id, application_id=owner.get("application_id"),
                 detail={"kind": kind, "number": number, "pdf_sha256": document.pdf_sha256, **owner})
    return document


def verification_code(number: str) -> str:
    """查验码: derived from the number with the installation's secret, so it cannot be guessed from the
    number or the case, yet the same document always carries the same code."""
    digest = hmac.new(get_settings().effective_secret_key.encode(), number.encode(), hashlib.sha256).digest()
    text = base64.b32encode(digest).decode()[:12]
    return f"{text[:4]}-{text[4:8]}-{text[8:]}"


def verify(session: Session, code: str) -> Document | None:
    """The document carrying this 查验码, for the public check page (spaces and case ignored)."""
    clean = "".join(ch for ch in code.upper() if ch.isalnum())
    if len(clean) != 12:
        return None
    formatted = f"{clean[:4]}-{clean[4:8]}-{clean[8:]}"
    return session.exec(select(Document).where(Document.verification_code == formatted)).first()


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)
