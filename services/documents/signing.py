"""PAdES signatures on issued PDFs (pyHanko), and their check for the public 文书查验 page.

``sign(pdf)`` adds one certification signature (PAdES baseline, SHA-256, no changes permitted afterwards) in
an invisible signature field named after the issuer, with the issuer as location; a demo certificate says
演示证书，不具法律效力 as the signature's reason. With ``GC_SIGNING_TSA_URL`` set, an RFC 3161 timestamp from
that service is embedded (a network call at every issue; off by default).

``check(pdf)`` answers, for any bytes someone hands in, whether they are a PDF whose signature is intact,
covers the whole file and chains to this installation's trust root — in words a person reads (Chinese).
It never raises on bad input: a file that is not a PDF is a verdict too. It does not look documents up
(``services.documents.verification`` does).
"""

import asyncio
import logging
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from io import BytesIO
from typing import Any, TypeVar

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.timestamps.requests_client import HTTPTimeStamper
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from services.core.settings import get_settings
from services.documents.signing_keys import DEMO_MARK, SigningIdentity, identity, subject_name

log = logging.getLogger(__name__)
T = TypeVar("T")


class SignatureState(StrEnum):
    valid = "valid"  # intact, covers the whole file, chains to our trust root
    altered = "altered"  # a signature is there, but the bytes changed after signing
    untrusted = "untrusted"  # intact, but not by a certificate of this installation
    unsigned = "unsigned"
    not_pdf = "not_pdf"


MESSAGES = {
    SignatureState.valid: "电子签章有效：文件自签章后未被修改",
    SignatureState.altered: "文件在签章后被修改，电子签章已失效",
    SignatureState.untrusted: "电子签章不是本系统的签章证书所签，不是本系统签发的文书",
    SignatureState.unsigned: "文件没有电子签章，不是本系统签发的文书",
    SignatureState.not_pdf: "文件不是有效的PDF",
}


@dataclass(frozen=True)
class SignatureCheck:
    state: SignatureState
    signer: str = ""  # subject of the signing certificate
    trust_root: str = ""  # the CA it chains to
    demo: bool = False  # signed with the generated demo certificate
    signed_at: datetime | None = None

    @property
    def valid(self) -> bool:
        return self.state is SignatureState.valid

    @property
    def message(self) -> str:
        return MESSAGES[self.state] + (f"（{DEMO_MARK}）" if self.valid and self.demo else "")


def field_name() -> str:
    return f"签章-{get_settings().issuer_name}"


def sign(pdf: bytes, ident: SigningIdentity | None = None) -> bytes:
    """The PDF with the issuer's certification signature appended as an incremental update (``ident``: the
    installation's own, from settings, unless given)."""
    settings, ident = get_settings(), ident or identity()
    meta = signers.PdfSignatureMetadata(
        field_name=field_name(), md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES,
        certify=True, docmdp_permissions=fields.MDPPerm.NO_CHANGES, location=settings.issuer_name,
        reason=f"{settings.issuer_name}签发（{DEMO_MARK}）" if ident.demo else f"{settings.issuer_name}签发",
        name=ident.subject)
    # the requests client: pyHanko's default (aiohttp) one wants a client session bound to one event loop
    timestamper = HTTPTimeStamper(settings.signing_tsa_url, timeout=10) if settings.signing_tsa_url else None
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    out = _run(signers.async_sign_pdf(writer, meta, signer=ident.signer, timestamper=timestamper,
                                      bytes_reserved=_reserved(ident.signer, timestamped=timestamper is not None)))
    return out.getvalue()


def _reserved(signer: signers.SimpleSigner, *, timestamped: bool) -> int:
    """Room for the signature container: its certificates, the signature and attributes, a timestamp token.
    Said up front, because pyHanko otherwise signs once more only to measure (half the time of a signature)."""
    own = signer.signing_cert
    certs = sum(len(c.dump()) for c in signer.cert_registry) + (len(own.dump()) if own is not None else 0)
    return -(-certs // 1024) * 1024 + 4096 + (8192 if timestamped else 0)  # pyHanko wants an even count


def check(pdf: bytes, ident: SigningIdentity | None = None) -> SignatureCheck:
    """The verdict on the first signature of ``pdf`` against this installation's trust root (or ``ident``'s)."""
    try:
        reader = PdfFileReader(BytesIO(pdf), strict=False)
        embedded = reader.embedded_signatures
    except Exception:  # any bytes may come in; whatever the parser chokes on is "not a PDF"
        return SignatureCheck(SignatureState.not_pdf)
    if not embedded:
        return SignatureCheck(SignatureState.unsigned)
    ident = ident or identity()
    context = ValidationContext(trust_roots=list(ident.trust_roots), allow_fetching=False)
    try:
        status = _run(async_validate_pdf_signature(embedded[0], signer_validation_context=context))
    except Exception:  # a malformed signature is a broken one, not a server error
        log.info("signature could not be validated", exc_info=True)
        return SignatureCheck(SignatureState.altered)
    signer = subject_name(status.signing_cert)
    whole = status.coverage is SignatureCoverageLevel.ENTIRE_FILE and len(embedded) == 1
    if not (status.intact and status.valid and whole):
        return SignatureCheck(SignatureState.altered, signer=signer)
    if not status.trusted:
        return SignatureCheck(SignatureState.untrusted, signer=signer)
    root = subject_name(status.validation_path[0]) if status.validation_path else ""
    anchor = status.validation_path[0] if status.validation_path else None
    demo = ident.demo and anchor is not None and any(anchor.dump() == r.dump() for r in ident.trust_roots)
    return SignatureCheck(SignatureState.valid, signer=signer, trust_root=root, demo=demo,
                          signed_at=status.signer_reported_dt)


def _run(coro: Coroutine[Any, Any, T]) -> T:
    """Run pyHanko's coroutine to its end from synchronous code, inside an event loop or not."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()
