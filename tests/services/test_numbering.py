"""Gapless numbers (``services.core.numbering``): per issuer, kind and year, in the issuing transaction.

Numbers follow one another without gaps or duplicates, each (issuer, kind, year) counts on its own, a
rolled-back issue gives its number back, and concurrent issuers in separate transactions queue on the
counter's row instead of sharing a number.
"""

import re
import threading
import uuid

import pytest
from sqlmodel import Session

from services.core import numbering
from services.core.db import get_engine, session_scope

RACERS = 6


def _issuer() -> str:
    return f"T{uuid.uuid4().hex[:10]}"


def test_numbers_follow_one_another_per_issuer_kind_and_year(session):
    issuer = _issuer()
    assert [numbering.next_number(session, issuer, "notice", 2027) for _ in range(4)] == [1, 2, 3, 4]
    assert numbering.next_number(session, issuer, "notice", 2028) == 1  # a new year starts again
    assert numbering.next_number(session, issuer, "permit", 2027) == 1  # another kind counts on its own
    assert numbering.next_number(session, _issuer(), "notice", 2027) == 1  # another issuer too
    assert numbering.next_number(session, issuer, "notice", 2027) == 5


def test_a_rolled_back_issue_gives_its_number_back(session):
    issuer = _issuer()
    assert numbering.next_number(session, issuer, "notice", 2027) == 1
    savepoint = session.begin_nested()
    assert numbering.next_number(session, issuer, "notice", 2027) == 2
    savepoint.rollback()  # the document failed to render: its number was never used
    assert numbering.next_number(session, issuer, "notice", 2027) == 2


def test_case_numbers_carry_the_year_and_six_digits(session):
    first, second = numbering.case_number(session, 2031), numbering.case_number(session, 2031)
    assert re.fullmatch(r"GC-2031-\d{6}", first) and int(second[-6:]) == int(first[-6:]) + 1


@pytest.mark.usefixtures("migrated")  # its own sessions, on the suite's database
def test_concurrent_issuers_get_distinct_numbers_without_gaps():
    issuer = _issuer()
    with session_scope() as session:
        numbering.next_number(session, issuer, "notice", 2027)  # the counter row exists: 1 is issued
    start, issued, failures = threading.Barrier(RACERS), [], []

    def issue() -> None:
        with Session(get_engine(), expire_on_commit=False) as session:
            start.wait()
            try:
                number = numbering.next_number(session, issuer, "notice", 2027)
                session.commit()
                issued.append(number)
            except Exception as error:  # a database error would be a failed issue
                session.rollback()
                failures.append(error)

    threads = [threading.Thread(target=issue) for _ in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    assert sorted(issued) == list(range(2, RACERS + 2))
