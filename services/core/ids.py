"""Row ids as they arrive from outside (paths, query strings, form fields, JSON bodies): bounded.

Every id column is a 32-bit INTEGER. PostgreSQL refuses to compare one with a larger number (the
request would fail with a 500), SQLite silently finds nothing; so an id outside 1 … 2³¹−1 is refused
at the edge, the same way on both. ``Id`` is the annotated type for FastAPI path and query parameters
and pydantic fields; ``parse_id`` reads an id typed into a form field.

This module must not look anything up: whether the row exists (or may be seen) is the caller's question.
"""

from typing import Annotated

from pydantic import Field

MAX_ID = 2**31 - 1

Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def parse_id(text: str | None) -> int | None:
    """The id in a form field (digits only, within the column's range), or None."""
    text = (text or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 10:
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None
