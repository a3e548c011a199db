"""The schema, once for SQLite and PostgreSQL (SQLAlchemy Core). Alembic migrations create it.

Times are stored in UTC. The compliance tables (journal, its head and purge anchors, legal
holds) come from migration 0002. JSON columns hold what has no fixed shape (metrics, the raw payload,
topics, details). Full-text search objects (an FTS5 table on SQLite, a ``french``+``unaccent``
text-search configuration and GIN index on PostgreSQL) are made by the migration, not here,
because they differ per dialect. Imports SQLAlchemy only.
"""
from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

NAMING = {"ix": "ix_%(column_0_label)s", "uq": "uq_%(table_name)s_%(column_0_name)s",
          "fk": "fk_%(table_name)s_%(column_0_name)s", "pk": "pk_%(table_name)s"}
metadata = MetaData(naming_convention=NAMING)

# BIGINT on PostgreSQL, INTEGER on SQLite (where only INTEGER PRIMARY KEY is the rowid alias).
Id = BigInteger().with_variant(Integer, "sqlite")
UtcTime = DateTime(timezone=True)

authors = Table(
    "authors", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("platform", String(32), nullable=False),
    Column("handle", String(200), nullable=False),
    Column("display_name", Text),
    Column("followers", BigInteger),
    Column("verified", Boolean, nullable=False, default=False),
    Column("bio", Text),
    Column("url", Text),
    Column("updated_at", UtcTime, nullable=False),
    UniqueConstraint("platform", "handle", name="uq_authors_platform_handle"),
)

posts = Table(
    "posts", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("platform", String(32), nullable=False),
    Column("external_id", String(200), nullable=False),
    Column("url", Text),
    Column("author_id", Id, ForeignKey("authors.id")),
    Column("text", Text, nullable=False),  # masked when personal data was found: what is indexed and shown
    # the text before masking, AES-GCM encrypted (storage.masking), or NULL (dropped, nothing masked, erased)
    Column("text_original", LargeBinary),
    Column("text_state", String(16), nullable=False, server_default="original"),  # see storage.masking
    Column("created_at", UtcTime, nullable=False),
    Column("language", String(16)),  # the platform's tag; the detected one is in analyses
    Column("conversation_id", String(200)),
    Column("reply_to_id", String(200)),
    Column("metrics", JSON, nullable=False),
    Column("raw", JSON, nullable=False),
    Column("source", String(500)),
    Column("ingested_at", UtcTime, nullable=False),
    Column("updated_at", UtcTime, nullable=False),
    UniqueConstraint("platform", "external_id", name="uq_posts_platform_external_id"),
    Index("ix_posts_created_at", "created_at"),
    Index("ix_posts_conversation", "platform", "conversation_id"),
)

analyses = Table(
    "analyses", metadata,
    Column("post_id", Id, ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True),
    Column("language", String(16)),
    Column("bank", String(200)),
    Column("entity", String(100)),
    Column("sentiment", String(16)),
    Column("intent", String(16)),
    Column("topics", JSON),
    Column("abusive", Boolean),
    Column("urgency", String(16)),
    Column("pii", JSON),
    Column("clean_text", Text),
    Column("details", JSON, nullable=False),
    Column("analysed_at", UtcTime, nullable=False),
    Index("ix_analyses_bank", "bank"),
)

checkpoints = Table(
    "checkpoints", metadata,
    Column("source", String(500), primary_key=True),
    Column("position", Text, nullable=False),
    Column("updated_at", UtcTime, nullable=False),
)

dead_letters = Table(
    "dead_letters", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("fingerprint", String(64), nullable=False),
    Column("source", String(500), nullable=False),
    Column("location", String(500)),
    Column("stage", String(64)),
    Column("reason", Text, nullable=False),
    Column("raw", LargeBinary, nullable=False),  # bytes: invalid UTF-8 is kept exactly
    Column("created_at", UtcTime, nullable=False),
    UniqueConstraint("fingerprint", name="uq_dead_letters_fingerprint"),
)


# -- compliance (migration 0002) ---------------------------------------------------------------
# The append-only, hash-chained journal (storage.journal). Ids are given by the writer (the head's
# last id + 1) because each entry's hash covers its id; an UPDATE is refused by a trigger.
journal = Table(
    "journal", metadata,
    Column("id", Id, primary_key=True, autoincrement=False),
    Column("at", UtcTime, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(64), nullable=False),
    Column("record_type", String(64), nullable=False),
    Column("subject", String(500)),
    Column("details", JSON, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Index("ix_journal_at", "at"),
    Index("ix_journal_record_type_at", "record_type", "at"),
)

# One row: the last entry written (id and hash). Appenders lock it, so entries are chained one
# writer at a time; verify compares it with the last entry, so deleting the tail is seen.
journal_head = Table(
    "journal_head", metadata,
    Column("name", String(32), primary_key=True),
    Column("last_id", BigInteger, nullable=False),
    Column("last_hash", String(64), nullable=False),
    Column("updated_at", UtcTime, nullable=False),
)

# A run of consecutive entries deleted by a purge: the hash before it and the hash of its last
# entry, so that verify walks across the gap.
journal_anchors = Table(
    "journal_anchors", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("first_id", BigInteger, nullable=False),
    Column("last_id", BigInteger, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("last_hash", String(64), nullable=False),
    Column("count", BigInteger, nullable=False),
    Column("purged_at", UtcTime, nullable=False),
    UniqueConstraint("first_id", name="uq_journal_anchors_first_id"),
)

# Records kept whatever a GDPR erasure asks: "author:<handle>" (every platform),
# "author:<platform>:<handle>" or "post:<platform>:<external id>"; until NULL = until released.
legal_holds = Table(
    "legal_holds", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("subject", String(500), nullable=False),
    Column("reason", Text, nullable=False),
    Column("until", UtcTime),
    Column("set_by", String(200), nullable=False),
    Column("set_at", UtcTime, nullable=False),
    Index("ix_legal_holds_subject", "subject"),
)
