"""SQL of the notify room: the outbox, the delivery log, the in-app notices and read marks.

Functions take a SQLAlchemy ``Connection`` so that callers choose the transaction: ``enqueue``
writes in the alert's own transaction; the delivery worker claims a row (a short lease, one
atomic UPDATE), sends it outside any transaction, then records the outcome.

Imports ``storage.notify_tables``, ``storage.tables`` and SQLAlchemy only.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, exists, func, insert, select, update
from sqlalchemy.engine import Connection

from veilleur.storage.base import utc
from veilleur.storage.notify_tables import notify_attempts, notify_notices, notify_outbox, notify_reads

DUE_STATES = ("pending", "failed")


@dataclass(slots=True)
class Delivery:
    """One row of the outbox."""

    id: int
    key: str
    alert_id: int | None
    channel: str
    kind: str
    payload: dict[str, Any]
    state: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None


@dataclass(slots=True)
class Attempt:
    """One line of the delivery log."""

    id: int
    outbox_id: int
    key: str
    alert_id: int | None
    channel: str
    attempt: int
    at: datetime
    state: str
    status_code: int | None
    error: str | None
    duration_ms: int


@dataclass(slots=True)
class Notice:
    """One alert in the in-app list, with whether the user read it."""

    id: int
    alert_id: int
    bank: str | None
    entity: str | None
    kind: str
    severity: str
    title: str
    why: str
    created_at: datetime
    updated_at: datetime
    read: bool = False


def _delivery(r) -> Delivery:
    return Delivery(id=r.id, key=r.key, alert_id=r.alert_id, channel=r.channel, kind=r.kind, payload=r.payload,
                    state=r.state, attempts=r.attempts, next_attempt_at=utc(r.next_attempt_at),
                    last_error=r.last_error, created_at=utc(r.created_at), sent_at=utc(r.sent_at))


def add_deliveries(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Insert pending deliveries (``key``, ``alert_id``, ``channel``, ``kind``, ``payload``, ``now``)."""
    if rows:
        conn.execute(insert(notify_outbox), [
            {"key": r["key"], "alert_id": r["alert_id"], "channel": r["channel"], "kind": r["kind"],
             "payload": r["payload"], "state": "pending", "attempts": 0, "next_attempt_at": r["now"],
             "created_at": r["now"]} for r in rows])


def due_ids(conn: Connection, now: datetime, limit: int) -> list[int]:
    """Ids of the deliveries due at ``now`` (pending or failed, time come), oldest first."""
    query = (select(notify_outbox.c.id)
             .where(notify_outbox.c.state.in_(DUE_STATES), notify_outbox.c.next_attempt_at <= now)
             .order_by(notify_outbox.c.next_attempt_at, notify_outbox.c.id).limit(limit))
    return list(conn.execute(query).scalars())


def claim(conn: Connection, delivery_id: int, now: datetime, lease_until: datetime) -> Delivery | None:
    """Take one delivery still due by pushing its next attempt to ``lease_until``; None if another worker has it.

    The conditional UPDATE is atomic on both back ends, so two workers never send the same
    delivery at once, and no transaction stays open while it is sent. If the worker dies while
    sending, the delivery is due again when the lease ends (and is sent with the same key).
    """
    taken = conn.execute(update(notify_outbox).where(
        notify_outbox.c.id == delivery_id, notify_outbox.c.state.in_(DUE_STATES),
        notify_outbox.c.next_attempt_at <= now).values(next_attempt_at=lease_until)).rowcount
    if taken != 1:
        return None
    return _delivery(conn.execute(select(notify_outbox).where(notify_outbox.c.id == delivery_id)).one())


def record_attempt(conn: Connection, delivery: Delivery, *, state: str, at: datetime, next_attempt_at: datetime,
                   status_code: int | None, error: str | None, duration_ms: int) -> None:
    """Write one attempt's outcome on the outbox row and in the delivery log."""
    attempt = delivery.attempts + 1
    conn.execute(update(notify_outbox).where(notify_outbox.c.id == delivery.id).values(
        state=state, attempts=attempt, next_attempt_at=next_attempt_at, last_error=error,
        sent_at=at if state == "sent" else None))
    conn.execute(insert(notify_attempts).values(
        outbox_id=delivery.id, channel=delivery.channel, attempt=attempt, at=at, state=state,
        status_code=status_code, error=error, duration_ms=duration_ms))


