"""Signed filings: every issued PDF carries the issuer's PAdES signature, validated here with pyHanko itself
against the installation's trust root (the generated demo CA); a flipped byte and an appended incremental
update that changes the page are found; the demo CA is generated once when several processes start at once;
a revoked document is revoked once. Real WeasyPrint, pyHanko, file store and database — no mocks."""

import asyncio
import hashlib
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from pathlib import Path

import pytest
from asn1crypto import keys, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.timestamps import DummyTimeStamper
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from services.core import file_store
from services.core.settings import get_settings
from services.documents import authenticity, render_pdf, revocation, signing, signing_keys
from services.documents.signing import SignatureState
from services.models import Role
from tests import factories
from tests.document_samples import SAMPLES

REPO = Path(__file__).resolve().parents[2]


def _validated(embedded, context):
    """pyHanko's synchronous validation runs ``asyncio.run``, which cannot run where an event loop is already
    running (the browser tests' Playwright keeps one in the main thread): run it in a thread of its own, as
    ``services.documents.signing`` does."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(validate_pdf_signature, embedded, context).result()


def _stored_pdf(session, document) -> bytes:
    data = file_store.store(session, "documents").get(document.pdf_path)
    assert data is not None
    return data


def test_an_issued_pdf_is_signed_by_the_issuer_and_validates_against_the_demo_ca(session):
    document = factories.issued_document(session)
    pdf = _stored_pdf(session, document)
    assert hashlib.sha256(pdf).hexdigest() == document.pdf_sha256  # the stored hash is of the signed bytes

    signatures = PdfFileReader(BytesIO(pdf)).embedded_signatures
    assert [s.field_name for s in signatures] == [f"签章-{get_settings().issuer_name}"]
    roots = list(signing_keys.identity().trust_roots)
    status = _validated(signatures[0], ValidationContext(trust_roots=roots, allow_fetching=False))
    assert status.intact and status.valid and status.trusted and status.bottom_line
    assert status.coverage is SignatureCoverageLevel.ENTIRE_FILE
    assert status.signing_cert.subject.native["common_name"] == get_settings().issuer_name
    assert status.signing_cert.subject.native["organizational_unit_name"] == "演示证书，不具法律效力"
    assert "演示证书，不具法律效力" in str(signatures[0].sig_object["/Reason"])

    verdict = signing.check(pdf)
    assert verdict.valid and verdict.demo
    assert get_settings().issuer_name in verdict.signer
    assert "绿色通道演示根证书" in verdict.trust_root
    assert authenticity.stored_signature(session, document) == verdict


def test_a_flipped_byte_breaks_the_signature(session):
    pdf = _stored_pdf(session, factories.issued_document(session))
    start = pdf.index(b"stream") + 20  # inside the first content stream, covered by the signature
    altered = pdf[:start] + bytes([pdf[start] ^ 0x01]) + pdf[start + 1:]
    verdict = signing.check(altered)
    assert verdict.state is SignatureState.altered
    assert verdict.message == "文件在签章后被修改，电子签章已失效"
    upload = authenticity.check_upload(session, altered)
    assert not upload.genuine and "签章后被修改" in upload.reason


def test_an_incremental_update_that_changes_the_page_is_found(session):
    """The signed bytes stay intact; what is appended after them draws on the page. pyHanko's own difference
    analysis calls it a modification the certification forbids, and the check calls the file altered."""
    pdf = _stored_pdf(session, factories.issued_document(session))
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    overlay = writer.add_object(generic.StreamObject(stream_data=b"q 1 0 0 RG 50 50 200 200 re S Q"))
    writer.add_stream_to_page(0, overlay)
    out = BytesIO()
    writer.write(out)
    changed = out.getvalue()
    assert changed.startswith(pdf)

    embedded = PdfFileReader(BytesIO(changed)).embedded_signatures[0]
    roots = list(signing_keys.identity().trust_roots)
    status = _validated(embedded, ValidationContext(trust_roots=roots, allow_fetching=False))
    assert status.intact and status.valid  # the signed revision itself is untouched ...
    assert not status.bottom_line and not status.docmdp_ok  # ... but the page changed after certification
    assert signing.check(changed).state is SignatureState.altered
    assert not authenticity.check_upload(session, changed).genuine


def test_files_that_are_not_signed_pdfs_get_a_reason(session):
    assert signing.check(b"").state is SignatureState.not_pdf
    assert signing.check(b"%PDF-1.7\nnot really").state is SignatureState.not_pdf
    assert signing.check(b"\x89PNG\r\n\x1a\n").message == "文件不是有效的PDF"
    document = factories.issued_document(session)
    pdf = _stored_pdf(session, document)
    verdict = authenticity.check_upload(session, pdf)
    assert verdict.genuine and verdict.document is not None and verdict.document.id == document.id


def test_the_demo_ca_is_generated_once_when_processes_start_together(tmp_path):
    """Six processes ask for the demo CA of a new data folder at the same instant: one set is written, every
    process loads that one, and no half-written staging folder is left behind."""
    start = time.time() + 2.0
    script = ("import sys, time; from pathlib import Path; from services.documents.signing_keys import demo_folder;"
              f"time.sleep(max(0, {start} - time.time()));"
              "folder = demo_folder(Path(sys.argv[1]), '并发测试服务中心');"
              "print(folder, (folder / 'demo-ca.pem').read_bytes().hex()[-64:])")
    procs = [subprocess.Popen([sys.executable, "-c", script, str(tmp_path)], cwd=REPO, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(6)]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err for _, err in outputs]
    assert len({out.strip() for out, _ in outputs}) == 1
    folders = list((tmp_path / "signing").iterdir())
    assert len(folders) == 1 and not folders[0].name.startswith(".")
    assert sorted(f.name for f in folders[0].iterdir()) == ["demo-ca.pem", "signer-key.pem", "signer.pem"]
    assert (folders[0] / "signer-key.pem").stat().st_mode & 0o077 == 0


def test_a_supervisor_revokes_a_document_once_with_a_reason(session):
    document = factories.issued_document(session)
    supervisor = factories.demo_user(session, "supervisor")
    with pytest.raises(revocation.RevocationError) as refused:
        revocation.revoke(session, factories.user(session, Role.reviewer), document.id, "测试")
    assert refused.value.status == 403
    with pytest.raises(revocation.RevocationError):
        revocation.revoke(session, supervisor, document.id, "   ")
    revoked = revocation.revoke(session, supervisor, document.id, "文书内容有误，\n已重新出具")
    assert revoked.revoked_at is not None and revoked.revocation_reason == "文书内容有误， 已重新出具"
    with pytest.raises(revocation.RevocationError) as again:
        revocation.revoke(session, supervisor, document.id, "再次作废")
    assert again.value.status == 409
    session.flush()
    # the files and hashes stay as issued: the verdict on the upload finds it, and it is revoked
    verdict = authenticity.check_upload(session, _stored_pdf(session, revoked))
    assert verdict.document is not None and verdict.document.revoked_at == revoked.revoked_at


def test_an_organisations_own_pkcs12_certificate_signs_and_is_trusted_up_to_its_ca(tmp_path):
    """GC_SIGNING_PKCS12 (+ passphrase, + GC_SIGNING_TRUST_ROOT): a certificate from the organisation's own CA
    signs without the demo mark and validates up to that CA — and not against this installation's demo CA."""
    p12, ca_pem = _organisation_pkcs12(tmp_path, "某某市行政审批服务中心", b"s3cret")
    own = signing_keys.from_pkcs12(p12, "s3cret", str(ca_pem))
    assert not own.demo and own.subject == "某某市行政审批服务中心"
    pdf = render_pdf("acceptance_notice", SAMPLES["acceptance_notice"]())
    signed = signing.sign(pdf, own)
    reason = str(PdfFileReader(BytesIO(signed)).embedded_signatures[0].sig_object["/Reason"])
    assert "演示" not in reason
    verdict = signing.check(signed, own)
    assert verdict.valid and not verdict.demo and verdict.signer == "某某市行政审批服务中心"
    assert verdict.trust_root == "某某市电子认证测试CA"
    # the CA delivered inside the PKCS#12 is trusted when no separate root is named
    assert signing.check(signed, signing_keys.from_pkcs12(p12, "s3cret")).valid
    # signed by someone else's CA: intact, but not a document of this installation
    other = signing.check(signed)
    assert other.state is SignatureState.untrusted and "不是本系统签发的文书" in other.message
    with pytest.raises(signing_keys.SigningConfigError, match="口令错误"):
        signing_keys.from_pkcs12(p12, "wrong")


