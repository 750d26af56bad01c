"""The document kinds (文书种类), found from their declarations; nothing else lists them.

Every module in ``services/documents`` that ends with ``DOCUMENT = DocumentKind(...)`` is a kind.
Rendering (``render``) and issuing (``issue``) look kinds up here by code.

Adding a document kind
----------------------
1. Write ``services/documents/<code>.py``: a ``ContextModel`` subclass whose fields (with a
   ``description`` each) are the context the kind prints, a ``prepare(ctx)`` that returns a view
   (usually ``layout.SectionedView``, whose ``meta`` dates the files from the context), a
   ``build_docx(doc, view)`` (usually ``layout.build_sectioned_docx``), and at the end::

       DOCUMENT = DocumentKind(code="<code>", title="…书", number_word="…", template="sectioned.html",
                               prepare=prepare, build_docx=build_docx, context=MyContext)

   The number word must be new: it makes the 文号 (``东莞绿通<word>〔2026〕第0001号``) unique.
2. Reuse ``templates/documents/sectioned.html``, or write one template under ``templates/documents``
   that prints the view ``v`` (only local resources load; the faces are the Fandol fonts of
   ``services.documents.fonts``; ``templates/documents/gongwen.html`` has the 版头, seal and 版记 macros).
3. Add a sample context to ``tests/document_samples`` (``SAMPLES[code]``): the test parametrised
   over this registry then renders it to PDF and DOCX and checks the font, the text and the files.
4. List the code in the ``issues`` of the process step that issues it
   (``services/cases/processes/definitions/*.toml``); the step's service builds the context from
   stored rows and calls ``services.documents.issue.issue``.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache
from pathlib import Path

from services.documents.kind import DocumentKind

PACKAGE = __name__.rpartition(".")[0]  # services.documents, found without importing it (no cycle)


@lru_cache(maxsize=1)
def kinds() -> dict[str, DocumentKind]:
    """``{code: declaration}`` of every module of the package that declares ``DOCUMENT``."""
    found: dict[str, DocumentKind] = {}
    for info in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda m: m.name):
        declaration = getattr(importlib.import_module(f"{PACKAGE}.{info.name}"), "DOCUMENT", None)
        if isinstance(declaration, DocumentKind):
            if declaration.code in found:
                raise RuntimeError(f"document kind {declaration.code!r} declared twice")
            found[declaration.code] = declaration
    return found


def get_kind(code: str) -> DocumentKind:
    try:
        return kinds()[code]
    except KeyError:
        raise ValueError(f"unknown document kind {code!r}; known: {sorted(kinds())}") from None
