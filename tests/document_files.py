"""Render the sample context of each document kind to files, shared by the document test modules."""

from collections.abc import Callable, Iterable
from pathlib import Path

from services.documents import render_docx, render_pdf
from tests.services.test_documents import run, squash

RENDERERS = {"pdf": render_pdf, "docx": render_docx}


def pdf_text(path: Path) -> str:
    """Text in content-stream order: WeasyPrint draws a table cell by cell, so a wrapped cell stays whole
    (the default reading-order mode may interleave the lines of neighbouring cells)."""
    return run("pdftotext", "-raw", "-enc", "UTF-8", path, "-")


def render_each(folder: Path, kinds: Iterable[str], sample: Callable[[str], dict], fmt: str) -> dict[str, Path]:
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
