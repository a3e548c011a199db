"""Alert delivery without loss: the outbox, the delivery worker with back-off, the in-app list.

1. ``enqueue(conn, alert, settings)`` is called by the watch in the transaction that stores the
   alert: it writes one outbox row per channel whose routing takes the alert (severity, bank,
   kind), with the payload already rendered, and the alert's in-app notice. If that transaction
   rolls back, nothing is sent; if it commits, the deliveries exist even if the process dies.
2. ``deliver_due(store, settings, now)`` sends what is due, each row claimed with a short lease (no
   transaction stays open during the network call), then: sent, or
   failed with the next attempt at ``now + backoff`` (exponential, capped, with jitter; the
   receiver's ``Retry-After`` is honoured), or dead after ``retry.max_attempts``. Every attempt is
   logged. Delivery is at least once: a crash between sending and committing sends again, with the
   same ``X-Veilleur-Delivery`` key, so receivers de-duplicate on it.
3. The in-app list: ``notices`` / ``unread_count`` / ``mark_read`` for one actor, within the
   entities the actor sees.

Imports ``core``, ``errors``, ``analytics.notify_*``, ``storage.feed``, ``storage.notify_store``.
"""
from __future__ import annotations

import random
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Connection

from veilleur.analytics.notify_channels import Outcome, Transport
from veilleur.analytics.notify_messages import Message, PostLink, channel_payload, compose, excerpt
from veilleur.analytics.notify_settings import ChannelSettings, NotifySettings, RetrySettings
from veilleur.core.actor import Actor
from veilleur.core.alert import Alert, AlertKind, Explanation, Severity
from veilleur.errors import VeilleurError
from veilleur.storage import notify_store
from veilleur.storage.feed import posts_by_id


class NotifyError(VeilleurError):
    """A delivery cannot be made or asked for (unknown channel, alert without id, unknown notice)."""


@dataclass(slots=True)
class DeliveryRun:
    """What one ``deliver_due`` pass did."""

    sent: int = 0
    failed: int = 0
    dead: int = 0

    @property
    def attempted(self) -> int:
        return self.sent + self.failed + self.dead


def _notify_settings(settings: Any) -> NotifySettings:
    return settings if isinstance(settings, NotifySettings) else settings.notify


def _utc(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    return now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)


def post_links(conn: Connection, post_ids: list[int], limit: int) -> list[PostLink]:
    """The first ``limit`` posts behind an alert, as messages quote them."""
    return [PostLink(p.id, p.platform, p.url, excerpt(p.text), p.created_at)
            for p in posts_by_id(conn, list(post_ids)[:limit])]


# -- 1. enqueue ------------------------------------------------------------------------------
def enqueue(conn: Connection, alert: Alert, settings: Any, now: datetime | None = None) -> list[str]:
    """Queue ``alert`` for every channel that takes it, and add it to the in-app list.

    Call it inside the transaction that stores (or updates) the alert, after its id is known.

    Args:
        conn: the alert's transaction.
        alert: the stored alert (``id`` set).
        settings: ``Settings`` or ``NotifySettings``.
        now: when (default: the clock).

    Returns:
        The delivery keys queued (one per channel routed to).
    """
    notify, now = _notify_settings(settings), _utc(now)
    if alert.id is None:
        raise NotifyError("an alert must be stored (have an id) before it is queued for delivery")
    notify_store.upsert_notice(conn, {"alert_id": alert.id, "bank": alert.bank, "entity": alert.entity,
                                      "kind": str(alert.kind), "severity": str(alert.severity),
                                      "title": alert.title, "why": alert.explanation.sentence()}, now)
    channels = [c for c in notify.channels if c.routes(alert.severity, alert.bank, alert.kind)]
    if not channels:
        return []
    message = compose(alert, post_links(conn, alert.post_ids, notify.max_posts), base_url=notify.base_url,
                      zone=notify.timezone)
    rows = [_row(alert, channel, message, now) for channel in channels]
    notify_store.add_deliveries(conn, rows)
    return [r["key"] for r in rows]


def _row(alert: Alert, channel: ChannelSettings, message: Message, now: datetime) -> dict[str, Any]:
    return {"key": uuid.uuid4().hex, "alert_id": alert.id, "channel": channel.name, "kind": str(channel.kind),
            "payload": channel_payload(channel.kind, alert, message, channel.to), "now": now}


