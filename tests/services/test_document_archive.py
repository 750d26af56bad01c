"""The archive copy (档案): every issued PDF is itself PDF/A-2b, and stays so after its signature.

No PDF/A validator can be installed here: veraPDF is a Java application published on Maven Central, which this
machine does not reach; Debian has no package of it, and PyPI's wrappers (pdfa-parser) fetch its jar from Maven
Central when run. So :func:`pdfa_problems` makes the structural checks a validator makes for ISO 19005-2 level B, on
pyHanko's parse of the file: the header, no encryption and a file identifier; the XMP packet (UTF-8, no
bytes/encoding attributes) naming part 2 / conformance B under the ``pdfaid`` prefix; an sRGB ICC output intent
(GTS_PDFA1); every font program embedded (poppler's ``pdffonts`` says so too); no JavaScript, launch actions,
embedded or external files, LZW, transfer functions, interpolated images, XFA or NeedAppearances; annotations
printable and not hidden, with appearances unless zero-sized; widgets without actions; and a signature whose byte
range covers the whole file but its /Contents. Every document kind is issued through the real path (numbering,
WeasyPrint, pyHanko, file store, database) and checked; the checks themselves are shown to fail a plain PDF and a
PDF that draws with an unembedded font.
"""

import re
import subprocess
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

import pytest
from asn1crypto import keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.timestamps import DummyTimeStamper

from services.core import file_store
from services.core.settings import get_settings
from services.documents import issue, render, render_pdf, signing
from tests import factories
from tests.document_files import needs_poppler
from tests.document_samples import SAMPLES

PDFAID = "http://www.aiim.org/pdfa/ns/id/"
FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")
EMBEDDABLE_FONTS = {"/Type1", "/MMType1", "/TrueType", "/CIDFontType0", "/CIDFontType2"}
FORBIDDEN_ACTIONS = {"/JavaScript", "/Launch", "/Sound", "/Movie", "/ResetForm", "/ImportData", "/Hide",
                     "/SetOCGState", "/Rendition", "/Trans", "/GoTo3DView"}
# annotation flags: Print must be set; Invisible, Hidden, NoView and ToggleNoView must not
PRINT, NOT_ALLOWED = 4, 1 | 2 | 32 | 256


def _objects(reader: PdfFileReader):
    """Every dictionary (streams included) reachable from the trailer of the file's last revision."""
    seen: set[tuple[int, int]] = set()
    stack: list = [reader.trailer_view]
    while stack:
        obj = stack.pop()
        if isinstance(obj, generic.IndirectObject):
            if (obj.idnum, obj.generation) in seen:
                continue
            seen.add((obj.idnum, obj.generation))
            obj = obj.get_object()
        if isinstance(obj, generic.DictionaryObject):
            yield obj
            stack.extend(obj.raw_get(key) for key in obj)
        elif isinstance(obj, generic.ArrayObject):
            stack.extend(obj.raw_get(ix) for ix in range(len(obj)))


def _xmp_problems(root) -> list[str]:
    meta = root.get("/Metadata")
    if meta is None:
        return ["no XMP metadata stream in the catalog"]
    meta = meta.get_object()
    if meta.get("/Type") != "/Metadata" or meta.get("/Subtype") != "/XML":
        return ["the metadata stream is not /Type /Metadata /Subtype /XML"]
    data = meta.data
    problems = []
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        problems.append("the XMP packet is not UTF-8")
    header = re.search(rb"<\?xpacket begin=[^>]*\?>", data)
    if header is None or b"bytes=" in header.group() or b"encoding=" in header.group():
        problems.append("the XMP packet header is missing or has bytes/encoding attributes")
    packet = re.search(rb"<x:xmpmeta.*</x:xmpmeta>", data, re.DOTALL)
    if packet is None:
        return [*problems, "no x:xmpmeta element in the XMP packet"]
    tree = etree.fromstring(packet.group())
    ns = {"pdfaid": PDFAID}
    part = tree.xpath("//@pdfaid:part | //pdfaid:part/text()", namespaces=ns)
    level = tree.xpath("//@pdfaid:conformance | //pdfaid:conformance/text()", namespaces=ns)
    if [str(p) for p in part] != ["2"] or [str(c) for c in level] != ["B"]:
        problems.append(f"XMP says PDF/A part {part} conformance {level}, not 2 / B")
    if b"pdfaid:part" not in data or b"pdfaid:conformance" not in data:
        problems.append("the PDF/A identification does not use the prefix pdfaid")
    return problems


def _output_intent_problems(root) -> list[str]:
    intents = [i.get_object() for i in root.get("/OutputIntents", [])]
    pdfa = [i for i in intents if i.get("/S") == "/GTS_PDFA1"]
    if len(pdfa) != 1:
        return [f"{len(pdfa)} GTS_PDFA1 output intents, not one"]
    profile = pdfa[0].get("/DestOutputProfile")
    if profile is None:
        return ["the output intent embeds no ICC profile"]
    icc = profile.get_object().data
    if len(icc) < 128 or icc[36:40] != b"acsp" or icc[16:20] != b"RGB " or icc[8] > 4:
        return ["the output intent's profile is not an RGB ICC profile of version 4 or earlier"]
    return []


