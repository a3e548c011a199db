"""Alembic environment: runs migrations on the connection veilleur hands over (see storage.migrate)."""
from alembic import context

from veilleur.storage.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `veilleur db upgrade` (veilleur.storage.migrate.upgrade)")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
