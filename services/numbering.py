"""Gapless numbers (案件编号, 文号) per issuer, kind and year.

The counter row is bumped with one ``UPDATE … SET last_value = last_value + 1`` inside the caller's
transaction: concurrent issuers queue on the row lock, and a rolled-back issue gives its number back.
"""

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from services.models import NumberSequence


def next_number(session: Session, issuer: str, kind: str, year: int) -> int:
    key = (NumberSequence.issuer == issuer) & (NumberSequence.kind == kind) & (NumberSequence.year == year)
    if session.exec(select(NumberSequence.year).where(key)).first() is None:
        try:
            with session.begin_nested():
                session.add(NumberSequence(issuer=issuer, kind=kind, year=year, last_value=0))
        except IntegrityError:
            pass  # another transaction created the row first; the update below waits for it
    session.execute(update(NumberSequence).where(key).values(last_value=NumberSequence.last_value + 1))
    return session.exec(select(NumberSequence.last_value).where(key)).one()


def case_number(session: Session, year: int) -> str:
    """Case number shown to applicants, e.g. GC-2026-000123."""
    return f"GC-{year}-{next_number(session, 'GC', 'case', year):06d}"
