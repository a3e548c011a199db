"""The Alembic migrations and tables.py describe the same schema, on both back ends."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

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
