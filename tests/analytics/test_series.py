"""Counters per bucket grow as posts arrive: later batches give the same series as one batch."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.analytics.support import MONDAY, doc
from veilleur.analytics import series
from veilleur.analytics.errors import BadPeriod
from veilleur.analytics.settings import WatchSettings
from veilleur.analytics.watch import update
from veilleur.settings import Settings
from veilleur.storage import watch_store

PARIS = ZoneInfo("Europe/Paris")


def _docs():
    labels = [("positive", ["cards"]), ("negative", ["digital", "cards"]), ("neutral", []), ("negative", ["digital"])]
    return [doc(MONDAY + timedelta(hours=7 * i, minutes=i), f"texte {i}", sentiment=labels[i % 4][0],
                topics=labels[i % 4][1], followers=100 * i, bank="Banque Hélios" if i % 3 else "Kivo")
            for i in range(40)]


def _all_counters(store):
    with store.engine.connect() as conn:
        rows = watch_store.totals(conn, "minute", MONDAY - timedelta(days=1), MONDAY + timedelta(days=30), "all")
        rows |= watch_store.totals(conn, "month", MONDAY - timedelta(days=40), MONDAY + timedelta(days=40), "topic")
        rows |= watch_store.totals(conn, "week", MONDAY - timedelta(days=40), MONDAY + timedelta(days=40),
                                   "topic_sentiment")
        days = watch_store.series(conn, "day", MONDAY - timedelta(days=1), MONDAY + timedelta(days=30), banks=None)
    return rows, days


def test_adding_posts_later_gives_the_same_series_as_all_at_once(store, tmp_path, database_url):
    settings = Settings(data_dir=tmp_path, database_url=database_url, watch=WatchSettings(batch_size=7))
    docs = _docs()
    store.save(docs[:15])
    first = update(store, settings)
    store.save(docs[15:])
    second = update(store, settings)
    assert (first.posts, second.posts) == (15, 25)
    assert update(store, settings).posts == 0  # the cursor moved: nothing is counted twice
    incremental = _all_counters(store)
    with store.engine.begin() as conn:
        for table in ("watch_counters", "watch_cursors"):
            conn.exec_driver_sql(f"DELETE FROM {table}")
    assert update(store, settings).posts == 40
    assert _all_counters(store) == incremental
    rows, days = incremental
    assert sum(n for (bank, value), (n, _r) in rows.items() if value == "*") == 40
    assert rows[("Banque Hélios", "digital")][0] == sum(1 for i in range(40) if i % 3 and i % 4 in (1, 3))
    assert sum(reach for _b, _v, _n, reach in days) == sum(100 * i for i in range(40))


def test_days_weeks_and_months_are_french():
    # 23:30 UTC on Sunday 25 October 2026 is already Monday 26 in Paris (winter time, UTC+1).
    at = datetime(2026, 10, 25, 23, 30, tzinfo=UTC)
    assert series.bucket_start(at, "day", PARIS) == datetime(2026, 10, 25, 23, 0, tzinfo=UTC)
    assert series.bucket_start(at, "week", PARIS) == datetime(2026, 10, 25, 23, 0, tzinfo=UTC)
    # the week of Sunday 25 October started on Monday 19, in summer time (UTC+2)
    assert series.bucket_start(at - timedelta(hours=1), "week", PARIS) == datetime(2026, 10, 18, 22, 0, tzinfo=UTC)
    assert series.bucket_start(at, "month", PARIS) == datetime(2026, 9, 30, 22, 0, tzinfo=UTC)
    assert series.bucket_start(at, "minute", PARIS) == at
    with pytest.raises(ValueError, match="unknown grain"):
        series.bucket_start(at, "year", PARIS)


def test_periods_parse_months_days_and_ranges_and_refuse_the_rest():
    month = series.parse_period("2026-10", PARIS)
    assert (month.start, month.end) == (datetime(2026, 9, 30, 22, tzinfo=UTC), datetime(2026, 10, 31, 23, tzinfo=UTC))
    span = series.parse_period("2026-10-01..2026-10-02", PARIS)
    assert span.end - span.start == timedelta(days=2)
    assert month.previous().end == month.start
    for bad in ("2026-13", "octobre", "2026-10-05..2026-10-01", ""):
        with pytest.raises(BadPeriod):
            series.parse_period(bad, PARIS)


@given(st.text(max_size=30))
def test_any_period_text_parses_or_says_why(text):
    try:
        period = series.parse_period(text, PARIS)
    except BadPeriod as exc:
        assert repr(text) in str(exc) or "end is before" in str(exc)
    else:
        assert period.start < period.end
