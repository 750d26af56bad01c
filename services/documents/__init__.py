"""Official documents (受理通知书 …) rendered to PDF and DOCX from one context. See ``render``;
the kinds are declared in their modules and found by ``registry``."""

from typing import Any

from services.documents.render import render_docx, render_html, render_pdf

__all__ = ["KINDS", "render_docx", "render_html", "render_pdf"]


def __getattr__(name: str) -> Any:
    """``KINDS`` (``{code: DocumentKind}``) is found on first use: finding it imports every module of
    the package, which must not happen while ``services.models`` is still being imported."""
    if name == "KINDS":
        from services.documents.registry import kinds

        return kinds()
    raise AttributeError(name)