def _dictionary_problems(obj) -> list[str]:
    problems = []
    if "/JS" in obj or "/JavaScript" in obj or obj.get("/S") in FORBIDDEN_ACTIONS:
        problems.append(f"a forbidden action or script: {obj.get('/S', '/JS')}")
    if "/EmbeddedFiles" in obj:
        problems.append("embedded files")
    if "/F" in obj and "/Length" in obj or "/FFilter" in obj or "/FDecodeParms" in obj:
        problems.append("a stream whose data lives in an external file")
    if obj.get("/Subtype") == "/Image" and ("/Alternates" in obj or "/OPI" in obj or obj.get("/Interpolate")):
        problems.append("an image with alternates, OPI or interpolation")
    if "/TR" in obj or "/HTP" in obj or obj.get("/TR2", "/Default") != "/Default":
        problems.append("a graphics state with a transfer function or halftone phase")
    if obj.get("/NeedAppearances") or "/XFA" in obj:
        problems.append("a form that needs appearances generated, or XFA")
    filters = obj.get("/Filter")
    if filters == "/LZWDecode" or (isinstance(filters, list) and "/LZWDecode" in filters):
        problems.append("an LZW-compressed stream")
    if obj.get("/Type") == "/Font" and obj.get("/Subtype") in EMBEDDABLE_FONTS:
        descriptor = obj.get("/FontDescriptor")
        if descriptor is None or not any(key in descriptor.get_object() for key in FONT_FILES):
            problems.append(f"font {obj.get('/BaseFont')} is not embedded")
    if obj.get("/Type") == "/Annot" or ("/Rect" in obj and "/Subtype" in obj and "/FT" in obj):
        flags, rect = int(obj.get("/F", 0)), [float(x) for x in obj.get("/Rect", [0, 0, 0, 0])]
        if obj.get("/Subtype") != "/Popup" and (not flags & PRINT or flags & NOT_ALLOWED):
            problems.append(f"annotation {obj.get('/Subtype')} is not printable or is hidden (F={flags})")
        zero = rect[0] == rect[2] and rect[1] == rect[3]
        if not zero and obj.get("/Subtype") not in ("/Popup", "/Link") and "/AP" not in obj:
            problems.append(f"annotation {obj.get('/Subtype')} has no appearance")
        if obj.get("/Subtype") == "/Widget" and ("/A" in obj or "/AA" in obj):
            problems.append("a widget annotation with actions")
    return problems


def _signature_problems(pdf: bytes, reader: PdfFileReader) -> list[str]:
    problems = []
    for embedded in reader.embedded_signatures:
        start, signed, resume, rest = (int(x) for x in embedded.sig_object["/ByteRange"])
        gap = pdf[signed:resume]
        if start != 0 or resume + rest != len(pdf) or not re.fullmatch(rb"<[0-9a-fA-F]*>", gap):
            problems.append("a signature's byte range does not cover the whole file but its /Contents")
    return problems


def pdfa_problems(pdf: bytes) -> list[str]:
    """What a PDF/A-2b validator would object to in ``pdf`` (its structural checks; empty: none found)."""
    problems = []
    if not re.match(rb"%PDF-1\.[0-7]\r?\n%[\x80-\xff]{4}", pdf):
        problems.append("the header is not %PDF-1.0 to 1.7 followed by a binary comment")
    reader = PdfFileReader(BytesIO(pdf), strict=False)
    trailer = reader.trailer_view
    if "/Encrypt" in trailer:
        problems.append("encrypted")
    if "/ID" not in trailer:
        problems.append("no file identifier in the trailer")
    root = reader.root
    if "/AA" in root:
        problems.append("additional actions in the catalog")
    problems += _xmp_problems(root) + _output_intent_problems(root)
    for obj in _objects(reader):
        problems += _dictionary_problems(obj)
    return problems + _signature_problems(pdf, reader)


def pdffonts_unembedded(pdf: bytes, tmp_path: Path) -> list[str]:
    """The fonts poppler's ``pdffonts`` lists as not embedded (``emb`` column)."""
    path = tmp_path / "archive.pdf"
    path.write_bytes(pdf)
    listing = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in listing.splitlines()[2:] if line.strip()]
    assert rows, listing  # every document has text, so at least one font
    return [row[0] for row in rows if row[-5] != "yes"]


def _stored_pdf(session, document) -> bytes:
    data = file_store.store(session, "documents").get(document.pdf_path)
    assert data is not None
    return data


