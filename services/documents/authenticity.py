"""Is this an unaltered document issued here? — the answers the public 文书查验 page gives.

Two questions: for a document found by its 查验码, is the PDF we keep still signed and intact
(``stored_signature``); for a file a person uploads, is it byte for byte one we issued (``check_upload``: the
sha256 of the bytes finds the document), and if not, why not — its signature tells whether it was altered after
signing, signed by someone else, not signed at all, or is not a PDF. A revoked (作废) document is found like
any other; the page says 已作废 from ``Document.revoked_at``. Nothing here writes.
"""

import hashlib
import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import unquote

from sqlmodel import Session, select

from services.core import file_store
from services.core.settings import get_settings
from services.documents.models import Document
from services.documents.signing import SignatureCheck, SignatureState, check

NOT_ISSUED_HERE = "不是本系统签发的文书"


class UploadRefused(Exception):
    """A file that cannot be checked at all: the message says why, ``status`` is the page's 4xx."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.message, self.status = message, status


@dataclass(frozen=True)
class UploadVerdict:
    filename: str
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


def check_upload_file(session: Session, filename: str, data: bytes) -> UploadVerdict:
    """The verdict on a file a person handed in; ``UploadRefused`` when it cannot be a PDF to check at all."""
    if any(unicodedata.category(ch) == "Cc" for ch in filename + unquote(filename)):  # browsers send %0A
        raise UploadRefused("文件名含有控制字符，请重命名文件后再上传")
    name = PurePosixPath(filename.replace("\\", "/")).name.strip()[:200]
    if not data:
        raise UploadRefused(f"“{name}”是空文件，请重新选择")
    limit = get_settings().max_upload_mb
    if len(data) > limit * 1024 * 1024:
        raise UploadRefused(f"“{name}”超过{limit}MB，未予查验", 413)
    if b"%PDF-" not in data[:1024]:
        raise UploadRefused(f"“{name}”不是PDF文件：文件不是有效的PDF，请上传本系统出具的PDF文书", 415)
    verdict = check_upload(session, data, filename=name)
    if verdict.document is None and verdict.signature.state is SignatureState.not_pdf:
        raise UploadRefused(f"“{name}”无法读取：文件不是有效的PDF")
    return verdict


def check_upload(session: Session, data: bytes, *, filename: str = "") -> UploadVerdict:
    digest = hashlib.sha256(data).hexdigest()
    document = session.exec(select(Document).where(Document.pdf_sha256 == digest)).first()
    return UploadVerdict(filename=filename, sha256=digest, document=document, signature=check(data))
