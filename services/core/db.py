"""Database engine and sessions; the same code runs on SQLite and PostgreSQL.

The engine is created once per process from ``GC_DATABASE_URL``. SQLite gets a busy timeout
and WAL so the web app and the flow runner can share the file.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Protocol, cast

from sqlalchemy import Table, event, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped
from sqlmodel import Session, SQLModel, create_engine

from services.core.settings import get_settings


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, connect_args={"connect_timeout": 5})


@lru_cache
def get_engine() -> Engine:
    settings = get_settings()
    if settings.sqlalchemy_url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    return make_engine(settings.sqlalchemy_url)


@contextmanager
def session_scope() -> Iterator[Session]:
    """A session that commits on success and rolls back on any error (no half-written records)."""
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except Exception:
            session.rollback()
            raise


def table_of(model: type[SQLModel]) -> Table:
    """The Core table a table model maps, for statements that bypass the ORM (bulk deletes, the audit chain).

    The same object as ``model.__table__``, which SQLModel does not declare to type checkers.
    """
    return cast(Table, inspect(model).local_table)


class _TableWithId(Protocol):
    id: int | None


def id_column(model: type[_TableWithId]) -> Mapped[int]:
    """``model.id`` as the column of stored rows' ids, which are never NULL (only a new row's ``id`` is None);
    ``select(id_column(Step))`` reads plain ``int`` ids where ``select(Step.id)`` would type them optional."""
    return cast(Mapped[int], model.id)


@contextmanager
def only_one_at_a_time(name: str) -> Iterator[bool]:
    """True for the one process (on any machine) that holds the lock ``name`` until the block ends, False for the
    others at the same moment: for a sweep that several workers run, so that two never repair the same case at
    once. A PostgreSQL advisory lock on a connection of its own (released if the process dies); on SQLite (one
    machine) always True."""
    engine = get_engine()
    if engine.dialect.name != "postgresql":
        yield True
        return
    with engine.connect() as conn:
        got = bool(conn.execute(text("SELECT pg_try_advisory_lock(hashtext(:name))"), {"name": name}).scalar())
        conn.commit()
        try:
            yield got
        finally:
            if got:
                conn.execute(text("SELECT pg_advisory_unlock(hashtext(:name))"), {"name": name})
                conn.commit()
