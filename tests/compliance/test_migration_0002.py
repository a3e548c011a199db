"""Migration 0002 goes down to 0001 and up again on both back ends, and SQLite keeps its search triggers."""
from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text

from tests.conftest import PG_URL, service_unavailable
from tests.factories import doc
from veilleur.storage import migrate
from veilleur.storage.sql import SqlStore

COMPLIANCE = {"journal", "journal_head", "journal_anchors", "legal_holds"}


def downgrade(store: SqlStore, revision: str) -> None:
    config = migrate._config()
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path, worker_id):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'm.db'}"
        return
    schema = f"veilleur_test_0002_{worker_id}"
    try:
        admin = create_engine(PG_URL)
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"))
    except Exception as exc:
        service_unavailable("PostgreSQL", f"{type(exc).__name__}: {str(exc).splitlines()[0]}")
    separator = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{separator}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    admin.dispose()


def test_down_to_0001_and_up_again(url):
    store = SqlStore(url)
    try:
        store.upgrade()
        store.save([doc(1, "La Société Générale a bloqué ma carte")])
        downgrade(store, "0001")
        assert migrate.current(store.engine) == "0001"
        inspector = inspect(store.engine)
        assert not COMPLIANCE & set(inspector.get_table_names())
        assert {"text_original", "text_state"}.isdisjoint(c["name"] for c in inspector.get_columns("posts"))
        with store.engine.begin() as conn:  # the full-text index still follows posts.text
            conn.execute(text("UPDATE posts SET text = 'Merci la BNP'"))
        store.upgrade()
        assert [h.external_id for h in store.search("BNP")] == ["1"]
        assert store.search("societe") == []
        store.save([doc(2, "Encore bloquée")])
        assert store.count("posts") == 2
    finally:
        store.close()
