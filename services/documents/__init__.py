"""Official documents (受理通知书 …) rendered to PDF and DOCX from one context. See ``render``;
the kinds are declared in their modules and found by ``registry``."""

from services.documents.registry import kinds
from services.documents.render import render_docx, render_html, render_pdf

KINDS = kinds()

__all__ = ["KINDS", "render_docx", "render_html", "render_pdf"]
