"""Render document kinds to files and read them back with the real tools (poppler, python-docx,
LibreOffice), shared by the document tests.

``pdftotext`` returns correct Chinese even when the glyphs are drawn as boxes, so a font check uses
``pdffonts`` (a CJK font must be embedded), not the text layer.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

import pytest

from services.documents import fonts, render_docx, render_pdf
from tests.document_samples import sample

RENDERERS = {"pdf": render_pdf, "docx": render_docx}

needs_poppler = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("pdffonts", "pdftotext", "pdftoppm", "pdfinfo")),
    reason="poppler-utils (pdffonts, pdftotext, pdftoppm, pdfinfo) not on PATH",
)
needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not on PATH")


def run(*args: str | Path, timeout: int = 60) -> str:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, check=True,
                          timeout=timeout).stdout


def squash(text: str) -> str:
    """Drop all whitespace: line breaks in table cells and CJK/Latin spacing vary by renderer."""
    return "".join(text.split())


def pdftotext(path: Path) -> str:
    return run("pdftotext", "-enc", "UTF-8", path, "-")


def pdf_text(path: Path) -> str:
    """Text in content-stream order: WeasyPrint draws a table cell by cell, so a wrapped cell stays whole
    (the default reading-order mode may interleave the lines of neighbouring cells)."""
    return run("pdftotext", "-raw", "-enc", "UTF-8", path, "-")


def docx_text(document) -> str:
    """Paragraphs, table cells and footers of a python-docx document, one per line."""
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    for section in document.sections:
        parts.extend(p.text for p in section.footer.paragraphs)
    return "\n".join(parts)


def missing(text: str, expected: list[str]) -> list[str]:
    """The expected strings not in ``text`` (whitespace ignored on both sides)."""
    squashed = squash(text)
    return [s for s in expected if squash(s) not in squashed]


def render_each(folder: Path, kinds: Iterable[str], fmt: str) -> dict[str, Path]:
    """``{kind: path}`` of each kind's sample rendered as ``fmt`` (pdf or docx) into ``folder``."""
    paths = {}
    for kind in kinds:
        paths[kind] = folder / f"{kind}.{fmt}"
        paths[kind].write_bytes(RENDERERS[fmt](kind, sample(kind)))
    return paths


def rendered_text(folder: Path, kind: str, ctx: dict) -> str:
    """The text of ``ctx`` rendered as a PDF of ``kind``, whitespace removed (for ``in`` checks)."""
    path = folder / f"{kind}-extra.pdf"
    path.write_bytes(render_pdf(kind, ctx))
    return squash(pdf_text(path))


def convert_with_libreoffice(paths: Iterable[Path], folder: Path) -> Path:
    """Convert DOCX files to PDF in one LibreOffice run; returns the folder holding ``<stem>.pdf``."""
    profile = folder / "lo-profile"  # one profile per conversion: shared profiles fail silently
    outdir = folder / "out"
    user_fonts = profile / "user" / "fonts"  # LibreOffice reads fonts from its profile: the documents' faces
    user_fonts.mkdir(parents=True, exist_ok=True)
    for _, _, name in fonts.FACES:
        if not (user_fonts / name).exists():
            (user_fonts / name).symlink_to(fonts.path(name))
    run("soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
        "--outdir", outdir, *paths, timeout=600)
    return outdir
