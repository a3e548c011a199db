"""No alert lost: the outbox written with the alert, retries with back-off, dead letters, the log, the in-app list."""
from __future__ import annotations

import random
from datetime import timedelta

import httpx
import orjson
import pytest

from tests import factories
from tests.analytics.notify_support import SECRET, T0, Receiver, alert, settings
from veilleur.analytics import notify
from veilleur.analytics.notify_channels import Transport, verify_signature
from veilleur.analytics.notify_settings import RetrySettings
from veilleur.core.actor import Actor, Role
from veilleur.core.alert import Severity
from veilleur.storage import notify_store


def _enqueue(store, the_alert, notify_settings):
    with store.engine.begin() as conn:
        return notify.enqueue(conn, the_alert, notify_settings, now=T0)


def _states(store):
    with store.engine.connect() as conn:
        return sorted((d.channel, d.state, d.attempts) for d in notify_store.deliveries(conn))


def test_enqueue_routes_and_renders_in_the_alert_transaction(store):
    store.save([factories.doc(1, "L'appli Hélios est en panne"), factories.doc(2, "Toujours rien")])
    with store.engine.connect() as conn:
        post_ids = [p.id for p in notify_store_posts(conn)]
    config = settings({"name": "crise", "kind": "slack", "url": "http://127.0.0.1:9/h", "min_severity": "critical"},
                      {"name": "kivo", "kind": "teams", "url": "http://127.0.0.1:9/h", "banks": ["Kivo"]},
                      {"name": "siem", "kind": "webhook", "url": "http://127.0.0.1:9/h", "secret": SECRET,
                       "min_severity": "info"})
    keys = _enqueue(store, alert(post_ids=post_ids), config)
    assert len(keys) == 2 and len(set(keys)) == 2
    assert _states(store) == [("crise", "pending", 0), ("siem", "pending", 0)]
    with store.engine.connect() as conn:
        siem = next(d for d in notify_store.deliveries(conn) if d.channel == "siem")
    assert [p["excerpt"] for p in siem.payload["posts"]] == ["L'appli Hélios est en panne", "Toujours rien"]
    with pytest.raises(RuntimeError), store.engine.begin() as conn:  # the alert's transaction fails: nothing queued
        notify.enqueue(conn, alert(alert_id=8), config, now=T0)
        raise RuntimeError("the watch failed after enqueueing")
    assert len(_states(store)) == 2


def notify_store_posts(conn):
    from veilleur.storage.feed import analysed_posts

    return analysed_posts(conn, 0)


def test_enqueue_refuses_an_alert_without_id(store):
    with pytest.raises(notify.NotifyError, match="stored"), store.engine.begin() as conn:
        notify.enqueue(conn, alert(alert_id=None), settings(), now=T0)


def test_receiver_down_then_up_delivers_each_alert_exactly_once(store):
    receiver = Receiver().start()
    receiver.stop()  # down before anything is sent: the port is known, nobody listens
    config = settings({"name": "siem", "kind": "webhook", "url": receiver.url, "secret": SECRET,
                       "min_severity": "info"}, retry={"base_delay_s": 60, "jitter": 0.2, "max_attempts": 5})
    for alert_id in (1, 2, 3):
        _enqueue(store, alert(alert_id=alert_id), config)
    rng = random.Random(4)
    with Transport(config, clock=lambda: T0.timestamp()) as transport:
        first = notify.deliver_due(store, config, T0, transport=transport, rng=rng)
        assert (first.sent, first.failed) == (0, 3)
        assert notify.deliver_due(store, config, T0 + timedelta(seconds=30), transport=transport).attempted == 0
        receiver.start()  # back up, on the same port
        try:
            later = T0 + timedelta(seconds=75)  # after every back-off (60 s ± 20 %)
            second = notify.deliver_due(store, config, later, transport=transport, rng=rng)
            third = notify.deliver_due(store, config, later + timedelta(hours=1), transport=transport, rng=rng)
        finally:
            receiver.stop()
    assert (second.sent, second.failed, third.attempted) == (3, 0, 0)
    assert _states(store) == [("siem", "sent", 2)] * 3
    keys = [headers["X-Veilleur-Delivery"] for _, headers, _ in receiver.requests]
    assert len(keys) == len(set(keys)) == 3
    assert sorted(orjson.loads(body)["alert"]["id"] for _, _, body in receiver.requests) == [1, 2, 3]
    assert all(verify_signature(SECRET, h, b, now=T0.timestamp()) for _, h, b in receiver.requests)
    with store.engine.connect() as conn:
        log = notify_store.attempts_log(conn)
    assert [(a.state, a.status_code) for a in log[:3]] == [("sent", 200)] * 3
    assert [a.state for a in log[3:]] == ["failed"] * 3 and all("ConnectError" in a.error for a in log[3:])


def test_backoff_doubles_with_deterministic_jitter_up_to_the_cap():
    retry = RetrySettings(base_delay_s=30, max_delay_s=600, jitter=0.2)
    waits = [notify.backoff_s(n, retry, random.Random(1)) for n in range(1, 8)]
    assert waits == [notify.backoff_s(n, retry, random.Random(1)) for n in range(1, 8)]
    plain = [30, 60, 120, 240, 480, 600, 600]
    assert all(0.8 * p <= w <= 1.2 * p for w, p in zip(waits, plain, strict=True))
    assert notify.backoff_s(1, retry, random.Random(1), retry_after_s=900) == 900


