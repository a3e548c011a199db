"""Alembic, driven from veilleur: ``upgrade(engine)`` brings a database to the head revision.

Imports SQLAlchemy and Alembic only.
"""
from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Engine

# Any fixed 64-bit key: PostgreSQL advisory locks are database-wide, whatever the schema.
MIGRATION_LOCK = 0x7665696C6C657572  # "veilleur"


def _config() -> Config:
    ini = resources.files("veilleur.storage").joinpath("alembic.ini")
    config = Config(str(ini))
    config.set_main_option("script_location", str(resources.files("veilleur.storage").joinpath("migrations")))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run every migration up to ``revision`` in one transaction.

    On PostgreSQL the transaction first takes an advisory lock, so that processes migrating the same
    database at once (workers starting together, or two schemas of one database) run one after the
    other: ``CREATE EXTENSION IF NOT EXISTS`` is not safe against a concurrent twin, which fails
    with a unique violation instead of finding the extension there.
    """
    config = _config()
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def current(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head() -> str | None:
    return ScriptDirectory.from_config(_config()).get_current_head()
