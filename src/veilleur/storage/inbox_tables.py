"""The inbox room's tables (SQLAlchemy Core), on the shared ``storage.tables.metadata``.

Cases carry a ``version`` column: every update is ``UPDATE ... WHERE id=? AND version=?`` so that
two agents acting at once cannot overwrite each other (``storage.inbox_store``). Texts kept here
(notes, replies) are masked of personal data before they are written. Migration 0003 creates
these tables. Imported by ``storage.schema`` so that the schema is complete for migrations and
drift checks. Imports SQLAlchemy and ``storage.tables`` only.
"""
from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint

from veilleur.storage.tables import Id, UtcTime, metadata

inbox_cases = Table(
    "inbox_cases", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("version", Integer, nullable=False),
    Column("state", String(32), nullable=False),
    Column("state_reason", String(200)),
    Column("priority", String(4), nullable=False),
    Column("queue", String(100), nullable=False),
    Column("team", String(100)),
    Column("assignee", String(200)),
    Column("entity", String(100)),
    Column("bank", String(200)),
    Column("platform", String(32)),
    Column("author_handle", String(200)),
    Column("conversation_key", String(700), nullable=False),
    Column("tags", JSON, nullable=False),
    Column("crm_customer_id", String(200)),
    Column("intent", String(16)),
    Column("topics", JSON, nullable=False),
    Column("opened_at", UtcTime, nullable=False),
    Column("updated_at", UtcTime, nullable=False),
    Column("updated_by", String(200), nullable=False),
    Column("first_response_at", UtcTime),
    Column("answered_at", UtcTime),
    Column("closed_at", UtcTime),
    Column("last_customer_at", UtcTime),
    Column("reopened_count", Integer, nullable=False),
    Column("escalated", Boolean, nullable=False),
    Column("answered_in_public", Boolean, nullable=False),
    Column("moved_private", Boolean, nullable=False),
    Column("first_response_due", UtcTime),
    Column("resolution_due", UtcTime),
    Column("rule", String(200)),
    Index("ix_inbox_cases_conversation_key", "conversation_key"),
    Index("ix_inbox_cases_queue_state", "queue", "state"),
    Index("ix_inbox_cases_author", "author_handle"),
    Index("ix_inbox_cases_assignee_state", "assignee", "state"),  # the agents' load (round robin)
)

# Which post belongs to which case; ``from_bank`` marks the bank's own replies found in the feed.
inbox_case_posts = Table(
    "inbox_case_posts", metadata,
    Column("post_id", Id, ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True),
    Column("case_id", Id, ForeignKey("inbox_cases.id", ondelete="CASCADE"), nullable=False),
    Column("platform", String(32), nullable=False),
    Column("external_id", String(200), nullable=False),
    Column("author_handle", String(200)),
    Column("fingerprint", String(64)),  # hash of the normalised text: duplicates and cross-posts
    Column("posted_at", UtcTime, nullable=False),
    Column("from_bank", Boolean, nullable=False),
    Index("ix_inbox_case_posts_case_id", "case_id"),
    Index("ix_inbox_case_posts_external", "platform", "external_id"),
    Index("ix_inbox_case_posts_fingerprint", "fingerprint"),
)

inbox_case_events = Table(
    "inbox_case_events", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("case_id", Id, ForeignKey("inbox_cases.id", ondelete="CASCADE"), nullable=False),
    Column("at", UtcTime, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(64), nullable=False),
    Column("details", JSON, nullable=False),
    Index("ix_inbox_case_events_case_id", "case_id"),
)

inbox_notes = Table(
    "inbox_notes", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("case_id", Id, ForeignKey("inbox_cases.id", ondelete="CASCADE"), nullable=False),
    Column("at", UtcTime, nullable=False),
    Column("author", String(200), nullable=False),
    Column("text", Text, nullable=False),  # masked
    Index("ix_inbox_notes_case_id", "case_id"),
)

# Drafts and sent replies, with their policy findings and the four-eyes approval.
inbox_replies = Table(
    "inbox_replies", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("case_id", Id, ForeignKey("inbox_cases.id", ondelete="CASCADE"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("state", String(32), nullable=False),  # draft, pending_approval, approved, rejected, sent
    Column("channel", String(16), nullable=False),  # public, private
    Column("in_reply_to", Id),  # the post answered (private replies per public comment)
    Column("text", Text, nullable=False),
    Column("author", String(200), nullable=False),
    Column("created_at", UtcTime, nullable=False),
    Column("findings", JSON, nullable=False),
    Column("approval_reasons", JSON, nullable=False),
    Column("approver", String(200)),
    Column("approval_comment", Text),
    Column("decided_at", UtcTime),
    Column("sent_at", UtcTime),
    Column("platform_id", String(200)),
    Index("ix_inbox_replies_case_id", "case_id"),
)

inbox_complaints = Table(
    "inbox_complaints", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("case_id", Id, ForeignKey("inbox_cases.id", ondelete="CASCADE"), nullable=False),
    Column("entity", String(100)),
    Column("received_at", UtcTime, nullable=False),
    Column("acknowledge_due", UtcTime, nullable=False),
    Column("answer_due", UtcTime, nullable=False),
    Column("acknowledged_at", UtcTime),
    Column("answered_at", UtcTime),
    Column("summary", Text, nullable=False),
    UniqueConstraint("case_id", name="uq_inbox_complaints_case_id"),
)

# The intake's cursor (the last post id handled) and the round robin's last agent per team.
inbox_cursor = Table(
    "inbox_cursor", metadata,
    Column("name", String(100), primary_key=True),
    Column("last_post_id", Id, nullable=False),
    Column("updated_at", UtcTime, nullable=False),
)

inbox_round_robin = Table(
    "inbox_round_robin", metadata,
    Column("team", String(100), primary_key=True),
    Column("last_agent", String(200), nullable=False),
    Column("updated_at", UtcTime, nullable=False),
)
