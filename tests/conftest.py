"""Shared fixtures: settings, and a store on each back end (SQLite always, PostgreSQL when present).

A test that needs a service skips with the reason when it is absent, unless
VEILLEUR_REQUIRE_SERVICES=1 (CI), where a missing service is a failure. Each pytest-xdist
worker gets its own PostgreSQL schema, migrated once; tables are emptied between tests.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from sqlalchemy import create_engine, text

from veilleur.settings import Settings
from veilleur.storage.sql import SqlStore

# Property tests are derandomized (the suite is deterministic) and may be slow to start on a
# loaded two-core machine: speed is measured by benchmarks/, never by tests.
hypothesis_settings.register_profile("veilleur", derandomize=True, deadline=None,
                                     suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("veilleur")

REQUIRE_SERVICES = os.environ.get("VEILLEUR_REQUIRE_SERVICES") == "1"
PG_URL = os.environ.get("VEILLEUR_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def service_unavailable(name: str, reason: str):
    message = f"{name} is not available ({reason})"
    if REQUIRE_SERVICES:
        pytest.fail(f"{message}, and VEILLEUR_REQUIRE_SERVICES=1 requires it", pytrace=False)
    pytest.skip(message)


@contextmanager
def pg_schema(schema: str, **server_settings: str) -> Iterator[str]:
    """A PostgreSQL URL whose search_path is ``schema``, created empty here and dropped on exit;
    ``server_settings`` are further settings of its sessions (``lock_timeout="300"``...)."""
    admin = create_engine(PG_URL)
    try:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        options = "%20".join(f"-c{k}%3D{v}" for k, v in {"search_path": schema, **server_settings}.items())
        yield f"{PG_URL}{'&' if '?' in PG_URL else '?'}options={options}"
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    finally:
        admin.dispose()


@pytest.fixture(scope="session")
def pg_url(worker_id: str):
    """A PostgreSQL URL whose search_path is this worker's own, freshly migrated schema.

    The schema is named after the worker and the test session's process, so that two test runs on
    one machine never share (and truncate) each other's tables; it is dropped at the end.
    """
    session = os.getppid() if worker_id != "main" else os.getpid()
    with ExitStack() as stack:
        try:
            url = stack.enter_context(pg_schema(f"veilleur_test_{worker_id}_{session}"))
        except Exception as exc:
            service_unavailable("PostgreSQL", f"{PG_URL}: {type(exc).__name__}: {str(exc).splitlines()[0]}")
        store = SqlStore(url)
        store.upgrade()
        store.close()
        yield url


@pytest.fixture(scope="session")
def worker_id(request) -> str:
    return getattr(request.config, "workerinput", {}).get("workerid", "main")


def _empty(store: SqlStore) -> None:
    """Empty every table of the worker's schema (whatever room made it), except Alembic's version."""
    with store.engine.begin() as conn:
        names = conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                                  "AND tablename <> 'alembic_version'")).scalars().all()
        if names:
            conn.execute(text(f"TRUNCATE {', '.join(sorted(names))} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    """The URL of an empty, migrated database on each back end."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'veilleur.db'}"
        store = SqlStore(url)
        store.upgrade()
        store.close()
        return url
    url = request.getfixturevalue("pg_url")
    store = SqlStore(url)
    _empty(store)
    store.close()
    return url


@pytest.fixture
def store(database_url):
    store = SqlStore(database_url)
    yield store
    store.close()


@pytest.fixture
def settings(tmp_path, database_url) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=database_url)


@pytest.fixture(autouse=True)
def _no_user_settings(monkeypatch, tmp_path_factory):
    """Tests never read the developer's own veilleur.toml or VEILLEUR_* variables."""
    for name in list(os.environ):
        if name.startswith("VEILLEUR_") and name not in ("VEILLEUR_REQUIRE_SERVICES", "VEILLEUR_TEST_DATABASE_URL"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))
