"""Row ids: bounded as they arrive from outside, known to be there on rows already stored.

From outside (paths, query strings, form fields, JSON bodies): every id column is a 32-bit INTEGER.
PostgreSQL refuses to compare one with a larger number (the request would fail with a 500), SQLite
silently finds nothing; so an id outside 1 … 2³¹−1 is refused at the edge, the same way on both.
``Id`` is the annotated type for FastAPI path and query parameters and pydantic fields; ``parse_id``
reads an id typed into a form field.

A table model's ``id`` is ``int | None`` because a new row has none until it is flushed; ``stored_id``
is the id of a row known to be stored (read from the database, or added and flushed), and stops with an
error naming the model when it is not — a missing flush is a bug, never a row to write with a NULL key.

This module must not look anything up: whether the row exists (or may be seen) is the caller's question.
"""

from typing import Annotated, Protocol

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


class _Row(Protocol):
    @property
    def id(self) -> int | None: ...


def stored_id(row: _Row) -> int:
    """The id of a row known to be stored; a row not yet flushed is a programming error."""
    if row.id is None:
        raise ValueError(f"{type(row).__name__} has no id yet: add and flush it before using its id")
    return row.id
