"""The Alembic migrations and tables.py describe the same schema, on both back ends."""
from __future__ import annotations

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from tests.conftest import PG_URL, pg_schema
from veilleur.storage import migrate
from veilleur.storage.schema import metadata


def test_migrations_reach_head(store):
    assert migrate.current(store.engine) == migrate.head()


def test_no_drift_between_tables_and_migrations(store):
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": False})
        diff = compare_metadata(context, metadata)
    # The full-text objects (FTS5 tables, GIN expression index) exist only in migrations, on purpose.
    diff = [d for d in diff if "fts" not in repr(d)]
    assert diff == []


def test_migrations_of_one_postgresql_database_run_one_at_a_time(pg_url):
    """While another session holds the migration lock, an upgrade waits for it (here: gives up after
    lock_timeout) and creates nothing; once the lock is released, it runs."""
    with pg_schema(f"veilleur_test_lock_{os.getpid()}", lock_timeout="300") as url:
        waiting, admin = create_engine(url), create_engine(PG_URL)
        try:
            with admin.connect() as holder:
                holder.execute(text("SELECT pg_advisory_lock(:key)"), {"key": migrate.MIGRATION_LOCK})
                with pytest.raises(OperationalError, match="lock timeout"):
                    migrate.upgrade(waiting)
                assert migrate.current(waiting) is None
                holder.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": migrate.MIGRATION_LOCK})
            migrate.upgrade(waiting)
            assert migrate.current(waiting) == migrate.head()
        finally:
            waiting.dispose()
            admin.dispose()
