"""Official documents (受理通知书 …) rendered to PDF and DOCX from one context. See ``render``."""

from services.documents.render import KINDS, render_docx, render_html, render_pdf

__all__ = ["KINDS", "render_docx", "render_html", "render_pdf"]
