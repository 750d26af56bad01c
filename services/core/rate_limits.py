"""Fixed-window rate limits kept in the database, claimed atomically: sign-in attempts, 文书查验 lookups.

A hit is *claimed before* the work it guards (checking a password, looking up a 查验码) with one
guarded update — ``UPDATE … SET hits = hits + 1 WHERE key = :key AND hits < :limit`` — so parallel
requests cannot all read "4 failures so far" and all go ahead: the database serialises the updates on
the row, and once the limit is reached every further claim matches no row and is refused. A counter
whose window has run out starts again at 1 in the same statement.

Each claim commits in its own short transaction on its own connection, so it is visible to parallel
requests at once and is not undone when the caller's request fails. Call it before the caller's
session writes anything (on SQLite a second writer would wait for the first).

Because the counters live in the database they hold across worker processes and restarts; every
``PURGE_EVERY``-th claim in a process also deletes counters whose window started over a day ago (no
limit here is longer), so guessing many names does not grow the table for ever. Client
addresses come from the ASGI server (``request.client.host``); behind a reverse proxy run uvicorn
with ``--proxy-headers``/``--forwarded-allow-ips`` or every client shares the proxy's address.
"""

import itertools
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import case, delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from services.core import clock
from services.models import RateLimit

KEY_LENGTH = 200
PURGE_EVERY = 500
STALE = timedelta(days=1)
_claims = itertools.count(1)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after_seconds: int = 0

    @property
    def retry_after_minutes(self) -> int:
        return max(1, -(-self.retry_after_seconds // 60))


def claim(engine: Engine, key: str, *, limit: int, window: timedelta) -> Verdict:
    """Count one hit for ``key``; refused (with the seconds until the window ends) once ``limit`` is reached."""
    key, now = key[:KEY_LENGTH], clock.now()
    expired = col(RateLimit.window_started_at) <= now - window
    with Session(engine) as session:
        session.exec(_insert_if_missing(engine, key, now))
        claimed = session.exec(
            update(RateLimit)
            .where(col(RateLimit.key) == key, (col(RateLimit.hits) < limit) | expired)
            .values(hits=case((expired, 1), else_=RateLimit.hits + 1),
                    window_started_at=case((expired, now), else_=RateLimit.window_started_at))
        ).rowcount
        started = None if claimed else session.exec(
            select(RateLimit.window_started_at).where(RateLimit.key == key)).one()
        if next(_claims) % PURGE_EVERY == 0:
            session.exec(delete(RateLimit).where(col(RateLimit.window_started_at) < now - STALE))
        session.commit()
    if started is None:
        return Verdict(True)
    return Verdict(False, max(1, int((started + window - now).total_seconds())))


def release(engine: Engine, key: str) -> None:
    """Give one hit back (a sign-in that succeeded does not count against the account's ceiling)."""
    with Session(engine) as session:
        session.exec(update(RateLimit).where(col(RateLimit.key) == key[:KEY_LENGTH], col(RateLimit.hits) > 0)
                     .values(hits=RateLimit.hits - 1))
        session.commit()


def reset(engine: Engine, key: str) -> None:
    """Forget the key's hits (a successful sign-in clears its failures)."""
    with Session(engine) as session:
        session.exec(delete(RateLimit).where(col(RateLimit.key) == key[:KEY_LENGTH]))
        session.commit()


def _insert_if_missing(engine: Engine, key: str, now):
    dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
    return (dialect.insert(RateLimit).values(key=key, hits=0, window_started_at=now)
            .on_conflict_do_nothing(index_elements=["key"]))