@needs_poppler
@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_every_kind_is_issued_as_pdfa_2b_and_its_signature_keeps_it_so(session, kind, tmp_path):
    document = issue.issue_standalone(
        session, folder="archive-test", kind=kind, step_key="archive", issue_key=f"archive-{kind}",
        build_context=lambda number, issued_at: SAMPLES[kind](number=number))
    pdf = _stored_pdf(session, document)

    assert pdfa_problems(pdf) == []
    assert pdffonts_unembedded(pdf, tmp_path) == []
    assert signing.check(pdf).valid  # the archive copy is the signed filing itself
    assert len(PdfFileReader(BytesIO(pdf)).embedded_signatures) == 1

    # the signature is an incremental update: the file begins with the rendered PDF/A, which passes on its own
    rendered = render_pdf(kind, SAMPLES[kind](number=document.number, verification_code=document.verification_code))
    assert pdf.startswith(rendered)
    assert pdfa_problems(rendered) == []


def test_the_filing_of_an_accepted_case_is_pdfa(session):
    document = factories.issued_document(session)
    pdf = _stored_pdf(session, document)
    assert pdfa_problems(pdf) == []
    assert signing.check(pdf).valid


def test_rendering_pdfa_is_deterministic():
    ctx = SAMPLES["acceptance_notice"]()
    assert render_pdf("acceptance_notice", ctx) == render_pdf("acceptance_notice", ctx)


@needs_poppler
def test_the_checks_fail_a_plain_pdf_and_an_unembedded_font(tmp_path):
    """The checks have teeth: WeasyPrint's output without the PDF/A variant lacks the XMP identification and the
    output intent; a signed PDF/A file with a line of Helvetica appended (a font it does not embed) is caught by
    the checks and by pdffonts."""
    html = render.render_html("acceptance_notice", SAMPLES["acceptance_notice"]())
    plain = render.weasyprint.HTML(string=html, base_url=render.TEMPLATES_DIR.as_uri() + "/",
                                   url_fetcher=render.LocalOnlyFetcher(render.TEMPLATES_DIR)).write_pdf()
    problems = pdfa_problems(plain)
    assert "no XMP metadata stream in the catalog" in problems
    assert "0 GTS_PDFA1 output intents, not one" in problems

    signed = signing.sign(render_pdf("acceptance_notice", SAMPLES["acceptance_notice"]()))
    writer = IncrementalPdfFileWriter(BytesIO(signed))
    helvetica = writer.add_object(generic.DictionaryObject({
        generic.pdf_name("/Type"): generic.pdf_name("/Font"), generic.pdf_name("/Subtype"): generic.pdf_name("/Type1"),
        generic.pdf_name("/BaseFont"): generic.pdf_name("/Helvetica")}))
    text = writer.add_object(generic.StreamObject(stream_data=b"BT /FHelv 12 Tf 72 72 Td (copy) Tj ET"))
    writer.add_stream_to_page(0, text, resources=generic.DictionaryObject({
        generic.pdf_name("/Font"): generic.DictionaryObject({generic.pdf_name("/FHelv"): helvetica})}))
    out = BytesIO()
    writer.write(out)
    changed = out.getvalue()
    assert "font /Helvetica is not embedded" in pdfa_problems(changed)
    assert pdffonts_unembedded(changed, tmp_path) == ["Helvetica"]


def test_a_timestamped_signature_keeps_the_file_pdfa(monkeypatch):
    """With GC_SIGNING_TSA_URL the signature carries an RFC 3161 token (an unsigned attribute of its one
    SignerInfo); the file stays PDF/A-2b. pyHanko's test TSA answers in place of the HTTP client here
    (tests/services/test_document_signing.py asks one over HTTP)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "测试时间戳服务")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(datetime(2020, 1, 1, tzinfo=UTC))
            .not_valid_after(datetime(2060, 1, 1, tzinfo=UTC))
            .add_extension(x509.ExtendedKeyUsage([x509.ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
            .sign(key, hashes.SHA256()))
    stamper = DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        tsa_key=keys.PrivateKeyInfo.load(key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())))
    monkeypatch.setattr(signing, "HTTPTimeStamper", lambda url, timeout: stamper)
    monkeypatch.setenv("GC_SIGNING_TSA_URL", "http://127.0.0.1:9/tsa")
    get_settings.cache_clear()
    try:
        stamped = signing.sign(render_pdf("acceptance_notice", SAMPLES["acceptance_notice"]()))
    finally:
        monkeypatch.delenv("GC_SIGNING_TSA_URL")
        get_settings.cache_clear()
    signer_infos = PdfFileReader(BytesIO(stamped)).embedded_signatures[0].signed_data["signer_infos"]
    assert len(signer_infos) == 1
    assert [a["type"] for a in signer_infos[0]["unsigned_attrs"].native] == ["signature_time_stamp_token"]
    assert pdfa_problems(stamped) == []
    assert signing.check(stamped).valid
