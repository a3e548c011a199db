"""The access room's tables (SQLAlchemy Core), on the shared ``storage.tables.metadata``.

``users``: one row per person who logs in (login, display name, role, entity — NULL means the
whole group —, argon2 password hash, disabled flag). ``api_tokens``: the tokens issued to users,
stored as the SHA-256 of the token only (see ``access.users`` for why a fast hash is right for
random 32-byte tokens), with an expiry, the last use and a revocation time. Migration 0004
creates both.

Imported by ``storage.schema`` so that the schema is complete for migrations and drift checks.
Imports SQLAlchemy and ``storage.tables`` only.
"""
from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, Index, String, Table, Text, UniqueConstraint

from veilleur.storage.tables import Id, UtcTime, metadata

users = Table(
    "users", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("login", String(100), nullable=False),
    Column("display_name", String(200), nullable=False),
    Column("role", String(32), nullable=False),
    Column("entity", String(100)),  # NULL: the whole group
    Column("password_hash", Text),  # NULL: no password set (token-only user)
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", UtcTime, nullable=False),
    Column("updated_at", UtcTime, nullable=False),
    UniqueConstraint("login", name="uq_users_login"),
)

api_tokens = Table(
    "api_tokens", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("user_id", Id, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("token_hash", String(64), nullable=False),
    Column("created_at", UtcTime, nullable=False),
    Column("expires_at", UtcTime, nullable=False),
    Column("last_used_at", UtcTime),
    Column("revoked_at", UtcTime),
    UniqueConstraint("token_hash", name="uq_api_tokens_token_hash"),
    Index("ix_api_tokens_user_id", "user_id"),
)