# -- 2. deliver ------------------------------------------------------------------------------
def backoff_s(attempt: int, retry: RetrySettings, rng: random.Random, retry_after_s: float | None = None) -> float:
    """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
    delay = min(retry.max_delay_s, retry.base_delay_s * 2 ** (attempt - 1))
    delay *= 1 + retry.jitter * (2 * rng.random() - 1)
    return max(delay, retry_after_s or 0.0)


def deliver_due(store, settings: Any, now: datetime | None = None, transport: Transport | None = None,
                rng: random.Random | None = None, limit: int = 100) -> DeliveryRun:
    """Send the deliveries due at ``now``, at most ``limit``, one transaction each.

    Args:
        store: the ``SqlStore``.
        settings: ``Settings`` or ``NotifySettings``.
        now: the time deliveries are due by and attempts are logged at (default: the clock).
        transport: how to send (default: HTTP and SMTP per the settings); injected by tests.
        rng: the jitter's random source (default: a fresh ``random.Random``); seeded in tests.
        limit: most deliveries attempted in this pass.
    """
    notify, now = _notify_settings(settings), _utc(now)
    rng = rng or random.Random()
    run = DeliveryRun()
    own = transport is None
    transport = transport or Transport(notify)
    try:
        with store.engine.connect() as conn:
            ids = notify_store.due_ids(conn, now, limit)
        for delivery_id in ids:
            state = _deliver_one(store, notify, delivery_id, now, transport, rng)
            if state is not None:
                setattr(run, state, getattr(run, state) + 1)
    finally:
        if own:
            transport.close()
    return run


def _deliver_one(store, notify: NotifySettings, delivery_id: int, now: datetime, transport: Transport,
                 rng: random.Random) -> str | None:
    lease = timedelta(seconds=max(60.0, 3 * max(notify.http_timeout_s, notify.smtp.timeout_s)))
    with store.engine.begin() as conn:
        delivery = notify_store.claim(conn, delivery_id, now, now + lease)
    if delivery is None:
        return None
    channel = notify.channel(delivery.channel)
    started = time.perf_counter()
    if channel is None or not channel.enabled:
        outcome = Outcome(False, None, f"channel {delivery.channel!r} is not configured or is disabled")
    else:
        outcome = transport.send(channel, delivery.payload, delivery.key)
    duration_ms = round((time.perf_counter() - started) * 1000)
    attempt = delivery.attempts + 1
    if outcome.ok:
        state, next_at = "sent", now
    elif attempt >= notify.retry.max_attempts:
        state, next_at = "dead", now
    else:
        state = "failed"
        next_at = now + timedelta(seconds=backoff_s(attempt, notify.retry, rng, outcome.retry_after_s))
    with store.engine.begin() as conn:
        notify_store.record_attempt(conn, delivery, state=state, at=now, next_attempt_at=next_at,
                                    status_code=outcome.status_code, error=outcome.error, duration_ms=duration_ms)
    return state


def send_test(store, settings: Any, channel_name: str, now: datetime | None = None,
              transport: Transport | None = None) -> notify_store.Delivery:
    """Queue and send at once a test message through one channel; returns the delivery as it ended."""
    notify, now = _notify_settings(settings), _utc(now)
    channel = notify.channel(channel_name)
    if channel is None:
        known = ", ".join(c.name for c in notify.channels) or "none configured"
        raise NotifyError(f"unknown channel {channel_name!r} (channels: {known})")
    alert = sample_alert(channel, now)
    message = compose(alert, [], base_url=None, zone=notify.timezone, test=True)
    row = _row(alert, channel, message, now)
    row["alert_id"] = None
    with store.engine.begin() as conn:
        notify_store.add_deliveries(conn, [row])
    own = transport is None
    transport = transport or Transport(notify)
    try:
        with store.engine.connect() as conn:
            delivery_id = notify_store.delivery_by_key(conn, row["key"]).id
        _deliver_one(store, notify, delivery_id, now, transport, random.Random())
    finally:
        if own:
            transport.close()
    with store.engine.connect() as conn:
        return notify_store.delivery_by_key(conn, row["key"])


def sample_alert(channel: ChannelSettings, now: datetime) -> Alert:
    """The made-up alert a test message describes (it says it is a test)."""
    bank = channel.banks[0] if channel.banks else None
    explanation = Explanation(observed=42, expected=8, threshold=20, window_s=900, measure="messages en 15 min",
                              details={"test": True})
    return Alert(kind=AlertKind.VOLUME_BURST, subject="test", bank=bank, entity=None, severity=Severity.WARNING,
                 title=f"message de test du canal « {channel.name} » (aucune alerte réelle)",
                 explanation=explanation, opened_at=now, updated_at=now)


# -- 3. the in-app list ----------------------------------------------------------------------
def notices(store, actor: Actor, *, unread_only: bool = False, limit: int = 50) -> list[notify_store.Notice]:
    """The alerts of the in-app list that ``actor`` may see, newest first, each with its read mark."""
    with store.engine.connect() as conn:
        return notify_store.notices(conn, actor.name, actor.scope, unread_only=unread_only, limit=limit)


def unread_count(store, actor: Actor, limit: int = 1000) -> int:
    """How many alerts ``actor`` has not read (counted up to ``limit``)."""
    return len(notices(store, actor, unread_only=True, limit=limit))


def mark_read(store, actor: Actor, notice_ids: Iterable[int], now: datetime | None = None) -> int:
    """Mark notices read for ``actor``; refuses ids that do not exist or that the actor may not see."""
    ids = set(notice_ids)
    with store.engine.begin() as conn:
        entities = notify_store.notice_entities(conn, ids)
        unknown = sorted(i for i in ids if i not in entities or not actor.sees(entities[i]))
        if unknown:
            raise NotifyError(f"no such alert notice: {', '.join(map(str, unknown))}")
        return notify_store.mark_read(conn, actor.name, ids, _utc(now))
