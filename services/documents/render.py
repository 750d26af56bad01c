"""Render official documents to PDF (Jinja2 HTML → WeasyPrint) and DOCX (python-docx).

Both formats come from one view per document kind (``DocumentKind.view``: the context checked
against the kind's model, then laid out), so a PDF and a
DOCX rendered from the same context say the same thing. Rendering is offline and deterministic:

* the only resources WeasyPrint may load are files under ``templates/documents``, the Fandol font files and
  ``data:`` URIs (see :class:`LocalOnlyFetcher`; anything else stops the render); the faces are named by
  ``@font-face`` rules (:mod:`services.documents.fonts`, Debian ``texlive-lang-chinese``), not by fontconfig;
* PDF and DOCX dates (created/modified) come from the context, never from the clock, and the
  DOCX ZIP entries carry that date too;
* every PDF is PDF/A-2b (ISO 19005-2, level B; :data:`PDF_VARIANT`), so the issued file is also the copy kept
  for the archive (档案): fonts embedded, XMP metadata naming the PDF/A part and level, an sRGB output intent.
  The signature added afterwards (``services.documents.signing``) keeps it so: PDF/A-2 permits signatures,
  and pyHanko's incremental update keeps the XMP's PDF/A identification.

This module does not build contexts, number documents or store files; callers do.

Usage::

    pdf = render_pdf("acceptance_notice", ctx)
    docx = render_docx("acceptance_notice", ctx)
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlparse

import jinja2
import weasyprint
from markupsafe import Markup
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from services.core.formatting import CHINA_TZ, JINJA_FILTERS
from services.documents import docx_builder as dx
from services.documents import fonts, gongwen, seal, verification_qr
from services.documents.registry import get_kind

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates" / "documents"
# WeasyPrint's name for PDF/A-2b: it writes PDF 1.7 with the XMP packet (pdfaid part 2, conformance B), an sRGB
# ICC output intent (GTS_PDFA1) and a file identifier; the pages look the same as without it
PDF_VARIANT = "pdf/a-2b"


class DocumentRenderError(RuntimeError):
    """A document could not be rendered (e.g. the template asked for a non-local resource)."""


class LocalOnlyFetcher(URLFetcher):
    """Serve ``file://`` URLs under one directory (and the document fonts' directory) and ``data:`` URIs (a seal
    image); refuse everything else (no network).

    Built with ``fail_on_errors=True``, so a refused URL aborts the render instead of silently
    producing a document without its stylesheet.
    """

    def __init__(self, root: Path):
        super().__init__(fail_on_errors=True)
        self.root = root.resolve()
        self.roots = (self.root, fonts.FONT_DIR.resolve())

    def fetch(self, url, headers=None):
        parsed = urlparse(url)
        if parsed.scheme == "data":
            return super().fetch(url, headers)  # decoded in memory by urllib's DataHandler
        if parsed.scheme != "file" or parsed.netloc not in ("", "localhost"):
            raise ValueError(f"refused non-local URL {url!r}")
        path = Path(unquote(parsed.path)).resolve()
        if not any(path.is_relative_to(root) for root in self.roots) or not path.is_file():
            raise ValueError(f"refused {url!r}: not a file under {self.root}")
        mime, _ = mimetypes.guess_type(path.name)
        response_headers = {"Content-Type": mime or "application/octet-stream"}
        if mime and mime.startswith("text/"):
            response_headers["Content-Type"] += "; charset=utf-8"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), response_headers)


@lru_cache(maxsize=1)
def _jinja_env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(JINJA_FILTERS)
    env.filters.update(masthead_pt=gongwen.masthead_pt, second_level=gongwen.second_level,
                       without_seal_line=gongwen.without_seal_line)
    env.globals.update(sealed=gongwen.sealed, signer=gongwen.signer,
                       seal_svg=lambda name: Markup(seal.pdf_markup(name)))  # our own SVG or the park's file
    return env


def render_html(kind: str, context: Mapping) -> str:
    """The HTML that :func:`render_pdf` prints (useful for previews and debugging)."""
    spec = get_kind(kind)
    view = spec.view(context)
    created = view.meta.created.astimezone(CHINA_TZ).isoformat(timespec="minutes")
    code = context.get("verification_code")
    qr_svg = Markup(verification_qr.svg(code)) if code else None  # segno's own SVG, nothing of the context in it
    return _jinja_env().get_template(spec.template).render(v=view, meta=view.meta, created=created, qr_svg=qr_svg,
                                                           qr_caption=verification_qr.CAPTION,
                                                           font_css=Markup(fonts.font_face_css()))


#: font configurations not in use, kept for the next render (at most ``KEPT_FONT_CONFIGS``)
_idle_font_configs: list[FontConfiguration] = []
KEPT_FONT_CONFIGS = 4


@contextmanager
def _font_config() -> Iterator[FontConfiguration]:
    """A WeasyPrint font configuration for one render at a time, reused by later renders.

    A new one per document wrote the six Fandol faces (34 MB) to a new temporary folder and had Fontconfig read
    them again: a quarter of a notice's rendering time. A kept one finds its fonts already written. Each is
    used by one thread at a time (Pango's font map is not shared between threads at once); a render that finds
    none idle makes its own, and no more than ``KEPT_FONT_CONFIGS`` are kept."""
    try:
        config = _idle_font_configs.pop()  # atomic: two threads never get the same one
    except IndexError:
        config = FontConfiguration()
    try:
        yield config
    finally:
        if len(_idle_font_configs) < KEPT_FONT_CONFIGS:
            _idle_font_configs.append(config)


def html_to_pdf(html: str) -> bytes:
    """Print HTML whose relative URLs resolve in ``TEMPLATES_DIR`` to PDF/A-2b; nothing else may be loaded."""
    document = weasyprint.HTML(
        string=html,
        base_url=TEMPLATES_DIR.as_uri() + "/",
        url_fetcher=LocalOnlyFetcher(TEMPLATES_DIR),
    )
    try:
        with _font_config() as font_config:
            return document.write_pdf(pdf_variant=PDF_VARIANT, font_config=font_config)
    except FatalURLFetchingError as exc:  # a BaseException: would slip past ``except Exception``
        raise DocumentRenderError(f"{exc}: {exc.__cause__}") from exc


def render_pdf(kind: str, context: Mapping) -> bytes:
    """Render ``kind`` from ``context`` to PDF/A-2b bytes (A4, the Fandol faces embedded as subsets)."""
    return html_to_pdf(render_html(kind, context))


def render_docx(kind: str, context: Mapping) -> bytes:
    """Render ``kind`` from ``context`` to DOCX bytes; same context → same bytes."""
    spec = get_kind(kind)
    view = spec.view(context)
    meta = view.meta
    created_utc = meta.created.astimezone(UTC).replace(tzinfo=None)
    doc = dx.new_document(title=meta.title, author=meta.author, subject=meta.subject, created=created_utc)
    spec.build_docx(doc, view)
    code = context.get("verification_code")
    dx.add_page_number_footer(doc, qr_png=verification_qr.png(code) if code else None)
    return dx.to_bytes(doc, timestamp=meta.created.astimezone(CHINA_TZ))
