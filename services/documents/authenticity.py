"""Is this an unaltered document issued here? — the answers the public 文书查验 page gives.

Two questions: for a document found by its 查验码, is the PDF we keep still signed and intact
(``stored_signature``); for a file a person uploads, is it byte for byte one we issued (``check_upload``: the
sha256 of the bytes finds the document), and if not, why not — its signature tells whether it was altered after
signing, signed by someone else, not signed at all, or is not a PDF. A revoked (作废) document is found like
any other; the page says 已作废 from ``Document.revoked_at``. Nothing here writes.
"""

import hashlib
from dataclasses import dataclass

from sqlmodel import Session, select

from services.core import file_store
from services.documents.models import Document
from services.documents.signing import SignatureCheck, SignatureState, check

NOT_ISSUED_HERE = "不是本系统签发的文书"


@dataclass(frozen=True)
class UploadVerdict:
    sha256: str
    document: Document | None  # the issued document these exact bytes are
    signature: SignatureCheck

    @property
    def genuine(self) -> bool:
        return self.document is not None

    @property
    def reason(self) -> str:
        """Why the file is refused, in Chinese (empty when it is a document we issued)."""
        if self.document is not None:
            return ""
        state = self.signature.state
        if state is SignatureState.valid:  # our signature, whole file, yet not a stored hash
            return f"文件签章有效，但与本系统存档的文书不一致，{NOT_ISSUED_HERE}"
        return self.signature.message


def stored_signature(session: Session, document: Document) -> SignatureCheck | None:
    """The signature check of the PDF kept for ``document``; None when the file is missing from the store."""
    data = file_store.store(session, "documents").get(document.pdf_path)
    if data is None:
        return None
    if hashlib.sha256(data).hexdigest() != document.pdf_sha256:
        return SignatureCheck(SignatureState.altered)  # the kept file is not the one issued
    return check(data)


def check_upload(session: Session, data: bytes) -> UploadVerdict:
    digest = hashlib.sha256(data).hexdigest()
    document = session.exec(select(Document).where(Document.pdf_sha256 == digest)).first()
    return UploadVerdict(sha256=digest, document=document, signature=check(data))
