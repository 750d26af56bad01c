"""Database engine and sessions; the same code runs on SQLite and PostgreSQL.

The engine is created once per process from ``GC_DATABASE_URL``. SQLite gets a busy timeout
and WAL so the web app and the flow runner can share the file.
"""

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, Protocol, cast

import sqlalchemy as sa
from sqlalchemy import Table, event, func, inspect, text
from sqlalchemy.dialects import postgresql, sqlite
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


def insert_new_rows(session: Session, table: sa.Table, rows: list[dict[str, Any]], unique: list[str],
                    returning: list[sa.Column]) -> Sequence[sa.Row]:
    """``INSERT … ON CONFLICT (unique) DO NOTHING`` of many rows (same keys) in one go, on SQLite or PostgreSQL
    (also the sweep's escalations); returns the ``returning`` columns of the rows that were new.

    PostgreSQL gets the rows as one JSON text (dates as ISO text): as a multi-row VALUES list they would be a
    placeholder per value, which psycopg converts one by one in Python (most of the time for 10,000 rows).
    """
    if not rows:
        return []
    if session.get_bind().dialect.name == "postgresql":
        columns = list(rows[0])
        rows_json = sa.bindparam("rows", json.dumps(rows, ensure_ascii=False, default=str), type_=sa.Text)
        records = (func.json_to_recordset(sa.cast(rows_json, postgresql.JSON))
                   .table_valued(*(sa.column(name, table.c[name].type) for name in columns))
                   .render_derived(with_types=True))
        stmt = (postgresql.insert(table).from_select(columns, sa.select(*records.c))
                .on_conflict_do_nothing(index_elements=unique).returning(*returning))
        return session.connection().execute(stmt).all()
    # SQLite: one statement run for many rows (SQLAlchemy batches them into multi-row INSERTs, compiled once)
    batched = sqlite.insert(table).on_conflict_do_nothing(index_elements=unique).returning(*returning)
    return session.execute(batched, rows).all()
