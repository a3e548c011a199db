"""The watch room's tables (SQLAlchemy Core), on the shared ``storage.tables.metadata``.

- ``watch_counters``: posts and reach per (grain, bucket start, bank, dimension, value), updated by
  upsert as posts arrive (``analytics.series``); ``bank`` is "" for posts about no bank, and
  dimension "all" (value "*") holds the bank's total.
- ``watch_cursors``: the last post id each follower of the feed handled, committed with its work.
- ``watch_alerts`` and ``watch_incidents``: what the detectors raised and what people did with it.

Imported by ``storage.schema`` so that the schema is complete for migrations and drift checks.
Imports SQLAlchemy and ``storage.tables`` only.
"""
from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, Index, Integer, String, Table, Text

from veilleur.storage.tables import Id, UtcTime, metadata

watch_counters = Table(
    "watch_counters", metadata,
    Column("grain", String(8), primary_key=True),
    Column("bucket", UtcTime, primary_key=True),
    Column("bank", String(200), primary_key=True),
    Column("dimension", String(32), primary_key=True),
    Column("value", String(200), primary_key=True),
    Column("posts", BigInteger, nullable=False),
    Column("reach", BigInteger, nullable=False),
)

watch_cursors = Table(
    "watch_cursors", metadata,
    Column("name", String(64), primary_key=True),
    Column("last_post_id", BigInteger, nullable=False),
    Column("updated_at", UtcTime, nullable=False),
)

watch_alerts = Table(
    "watch_alerts", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("kind", String(32), nullable=False),
    Column("subject", String(500), nullable=False),
    Column("bank", String(200)),
    Column("entity", String(100)),
    Column("severity", String(16), nullable=False),
    Column("state", String(16), nullable=False),
    Column("title", Text, nullable=False),
    Column("explanation", JSON, nullable=False),
    Column("post_ids", JSON, nullable=False),
    Column("fired", Integer, nullable=False),
    Column("opened_at", UtcTime, nullable=False),
    Column("updated_at", UtcTime, nullable=False),
    Column("closed_at", UtcTime),
    Column("handled_by", String(200)),
    Column("incident_id", BigInteger),
    Index("ix_watch_alerts_subject_state", "subject", "state"),
    Index("ix_watch_alerts_opened_at", "opened_at"),
)

watch_incidents = Table(
    "watch_incidents", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("bank", String(200)),
    Column("entity", String(100)),
    Column("topic", String(64)),
    Column("title", Text, nullable=False),
    Column("state", String(16), nullable=False),
    Column("severity", String(16), nullable=False),
    Column("opened_at", UtcTime, nullable=False),
    Column("updated_at", UtcTime, nullable=False),
    Column("closed_at", UtcTime),
    Column("alert_ids", JSON, nullable=False),
    Column("post_ids", JSON, nullable=False),
    Column("timeline", JSON, nullable=False),
    Column("holding_statement", Text, nullable=False),
    Column("statement_status", String(16), nullable=False),
)
