"""The access room's SQL: users and API tokens, read and written inside the caller's transaction.

Every function takes a SQLAlchemy ``Connection`` so that ``access.users`` commits a change and its
journal entry together. Secrets never come here in clear: passwords arrive as argon2 hashes and
tokens as the SHA-256 of the token. Imports SQLAlchemy and ``storage`` only.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace

from sqlalchemy import insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from veilleur.storage.access_tables import api_tokens, users
from veilleur.storage.base import utc


@dataclass(slots=True)
class UserRow:
    """A user as stored (the password hash included: never show or log it)."""

    id: int
    login: str
    display_name: str
    role: str
    entity: str | None
    password_hash: str | None
    disabled: bool
    created_at: datetime
    updated_at: datetime


@dataclass(slots=True)
class TokenRow:
    """An API token as stored: only the hash of the secret."""

    id: int
    user_id: int
    name: str
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


def _user(row) -> UserRow:
    return UserRow(int(row.id), row.login, row.display_name, row.role, row.entity, row.password_hash,
                   bool(row.disabled), utc(row.created_at), utc(row.updated_at))


def _token(row) -> TokenRow:
    return TokenRow(int(row.id), int(row.user_id), row.name, utc(row.created_at), utc(row.expires_at),
                    utc(row.last_used_at), utc(row.revoked_at))


# -- users -------------------------------------------------------------------------------------
def insert_user(conn: Connection, login: str, display_name: str, role: str, entity: str | None,
                password_hash: str | None, now: datetime) -> int | None:
    """Insert a user; the new id, or None when the login is already taken (no exception, no race)."""
    dialect_insert = sqlite.insert if conn.dialect.name == "sqlite" else postgresql.insert
    statement = (dialect_insert(users)
                 .values(login=login, display_name=display_name, role=role, entity=entity,
                         password_hash=password_hash, disabled=False, created_at=now, updated_at=now)
                 .on_conflict_do_nothing(index_elements=["login"])
                 .returning(users.c.id))
    new_id = conn.execute(statement).scalar_one_or_none()
    return int(new_id) if new_id is not None else None


def user_by_login(conn: Connection, login: str, *, for_update: bool = False) -> UserRow | None:
    query = select(users).where(users.c.login == login)
    if for_update and conn.dialect.name != "sqlite":
        query = query.with_for_update()
    row = conn.execute(query).first()
    return _user(row) if row else None


def user_by_id(conn: Connection, user_id: int) -> UserRow | None:
    row = conn.execute(select(users).where(users.c.id == user_id)).first()
    return _user(row) if row else None


def all_users(conn: Connection) -> list[UserRow]:
    return [_user(r) for r in conn.execute(select(users).order_by(users.c.login))]


def update_user(conn: Connection, user_id: int, now: datetime, **values: object) -> None:
    """Set columns of one user (``disabled``, ``password_hash``, ``role``, ``entity``, ``display_name``)."""
    conn.execute(update(users).where(users.c.id == user_id).values(updated_at=now, **values))


# -- tokens ------------------------------------------------------------------------------------
def insert_token(conn: Connection, user_id: int, name: str, token_hash: str, now: datetime,
                 expires_at: datetime) -> TokenRow:
    token_id = conn.execute(insert(api_tokens).values(
        user_id=user_id, name=name, token_hash=token_hash, created_at=now, expires_at=expires_at)
        .returning(api_tokens.c.id)).scalar_one()
    return TokenRow(int(token_id), user_id, name, now, expires_at, None, None)


def token_with_user(conn: Connection, token_hash: str) -> tuple[TokenRow, UserRow] | None:
    """The token whose hash is ``token_hash`` and its user, whatever their state."""
    user_columns = [c.label(f"u_{c.name}") for c in users.c]
    row = conn.execute(select(api_tokens, *user_columns).join(users, users.c.id == api_tokens.c.user_id)
                       .where(api_tokens.c.token_hash == token_hash)).first()
    if row is None:
        return None
    mapping = row._mapping
    return _token(row), _user(SimpleNamespace(**{c.name: mapping[f"u_{c.name}"] for c in users.c}))


def tokens_of(conn: Connection, user_id: int) -> list[TokenRow]:
    return [_token(r) for r in conn.execute(select(api_tokens).where(api_tokens.c.user_id == user_id)
                                            .order_by(api_tokens.c.id))]


def token_by_id(conn: Connection, token_id: int) -> TokenRow | None:
    row = conn.execute(select(api_tokens).where(api_tokens.c.id == token_id)).first()
    return _token(row) if row else None


def mark_token_used(conn: Connection, token_id: int, now: datetime) -> None:
    conn.execute(update(api_tokens).where(api_tokens.c.id == token_id).values(last_used_at=now))


def revoke_tokens(conn: Connection, token_ids: list[int], now: datetime) -> int:
    """Revoke the tokens not yet revoked among ``token_ids``; how many were."""
    if not token_ids:
        return 0
    return conn.execute(update(api_tokens)
                        .where(api_tokens.c.id.in_(token_ids), api_tokens.c.revoked_at.is_(None))
                        .values(revoked_at=now)).rowcount