def deliveries(conn: Connection, *, state: str | None = None, alert_id: int | None = None,
               limit: int = 100) -> list[Delivery]:
    """Outbox rows, newest first, optionally of one state or one alert."""
    query = select(notify_outbox).order_by(notify_outbox.c.id.desc()).limit(limit)
    if state:
        query = query.where(notify_outbox.c.state == state)
    if alert_id is not None:
        query = query.where(notify_outbox.c.alert_id == alert_id)
    return [_delivery(r) for r in conn.execute(query)]


def delivery_by_key(conn: Connection, key: str) -> Delivery:
    return _delivery(conn.execute(select(notify_outbox).where(notify_outbox.c.key == key)).one())


def counts_by_state(conn: Connection) -> dict[str, int]:
    query = select(notify_outbox.c.state, func.count()).group_by(notify_outbox.c.state)
    return {state: n for state, n in conn.execute(query)}


def attempts_log(conn: Connection, *, channel: str | None = None, limit: int = 50) -> list[Attempt]:
    """The delivery log, newest first."""
    query = (select(notify_attempts, notify_outbox.c.key, notify_outbox.c.alert_id)
             .join(notify_outbox, notify_outbox.c.id == notify_attempts.c.outbox_id)
             .order_by(notify_attempts.c.id.desc()).limit(limit))
    if channel:
        query = query.where(notify_attempts.c.channel == channel)
    return [Attempt(id=r.id, outbox_id=r.outbox_id, key=r.key, alert_id=r.alert_id, channel=r.channel,
                    attempt=r.attempt, at=utc(r.at), state=r.state, status_code=r.status_code, error=r.error,
                    duration_ms=r.duration_ms) for r in conn.execute(query)]


def requeue_dead(conn: Connection, now: datetime, channel: str | None = None) -> int:
    """Give dead deliveries another round of attempts (after the receiver was fixed)."""
    query = (update(notify_outbox).where(notify_outbox.c.state == "dead")
             .values(state="failed", attempts=0, next_attempt_at=now))
    if channel:
        query = query.where(notify_outbox.c.channel == channel)
    return conn.execute(query).rowcount


# -- in-app notices ---------------------------------------------------------------------------
def upsert_notice(conn: Connection, values: dict[str, Any], now: datetime) -> None:
    """Add the notice of an alert, or refresh it (it becomes unread again for everyone)."""
    existing = conn.execute(select(notify_notices.c.id).where(
        notify_notices.c.alert_id == values["alert_id"])).scalar()
    if existing is None:
        conn.execute(insert(notify_notices).values(**values, created_at=now, updated_at=now))
        return
    conn.execute(update(notify_notices).where(notify_notices.c.id == existing).values(**values, updated_at=now))
    conn.execute(delete(notify_reads).where(notify_reads.c.notice_id == existing))


def notices(conn: Connection, login: str, scope: frozenset[str] | None, *, unread_only: bool,
            limit: int) -> list[Notice]:
    """Notices of the entities in ``scope`` (None: all), newest first, each with whether ``login`` read it."""
    read = exists().where(and_(notify_reads.c.notice_id == notify_notices.c.id, notify_reads.c.login == login))
    query = select(notify_notices, read.label("read")).order_by(notify_notices.c.updated_at.desc(),
                                                                notify_notices.c.id.desc()).limit(limit)
    if unread_only:
        query = query.where(~read)
    if scope is not None:
        query = query.where(notify_notices.c.entity.in_(sorted(scope)))
    return [Notice(id=r.id, alert_id=r.alert_id, bank=r.bank, entity=r.entity, kind=r.kind, severity=r.severity,
                   title=r.title, why=r.why, created_at=utc(r.created_at), updated_at=utc(r.updated_at),
                   read=bool(r.read)) for r in conn.execute(query)]


def notice_entities(conn: Connection, ids: Iterable[int]) -> dict[int, str | None]:
    ids = list(ids)
    if not ids:
        return {}
    query = select(notify_notices.c.id, notify_notices.c.entity).where(notify_notices.c.id.in_(ids))
    return {r.id: r.entity for r in conn.execute(query)}


def mark_read(conn: Connection, login: str, notice_ids: Iterable[int], now: datetime) -> int:
    """Mark notices read by ``login`` (already read ones are left as they are)."""
    ids = sorted(set(notice_ids))
    if not ids:
        return 0
    done = set(conn.execute(select(notify_reads.c.notice_id).where(
        notify_reads.c.login == login, notify_reads.c.notice_id.in_(ids))).scalars())
    fresh = [i for i in ids if i not in done]
    if fresh:
        conn.execute(insert(notify_reads), [{"login": login, "notice_id": i, "read_at": now} for i in fresh])
    return len(fresh)
