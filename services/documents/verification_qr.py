"""扫码查验: the QR code printed in the bottom corner opposite the 页码 on every page of an issued document (bottom left
of odd pages, bottom right of even ones), opening the public 文书查验 page for it.

The code holds ``{GC_PUBLIC_BASE_URL}/verify?code={查验码}``; whoever holds a printed copy scans it and sees
whether the document was issued by the platform, without typing the code. The same image goes into the PDF
(inline SVG) and the DOCX (PNG). segno writes both, deterministically (same code, same bytes).
"""

import io
from urllib.parse import quote

import segno

from services.core.settings import get_settings

CAPTION = "扫码查验"


def verify_url(code: str) -> str:
    return f"{get_settings().public_base_url.rstrip('/')}/verify?code={quote(code)}"


def svg(code: str) -> str:
    """The QR code as inline SVG for the PDF (20 mm square in the page's margin: see base.css ``.qr-verify``)."""
    return segno.make(verify_url(code), error="m").svg_inline(scale=4, border=4, title=f"文书查验二维码 {code}")


def png(code: str) -> bytes:
    """The QR code as PNG for the DOCX."""
    out = io.BytesIO()
    segno.make(verify_url(code), error="m").save(out, kind="png", scale=8, border=4)
    return out.getvalue()
