"""Bring the database schema to the newest Alembic revision (``greenchannel db upgrade``)."""

from pathlib import Path

from alembic import command
from alembic.config import Config

from services.core.settings import REPO_ROOT


def alembic_config() -> Config:
    cfg = Config(str(Path(REPO_ROOT) / "alembic.ini"))
    cfg.set_main_option("script_location", str(Path(REPO_ROOT) / "services" / "migrations"))
    return cfg


def upgrade_to_head() -> None:
    command.upgrade(alembic_config(), "head")