def test_dead_after_max_attempts_then_requeued(store):
    calls = []

    def refuse(request):
        calls.append(request.headers["X-Veilleur-Delivery"])
        return httpx.Response(500, text="boom")

    config = settings({"name": "chat", "kind": "mattermost", "url": "http://127.0.0.1:9/h", "min_severity": "info"},
                      retry={"base_delay_s": 10, "jitter": 0, "max_attempts": 3})
    _enqueue(store, alert(), config)
    transport = Transport(config, http=httpx.Client(transport=httpx.MockTransport(refuse)))
    now = T0
    for expected_wait in (10, 20, None):
        notify.deliver_due(store, config, now, transport=transport, rng=random.Random(0))
        with store.engine.connect() as conn:
            delivery = notify_store.deliveries(conn)[0]
        if expected_wait is not None:
            assert delivery.state == "failed" and delivery.next_attempt_at == now + timedelta(seconds=expected_wait)
            now = delivery.next_attempt_at
    assert delivery.state == "dead" and delivery.attempts == 3 and delivery.last_error == "HTTP 500: boom"
    assert len(calls) == 3 and len(set(calls)) == 1  # every retry carries the same key
    assert notify.deliver_due(store, config, now + timedelta(days=1), transport=transport).attempted == 0
    with store.engine.begin() as conn:
        assert notify_store.requeue_dead(conn, now) == 1
    assert notify.deliver_due(store, config, now, transport=transport).failed == 1


def test_a_channel_removed_from_the_settings_is_a_logged_failure(store):
    config = settings({"name": "old", "kind": "slack", "url": "http://127.0.0.1:9/h"})
    _enqueue(store, alert(), config)
    run = notify.deliver_due(store, settings(), T0, rng=random.Random(0))
    with store.engine.connect() as conn:
        attempt = notify_store.attempts_log(conn)[0]
    assert run.failed == 1 and "'old' is not configured" in attempt.error


def test_send_test_message_through_a_channel(store):
    receiver = Receiver().start()
    try:
        config = settings({"name": "equipe", "kind": "teams", "url": receiver.url, "banks": ["Kivo"]})
        delivery = notify.send_test(store, config, "equipe", now=T0)
    finally:
        receiver.stop()
    assert delivery.state == "sent" and delivery.alert_id is None
    card = orjson.loads(receiver.requests[0][2])["attachments"][0]["content"]
    assert "message de test du canal « equipe »" in card["body"][0]["text"]
    with pytest.raises(notify.NotifyError, match="unknown channel 'nope' \\(channels: equipe\\)"):
        notify.send_test(store, config, "nope", now=T0)


def test_in_app_list_per_user_within_their_entities(store):
    config = settings()
    _enqueue(store, alert(alert_id=1, entity="helios"), config)
    _enqueue(store, alert(alert_id=2, entity="helios-normandie", severity=Severity.INFO), config)
    _enqueue(store, alert(alert_id=3, entity=None, bank="Kivo"), config)
    group = Actor("alice", Role.COMMUNICATION)
    normandy = Actor("bob", Role.COMMUNITY_MANAGER, "helios-normandie", frozenset({"helios-normandie"}))
    assert [n.alert_id for n in notify.notices(store, group)] == [3, 2, 1]
    assert [n.alert_id for n in notify.notices(store, normandy)] == [2]
    assert notify.unread_count(store, group) == 3
    first = notify.notices(store, group)[2]
    assert notify.mark_read(store, group, [first.id], now=T0) == 1
    assert notify.mark_read(store, group, [first.id], now=T0) == 0
    assert [n.alert_id for n in notify.notices(store, group, unread_only=True)] == [3, 2]
    assert notify.unread_count(store, normandy) == 1  # read marks are per user
    with pytest.raises(notify.NotifyError, match="no such alert notice"):
        notify.mark_read(store, normandy, [first.id], now=T0)  # not in bob's entities
    _enqueue(store, alert(alert_id=1, entity="helios", severity=Severity.CRITICAL), config)  # escalated again
    assert notify.unread_count(store, group) == 3


def test_a_claimed_delivery_is_not_sent_twice_and_comes_back_after_a_crash(store):
    config = settings({"name": "chat", "kind": "slack", "url": "http://127.0.0.1:9/h"})
    _enqueue(store, alert(), config)
    with store.engine.begin() as conn:
        delivery_id = notify_store.due_ids(conn, T0, 10)[0]
        first = notify_store.claim(conn, delivery_id, T0, T0 + timedelta(seconds=60))
    with store.engine.begin() as conn:  # a second worker meanwhile
        assert first is not None and notify_store.claim(conn, delivery_id, T0, T0 + timedelta(seconds=60)) is None
        assert notify_store.due_ids(conn, T0 + timedelta(seconds=59), 10) == []
        # the first worker died while sending: after the lease, the delivery is due again, with the same key
        again = notify_store.claim(conn, delivery_id, T0 + timedelta(seconds=61), T0 + timedelta(seconds=121))
    assert again is not None and again.key == first.key and again.attempts == 0
