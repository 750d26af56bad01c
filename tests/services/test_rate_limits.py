"""Database rate limits: a claim past the limit is refused until the window ends, then counting restarts."""

import uuid
from datetime import datetime, timedelta

import pytest

from services.core import clock, rate_limits
from services.models import RateLimit

MINUTE = timedelta(minutes=1)


@pytest.fixture
def at(migrated):
    """``at(datetime)`` sets the clock for the rest of the test."""
    yield lambda moment: clock.set_clock(lambda: moment)
    clock.set_clock(None)


def test_claims_are_refused_at_the_limit_until_the_window_ends(at):
    from services.core.db import get_engine

    engine, key, start = get_engine(), f"test:{uuid.uuid4()}", datetime(2027, 3, 1, 9, 0, 0)
    at(start)
    assert [rate_limits.claim(engine, key, limit=3, window=MINUTE).allowed for _ in range(4)] == \
        [True, True, True, False]
    at(start + timedelta(seconds=45))
    refused = rate_limits.claim(engine, key, limit=3, window=MINUTE)
    assert not refused.allowed and refused.retry_after_seconds == 15 and refused.retry_after_minutes == 1
    at(start + MINUTE)
    assert rate_limits.claim(engine, key, limit=3, window=MINUTE).allowed  # a new window, counted from 1
    assert [rate_limits.claim(engine, key, limit=3, window=MINUTE).allowed for _ in range(3)] == [True, True, False]
    rate_limits.reset(engine, key)
    assert rate_limits.claim(engine, key, limit=3, window=MINUTE).allowed


def test_old_counters_are_purged(at, monkeypatch):
    from services.core.db import get_engine, session_scope

    engine, old, new = get_engine(), f"test:{uuid.uuid4()}", f"test:{uuid.uuid4()}"
    at(datetime(2027, 3, 1, 9, 0, 0))
    rate_limits.claim(engine, old, limit=3, window=MINUTE)
    monkeypatch.setattr(rate_limits, "PURGE_EVERY", 1)
    at(datetime(2027, 3, 2, 9, 0, 1))
    rate_limits.claim(engine, new, limit=3, window=MINUTE)
    with session_scope() as session:
        assert session.get(RateLimit, old) is None and session.get(RateLimit, new).hits == 1
