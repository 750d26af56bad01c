"""Gapless numbers (案件编号, 文号) per issuer, kind and year.

The counter row is bumped with one ``UPDATE … SET last_value = last_value + 1`` inside the caller's
transaction: concurrent issuers queue on the row lock, and a rolled-back issue gives its number back.
The lock is held from the bump until the commit, so a caller takes its number as late as it can: a new
case is stored under a ``provisional_case_number`` and numbered last (``case_number``), just before commit.
"""

import uuid

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from services.models import NumberSequence


def next_number(session: Session, issuer: str, kind: str, year: int) -> int:
    """The next number, bumped in the caller's transaction.

    The UPDATE comes first on purpose: on SQLite (WAL) a transaction that reads before it writes fails
    with "database is locked" at once when another writer committed in between; writing first takes
    the write lock (waiting for it) before anything is read. ``RETURNING`` reads the new value in the same
    round trip (one less while the row is locked).
    """
    key = (col(NumberSequence.issuer) == issuer) & (col(NumberSequence.kind) == kind) \
        & (col(NumberSequence.year) == year)
    bump = (update(NumberSequence).where(key).values(last_value=NumberSequence.last_value + 1)
            .returning(col(NumberSequence.last_value)).execution_options(synchronize_session=False))
    number = session.exec(bump).scalar_one_or_none()
    if number is None:
        try:
            with session.begin_nested():
                session.add(NumberSequence(issuer=issuer, kind=kind, year=year, last_value=0))
        except IntegrityError:
            pass  # another transaction created the row first; the update below waits for it
        number = session.exec(bump).scalar_one()
    return number


def case_number(session: Session, year: int) -> str:
    """Case number shown to applicants, e.g. GC-2026-000123."""
    return f"GC-{year}-{next_number(session, 'GC', 'case', year):06d}"


def provisional_case_number() -> str:
    """A unique stand-in for the case number while the rest of the new case is written; never committed
    (``case_number`` replaces it in the same transaction), unique so that concurrent submissions do not
    wait on one another's uncommitted rows in the column's unique index."""
    return f"待编号-{uuid.uuid4().hex[:24]}"
