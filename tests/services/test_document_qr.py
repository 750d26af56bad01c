"""扫码查验: every document kind prints, at its end, a QR code that opens the public 文书查验 page for that
document — read back here from the printed page (PDF → PNG with pdftoppm) and from the DOCX's image with OpenCV's
QR decoder, as a phone would read them."""

import io
import subprocess
import zipfile
from urllib.parse import parse_qs, urlparse

import cv2
import numpy as np
import pytest

from services.core.settings import get_settings
from services.documents import render_docx, render_pdf
from tests.document_files import needs_poppler
from tests.document_samples import SAMPLES


def _decoded(image: np.ndarray) -> str:
    text, _, _ = cv2.QRCodeDetector().detectAndDecode(image)
    return text


def _last_page_png(pdf: bytes, tmp_path) -> np.ndarray:
    (tmp_path / "doc.pdf").write_bytes(pdf)
    pages = int(next(line.split()[-1] for line in subprocess.run(
        ["pdfinfo", str(tmp_path / "doc.pdf")], capture_output=True, text=True, check=True).stdout.splitlines()
        if line.startswith("Pages:")))
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", str(pages), "-l", str(pages), "-singlefile",
                    str(tmp_path / "doc.pdf"), str(tmp_path / "last")], check=True)
    return cv2.imread(str(tmp_path / "last.png"))


@needs_poppler
@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_the_printed_qr_code_opens_the_verification_page_of_that_document(kind, tmp_path):
    ctx = SAMPLES[kind]()
    expected = f"{get_settings().public_base_url.rstrip('/')}/verify?code={ctx['verification_code']}"
    assert _decoded(_last_page_png(render_pdf(kind, ctx), tmp_path)) == expected

    with zipfile.ZipFile(io.BytesIO(render_docx(kind, ctx))) as docx:
        images = [name for name in docx.namelist() if name.startswith("word/media/")]
        decoded = [_decoded(cv2.imdecode(np.frombuffer(docx.read(name), np.uint8), cv2.IMREAD_COLOR))
                   for name in images]
    assert expected in decoded
    assert parse_qs(urlparse(expected).query)["code"] == [ctx["verification_code"]]

