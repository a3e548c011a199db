"""The notify room's tables (SQLAlchemy Core), on the shared ``storage.tables.metadata``.

- ``notify_outbox``: one row per (alert, channel) delivery, written in the alert's own transaction
  (``analytics.notify.enqueue``) so that no alert is lost; the worker moves it from ``pending``
  to ``sent``, or ``failed`` (to be retried at ``next_attempt_at``), or ``dead`` (gave up).
  ``key`` is the idempotency key receivers see in ``X-Veilleur-Delivery``.
- ``notify_attempts``: the delivery log, one row per attempt (status code, error, duration).
- ``notify_notices``: the in-app list, one row per alert (updated when the alert is sent again);
  ``notify_reads``: which user has read which notice.

``alert_id`` is not a foreign key: the outbox must keep a delivery whatever becomes of the
alert, and test messages have no alert. Imported by ``storage.schema`` so that the schema is
complete for migrations and drift checks. Imports SQLAlchemy and ``storage.tables`` only.
"""
from __future__ import annotations

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint

from veilleur.storage.tables import Id, UtcTime, metadata

notify_outbox = Table(
    "notify_outbox", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("key", String(64), nullable=False),
    Column("alert_id", Id),
    Column("channel", String(100), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("state", String(16), nullable=False),  # pending, sent, failed, dead
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UtcTime, nullable=False),
    Column("last_error", Text),
    Column("created_at", UtcTime, nullable=False),
    Column("sent_at", UtcTime),
    UniqueConstraint("key", name="uq_notify_outbox_key"),
    Index("ix_notify_outbox_state_next", "state", "next_attempt_at"),
    Index("ix_notify_outbox_alert_id", "alert_id"),
)

notify_attempts = Table(
    "notify_attempts", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("outbox_id", Id, ForeignKey("notify_outbox.id", ondelete="CASCADE"), nullable=False),
    Column("channel", String(100), nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("at", UtcTime, nullable=False),
    Column("state", String(16), nullable=False),  # the outbox state after this attempt
    Column("status_code", Integer),
    Column("error", Text),
    Column("duration_ms", Integer, nullable=False),
    Index("ix_notify_attempts_at", "at"),
    Index("ix_notify_attempts_outbox_id", "outbox_id"),
)

notify_notices = Table(
    "notify_notices", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("alert_id", Id, nullable=False),
    Column("bank", String(200)),
    Column("entity", String(100)),
    Column("kind", String(32), nullable=False),
    Column("severity", String(16), nullable=False),
    Column("title", Text, nullable=False),
    Column("why", Text, nullable=False),
    Column("created_at", UtcTime, nullable=False),
    Column("updated_at", UtcTime, nullable=False),
    UniqueConstraint("alert_id", name="uq_notify_notices_alert_id"),
    Index("ix_notify_notices_updated_at", "updated_at"),
)

notify_reads = Table(
    "notify_reads", metadata,
    Column("login", String(200), primary_key=True),
    Column("notice_id", Id, ForeignKey("notify_notices.id", ondelete="CASCADE"), primary_key=True),
    Column("read_at", UtcTime, nullable=False),
)
