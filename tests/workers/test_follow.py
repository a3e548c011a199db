"""The loop after ingest: one tick opens cases, moves the watch's cursor and delivers alerts; a second adds nothing."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.analytics.support import MONDAY, doc, every
from tests.analytics.test_watch_update import organisation
from veilleur.analytics.notify_channels import Outcome
from veilleur.settings import Settings
from veilleur.storage import inbox_store, watch_store
from veilleur.storage.notify_tables import notify_outbox
from veilleur.workers.follow import follow, tick

NOW = datetime(2026, 10, 1, tzinfo=UTC)


class Receiver:
    """A transport that accepts everything and remembers what it was given."""

    def __init__(self) -> None:
        self.sent: list = []

    def send(self, channel, payload, key) -> Outcome:
        self.sent.append(key)
        return Outcome(ok=True, status_code=200)

    def close(self) -> None:
        pass


@pytest.fixture
def settings(tmp_path, database_url) -> Settings:
    hook = {"name": "com", "kind": "webhook", "url": "http://127.0.0.1:9/hook", "secret": "s", "min_severity": "info"}
    return Settings(data_dir=tmp_path, database_url=database_url, organisation=organisation(),
                    notify={"channels": [hook]})


def test_one_tick_feeds_every_room_and_the_next_adds_nothing(store, settings):
    quiet = [doc(at, "question sur mon livret @BanqueHelios ?", intent="question") for at in every(MONDAY, 240, 40)]
    outage = [doc(at, f"@BanqueHelios appli en panne erreur {i}", sentiment="negative", intent="complaint",
                  topics=["digital"]) for i, at in enumerate(every(MONDAY + timedelta(days=8, hours=7), 1, 16))]
    store.save(quiet + outage)
    receiver = Receiver()
    first = tick(store, settings, NOW, transport=receiver)
    second = tick(store, settings, NOW, transport=receiver)
    with store.engine.connect() as conn:
        cases = inbox_store.list_cases(conn)
        queued = conn.execute(select(func.count()).select_from(notify_outbox)).scalar_one()
        watch_cursor = watch_store.cursor(conn, "watch")
    assert first.inbox.read == 56 and len(cases) >= 1 and first.watch.posts == 56
    assert first.watch.alerts_opened >= 1 and queued >= 1 and first.deliveries.sent == queued
    assert watch_cursor == first.watch.last_post_id > 0
    assert (second.inbox.read, second.watch.posts, second.deliveries.sent) == (0, 0, 0)
    assert len(receiver.sent) == len(set(receiver.sent)) == queued  # each delivery once


def test_follow_repeats_and_reports(store, settings):
    seen, naps = [], []
    assert follow(store, settings, 5, ticks=2, report=seen.append, sleep=naps.append) == 2
    assert len(seen) == 2 and len(naps) == 1 and "inbox: 0 posts read" in seen[0].summary()


def test_the_alert_routing_action_raises_a_delivered_alert_on_the_case(store, settings):
    settings = settings.model_copy(update={"inbox": settings.inbox.model_copy(update={"journalists": ["@plume_eco"]})})
    store.save([doc(MONDAY, "@BanqueHelios pourquoi vos frais augmentent-ils en janvier ?", intent="question",
                    topics=["accounts_fees"], handle="plume_eco", followers=80_000)])
    receiver = Receiver()
    tick(store, settings, NOW, transport=receiver)
    with store.engine.connect() as conn:
        (case,) = inbox_store.list_cases(conn)
        flagged = [a for a in watch_store.alerts(conn) if a.kind == "case_flagged"]
    assert "presse" in case.tags
    assert [a.subject for a in flagged] == [f"case={case.id}"] and flagged[0].post_ids == case.post_ids
    assert "presse ou analyste" in flagged[0].to_json()["why"] and len(receiver.sent) == 1


def test_a_kept_watch_run_warms_once_and_never_reopens_what_a_person_closed(store, settings):
    from veilleur.analytics.watch import WatchRun, set_alert_state
    from veilleur.core.actor import Actor, Role
    from veilleur.core.alert import AlertState

    def outage(start, n):
        return [doc(at, f"@BanqueHelios appli en panne erreur {i}", sentiment="negative", intent="complaint",
                    topics=["digital"]) for i, at in enumerate(every(start, 1, n))]

    onset = MONDAY + timedelta(days=8, hours=7)
    store.save([doc(at, "question sur mon livret") for at in every(MONDAY, 240, 40)] + outage(onset, 16))
    run, warms = WatchRun(store, settings), []
    warm = run.warm
    run.warm = lambda conn, cursor: (warms.append(cursor), warm(conn, cursor))
    first = tick(store, settings, NOW, transport=Receiver(), watch_run=run)
    with store.engine.connect() as conn:
        opened = [a for a in watch_store.alerts(conn) if a.state == AlertState.OPEN]
    assert first.watch.alerts_opened >= 1 and opened
    for alert in opened:
        set_alert_state(store, Actor("com", Role.COMMUNICATION), alert.id, AlertState.CLOSED, NOW)
    store.save(outage(onset + timedelta(minutes=17), 10))
    second = tick(store, settings, NOW, transport=Receiver(), watch_run=run)
    assert warms == [0] and second.watch.posts == 10  # warmed on the first tick only
    with store.engine.connect() as conn:
        states = {a.id: a.state for a in watch_store.alerts(conn)}
    assert all(states[a.id] == AlertState.CLOSED for a in opened)
