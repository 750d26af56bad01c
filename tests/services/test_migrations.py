"""The Alembic migrations build exactly the schema the models declare.

A fresh database (a new SQLite file, or a scratch PostgreSQL database next to ``GC_TEST_DATABASE_URL``)
is upgraded to head, then ``alembic.autogenerate.compare_metadata`` compares it with
``SQLModel.metadata`` (every table, registered by ``services.models``). Any difference means a model
changed without a migration (or the other way round): the next ``greenchannel db upgrade`` would not
give production the schema the code expects.
"""

import os
from collections.abc import Iterator

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

import services.models  # noqa: F401 - registers every table on SQLModel.metadata
from services.core.db import make_engine
from services.core.migrate import alembic_config

pytestmark = pytest.mark.db


@pytest.fixture
def fresh_engine(tmp_path) -> Iterator[Engine]:
    """An empty database of the kind the suite runs on, dropped afterwards."""
    url = os.environ.get("GC_TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        engine = make_engine(f"sqlite:///{tmp_path / 'migrations.db'}")
        yield engine
        engine.dispose()
        return
    import psycopg

    base, name = url.rsplit("/", 1)
    scratch = f"{name}_migrations"
    admin = base.replace("postgresql+psycopg", "postgresql") + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{scratch}"')
    engine = make_engine(f"{base}/{scratch}")
    try:
        yield engine
    finally:
        engine.dispose()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')


def test_migrations_at_head_match_the_models(fresh_engine):
    config = alembic_config()
    with fresh_engine.begin() as connection:
        config.attributes["connection"] = connection  # services/migrations/env.py migrates this connection
        command.upgrade(config, "head")
    with fresh_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == [], "the migrations and the models differ (a migration is missing):\n" + "\n".join(
        map(repr, differences))
