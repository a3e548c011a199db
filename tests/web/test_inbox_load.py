"""A small run of ``benchmarks/inbox_load.py`` on PostgreSQL: agents at once, no update lost.

Marked ``services``: skipped without PostgreSQL, a failure when VEILLEUR_REQUIRE_SERVICES=1.
"""
from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import PG_URL, service_unavailable

pytestmark = pytest.mark.services
BENCHMARK = Path(__file__).parents[2] / "benchmarks" / "inbox_load.py"


@pytest.fixture(scope="module")
def load():
    spec = importlib.util.spec_from_file_location("inbox_load", BENCHMARK)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)


@pytest.fixture
def postgresql() -> str:
    try:
        engine = create_engine(PG_URL)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:
        service_unavailable("PostgreSQL", f"{PG_URL}: {type(exc).__name__}: {str(exc).splitlines()[0]}")
    return PG_URL


def test_agents_working_the_same_cases_lose_no_update(load, postgresql):
    report = load.run_load(postgresql, agents=6, seconds=2, cases=3)
    assert report.ok, report.problems
    assert report.actions > 20 and report.conflicts > 0  # 6 agents on 3 cases: they do collide


def test_the_check_sees_a_lost_update(load, postgresql, monkeypatch):
    """The checker is not vacuous: hide one successful update from it and it complains."""
    real = load.lost_updates

    def forgetting_one(store, done: Counter):
        key = next(k for k in sorted(done) if k[1] == "assigned")
        problems, count = real(store, done - Counter({key: 1}))
        assert any(f"case {key[0]}: version" in p for p in problems)
        return [], count

    monkeypatch.setattr(load, "lost_updates", forgetting_one)
    assert load.run_load(postgresql, agents=2, seconds=1, cases=2).ok