def _organisation_pkcs12(folder: Path, organisation: str, passphrase: bytes) -> tuple[Path, Path]:
    def name(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                          x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    def cert(subject: str, issuer: str, key, signer_key, ca: bool) -> x509.Certificate:
        usage = x509.KeyUsage(digital_signature=not ca, content_commitment=not ca, key_encipherment=False,
                              data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
                              encipher_only=False, decipher_only=False)
        return (x509.CertificateBuilder().subject_name(name(subject)).issuer_name(name(issuer))
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(datetime(2020, 1, 1, tzinfo=UTC)).not_valid_after(datetime(2060, 1, 1, tzinfo=UTC))
                .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
                .add_extension(usage, critical=True).sign(signer_key, hashes.SHA256()))

    ca_key, key = (rsa.generate_private_key(public_exponent=65537, key_size=2048) for _ in range(2))
    ca = cert("某某市电子认证测试CA", "某某市电子认证测试CA", ca_key, ca_key, True)
    own = cert(organisation, "某某市电子认证测试CA", key, ca_key, False)
    p12 = folder / "org.p12"
    p12.write_bytes(pkcs12.serialize_key_and_certificates(
        b"org", key, own, [ca], serialization.BestAvailableEncryption(passphrase)))
    ca_pem = folder / "ca.pem"
    ca_pem.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    return p12, ca_pem


def test_with_a_tsa_configured_the_signature_carries_its_rfc3161_timestamp(monkeypatch, tmp_path):
    """GC_SIGNING_TSA_URL: the signature asks that time-stamping service over HTTP (here one on 127.0.0.1
    answering with pyHanko's test TSA) and embeds its token; without the setting there is none."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (x509.CertificateBuilder().subject_name(_cn("测试时间戳服务")).issuer_name(_cn("测试时间戳服务"))
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(datetime(2020, 1, 1, tzinfo=UTC)).not_valid_after(datetime(2060, 1, 1, tzinfo=UTC))
            .add_extension(x509.ExtendedKeyUsage([x509.ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
            .sign(key, hashes.SHA256()))
    stamper = DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        tsa_key=keys.PrivateKeyInfo.load(key.private_bytes(serialization.Encoding.DER,
                                                           serialization.PrivateFormat.PKCS8,
                                                           serialization.NoEncryption())))
    asked: list[int] = []

    class Tsa(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            request = tsp.TimeStampReq.load(self.rfile.read(int(self.headers["Content-Length"])))
            asked.append(1)
            body = asyncio.run(stamper.async_request_tsa_response(request)).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Tsa)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    pdf = render_pdf("acceptance_notice", SAMPLES["acceptance_notice"]())
    try:
        monkeypatch.setenv("GC_SIGNING_TSA_URL", f"http://127.0.0.1:{server.server_address[1]}/tsa")
        get_settings.cache_clear()
        stamped = signing.sign(pdf)
    finally:
        server.shutdown()
        monkeypatch.delenv("GC_SIGNING_TSA_URL")
        get_settings.cache_clear()
    assert asked == [1]
    roots = list(signing_keys.identity().trust_roots)
    status = _validated(PdfFileReader(BytesIO(stamped)).embedded_signatures[0],
                                    ValidationContext(trust_roots=roots, allow_fetching=False))
    assert status.timestamp_validity is not None and status.timestamp_validity.intact
    assert signing.check(stamped).valid
    unstamped = _validated(PdfFileReader(BytesIO(signing.sign(pdf))).embedded_signatures[0],
                                       ValidationContext(trust_roots=roots, allow_fetching=False))
    assert unstamped.timestamp_validity is None


def _cn(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def test_documents_signed_before_the_issuer_was_renamed_stay_verifiable(monkeypatch, tmp_path):
    """A new GC_ISSUER_NAME gets its own demo certificate; the earlier demo CAs of the data folder stay trusted."""
    pdf = render_pdf("acceptance_notice", SAMPLES["acceptance_notice"]())
    monkeypatch.setenv("GC_DATA_DIR", str(tmp_path))
    try:
        signed = {}
        for name in ("旧名称服务中心", "新名称服务中心"):
            monkeypatch.setenv("GC_ISSUER_NAME", name)
            get_settings.cache_clear()
            signed[name] = signing.sign(pdf)
        assert len(list((tmp_path / "signing").iterdir())) == 2
        assert [signing.check(signed[n]).signer.split(" / ")[0] for n in signed] == list(signed)
        assert all(signing.check(s).valid and signing.check(s).demo for s in signed.values())
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
