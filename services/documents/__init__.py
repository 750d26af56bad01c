"""Official documents (受理通知书 …) rendered to PDF and DOCX from one context. See ``render``;
the kinds are declared in their modules and found by ``registry``."""

from typing import Any

__all__ = ["KINDS", "render_docx", "render_html", "render_pdf"]


def __getattr__(name: str) -> Any:
    """Found on first use, not at import:

    * ``render_pdf`` / ``render_docx`` / ``render_html``: ``render`` loads WeasyPrint (over a second), which the
      table models (``services.models`` imports ``services.documents.models``) and every command-line call
      that only reads or writes rows must not pay for;
    * ``KINDS`` (``{code: DocumentKind}``): finding it imports every module of the package, which must not
      happen while ``services.models`` is still being imported."""
    if name in ("render_docx", "render_html", "render_pdf"):
        from services.documents import render

        return getattr(render, name)
    if name == "KINDS":
        from services.documents.registry import kinds

        return kinds()
    raise AttributeError(name)
