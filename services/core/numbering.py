"""Gapless numbers (案件编号, 文号) per issuer, kind and year.

The counter row is bumped with one ``UPDATE … SET last_value = last_value + 1`` inside the caller's
transaction: concurrent issuers queue on the row lock, and a rolled-back issue gives its number back.
"""

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from services.models import NumberSequence


def next_number(session: Session, issuer: str, kind: str, year: int) -> int:
    """The next number, bumped in the caller's transaction.

    The UPDATE comes first on purpose: on SQLite (WAL) a transaction that reads before it writes fails
    with "database is locked" at once when another writer committed in between; writing first takes
    the write lock (waiting for it) before anything is read.
    """
    key = (col(NumberSequence.issuer) == issuer) & (col(NumberSequence.kind) == kind) \
        & (col(NumberSequence.year) == year)
    bump = update(NumberSequence).where(key).values(last_value=NumberSequence.last_value + 1)
    if session.exec(bump.execution_options(synchronize_session=False)).rowcount == 0:
        try:
            with session.begin_nested():
                session.add(NumberSequence(issuer=issuer, kind=kind, year=year, last_value=0))
        except IntegrityError:
            pass  # another transaction created the row first; the update below waits for it
        session.exec(bump.execution_options(synchronize_session=False))
    return session.exec(select(NumberSequence.last_value).where(key)).one()


def case_number(session: Session, year: int) -> str:
    """Case number shown to applicants, e.g. GC-2026-000123."""
    return f"GC-{year}-{next_number(session, 'GC', 'case', year):06d}"
