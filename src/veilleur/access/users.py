"""Users, passwords and API tokens: who may log in, as which ``Actor``.

A user has a login, a role (``core.actor.Role``) and an entity of the organisation tree (none =
the whole group); the ``Actor`` made for them sees that entity and every entity below it. Every
change (user added, disabled, enabled, password set, token issued or revoked) is journaled in the
same transaction, record type ``user``, with identifiers and labels only: no password, no token,
no hash ever reaches the journal or a log.

Secrets:
- Passwords are hashed with argon2id (argon2-cffi, at the library's defaults, which follow
  RFC 9106): people choose guessable passwords, so each guess must cost memory and time. A
  hash made with older parameters is upgraded at the next successful login. A login attempt
  for an unknown, disabled or password-less user still verifies against a dummy hash, so that
  the time taken does not tell which logins exist.
- API tokens are 32 random bytes from ``secrets`` (URL-safe base64, prefixed ``vlr_`` so that
  leaked tokens are easy to scan for), shown once, stored as their SHA-256 only. A fast hash is
  right here: a 256-bit random secret cannot be guessed, so slowing each guess adds nothing,
  while argon2 on every API request would cost ~50 ms of CPU and open a denial of service. The
  digest is looked up through a unique index; since an attacker cannot choose the digest's
  bytes, the lookup's timing reveals nothing useful.

Imports ``core``, ``access``, ``storage`` and argon2-cffi.
"""
from __future__ import annotations

import functools
import hashlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from veilleur.access.errors import (
    AuthenticationFailed,
    Forbidden,
    InvalidUserInput,
    LoginTaken,
    UnknownEntity,
    UserNotFound,
)
from veilleur.access.settings import AccessSettings
from veilleur.core.actor import Actor, Role
from veilleur.core.organisation import Organisation
from veilleur.storage import access_store as db
from veilleur.storage.access_store import TokenRow, UserRow
from veilleur.storage.journal import NewEntry, append
from veilleur.storage.sql import SqlStore

RECORD_TYPE = "user"
TOKEN_PREFIX = "vlr_"
TOKEN_BYTES = 32
MIN_PASSWORD_CHARS = 12  # ANSSI's floor for a password that protects sensitive data
MAX_PASSWORD_CHARS = 1024
MAX_TOKEN_CHARS = 200
TOUCH_INTERVAL = timedelta(minutes=1)  # last use is written at most this often per token
LOGIN_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,99}$")


@dataclass(frozen=True, slots=True)
class User:
    """A user as shown (no password hash)."""

    login: str
    display_name: str
    role: Role
    entity: str | None
    disabled: bool
    has_password: bool
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A token just issued: ``token`` is the secret, shown once and never stored."""

    id: int
    login: str
    name: str
    token: str
    expires_at: datetime


def token_digest(token: str) -> str:
    """The SHA-256 (hex) of a token: what is stored and looked up."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@functools.cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    """A hash of a random password, verified when there is no real one (same cost, same time)."""
    return hasher.hash(secrets.token_urlsafe(16))


def _public(row: UserRow) -> User:
    return User(row.login, row.display_name, Role(row.role), row.entity, row.disabled,
                row.password_hash is not None, row.created_at, row.updated_at)


class Users:
    """The users of one store, for one organisation tree.

    Args:
        store: the store holding the users and tokens.
        organisation: the tree users' entities belong to (``Settings.organisation``).
        settings: token lifetimes (``Settings.access``).
        clock: gives the current time (tests inject a fixed one).
        hasher: the argon2 hasher (tests may pass cheaper parameters).
    """

    def __init__(self, store: SqlStore, organisation: Organisation, settings: AccessSettings | None = None,
                 clock: Callable[[], datetime] | None = None, hasher: PasswordHasher | None = None):
        self.store = store
        self.organisation = organisation
        self.settings = settings or AccessSettings()
        self.clock = clock or (lambda: datetime.now(UTC))
        self.hasher = hasher or PasswordHasher()

    # -- who is who ----------------------------------------------------------------------------
    def scope_of(self, entity: str | None) -> frozenset[str] | None:
        """The entities a user of ``entity`` sees (None: all). Raises ``UnknownEntity``."""
        if entity is None:
            return None
        known = {e.id for e in self.organisation.entities}
        if entity not in known:
            listed = ", ".join(sorted(known)) or "none configured"
            raise UnknownEntity(f"unknown entity {entity!r} (organisation.entities: {listed})")
        return frozenset(self.organisation.descendants(entity))

    def actor_for(self, user: User | UserRow) -> Actor:
        """The ``Actor`` a user acts as: login, role, entity and the entities below it."""
        return Actor(user.login, Role(user.role), user.entity, self.scope_of(user.entity))

    def get(self, login: str) -> User:
        with self.store.engine.connect() as conn:
            row = db.user_by_login(conn, login)
        if row is None:
            raise UserNotFound(f"no user {login!r}")
        return _public(row)

    def list_users(self, by: Actor) -> list[User]:
        """The users ``by`` may manage: those of the entities it sees (group-wide ones for group-wide actors)."""
        with self.store.engine.connect() as conn:
            rows = db.all_users(conn)
        return [_public(r) for r in rows if _visible(by, r.entity)]

    def tokens(self, login: str) -> list[TokenRow]:
        """The tokens of a user (hashes excluded), oldest first."""
        with self.store.engine.connect() as conn:
            row = db.user_by_login(conn, login)
            if row is None:
                raise UserNotFound(f"no user {login!r}")
            return db.tokens_of(conn, row.id)

    # -- changes (admins only, journaled) ------------------------------------------------------
    def add(self, login: str, role: Role | str, by: Actor, *, entity: str | None = None,
            display_name: str | None = None, password: str | None = None) -> User:
        """Add a user. Raises ``InvalidUserInput``, ``UnknownEntity``, ``LoginTaken`` or ``Forbidden``."""
        role = _role(role)
        _check_login(login)
        self.scope_of(entity)
        self._may_manage(by, entity)
        password_hash = self.hasher.hash(_checked_password(password)) if password is not None else None
        now = self.clock()
        with self.store.engine.begin() as conn:
            new_id = db.insert_user(conn, login, display_name or login, role.value, entity, password_hash, now)
            if new_id is None:
                raise LoginTaken(f"login {login!r} is already taken")
            self._journal(conn, by, "user_added", login,
                          {"role": role.value, "entity": entity, "password_set": password is not None})
            return _public(db.user_by_login(conn, login))

    def disable(self, login: str, by: Actor) -> User:
        """Disable a user: their tokens and password stop working at once (kept for the record)."""
        return self._set(login, by, "user_disabled", disabled=True)

    def enable(self, login: str, by: Actor) -> User:
        return self._set(login, by, "user_enabled", disabled=False)

    def set_password(self, login: str, password: str, by: Actor) -> User:
        """Set a user's password (an admin, or the user for themself)."""
        hashed = self.hasher.hash(_checked_password(password))
        return self._set(login, by, "password_set", self_service=True, password_hash=hashed)

    def _set(self, login: str, by: Actor, action: str, self_service: bool = False, **values: Any) -> User:
        now = self.clock()
        with self.store.engine.begin() as conn:
            row = self._managed(conn, login, by, self_service, for_update=True)
            db.update_user(conn, row.id, now, **values)
            self._journal(conn, by, action, login, {k: v for k, v in values.items() if k == "disabled"})
            return _public(db.user_by_login(conn, login))

    def _managed(self, conn, login: str, by: Actor, self_service: bool, for_update: bool = False) -> UserRow:
        """The user ``by`` may change: themself when ``self_service``, else one an admin of theirs manages.

        A user outside ``by``'s entities is reported as not found, so that existence is not revealed.
        """
        row = db.user_by_login(conn, login, for_update=for_update)
        themself = self_service and by.name == login
        if row is None or (not themself and not _visible(by, row.entity)):
            raise UserNotFound(f"no user {login!r}")
        if not themself:
            self._may_manage(by, row.entity)
        return row

    def issue_token(self, login: str, by: Actor, *, name: str = "api", days: int | None = None) -> IssuedToken:
        """Issue an API token for ``login``, valid ``days`` (default ``access.token_days``); shown once."""
        if not name.strip() or len(name) > 200:
            raise InvalidUserInput("a token name must have 1 to 200 characters")
        if days is not None and not 1 <= days <= 3650:
            raise InvalidUserInput(f"a token lives 1 to 3650 days, not {days}")
        with self.store.engine.begin() as conn:
            row = self._managed(conn, login, by, self_service=True)
            if row.disabled:
                raise InvalidUserInput(f"user {login!r} is disabled: enable them before issuing a token")
            return self._new_token(conn, row, by, name.strip(), days or self.settings.token_days)

    def _new_token(self, conn, row: UserRow, by: Actor, name: str, days: int) -> IssuedToken:
        token = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
        now = self.clock()
        stored = db.insert_token(conn, row.id, name, token_digest(token), now, now + timedelta(days=days))
        self._journal(conn, by, "token_issued", row.login,
                      {"token_id": stored.id, "name": name, "expires_at": stored.expires_at.isoformat()})
        return IssuedToken(stored.id, row.login, name, token, stored.expires_at)

    def revoke(self, login: str, by: Actor, token_id: int | None = None) -> int:
        """Revoke one token of ``login`` (``token_id``) or all of them; how many were revoked."""
        now = self.clock()
        with self.store.engine.begin() as conn:
            row = self._managed(conn, login, by, self_service=True)
            ids = [t.id for t in db.tokens_of(conn, row.id) if token_id is None or t.id == token_id]
            if token_id is not None and not ids:
                raise UserNotFound(f"user {login!r} has no token {token_id}")
            revoked = db.revoke_tokens(conn, ids, now)
            if revoked:
                self._journal(conn, by, "token_revoked", login, {"token_ids": ids})
            return revoked

    def log_out(self, token: str) -> None:
        """Revoke the token presented (its holder's own "log out"); ``AuthenticationFailed`` if it is not valid."""
        actor = self.authenticate_token(token)
        now = self.clock()
        with self.store.engine.begin() as conn:
            found = db.token_with_user(conn, token_digest(token))
            if found is not None and db.revoke_tokens(conn, [found[0].id], now):
                self._journal(conn, actor, "token_revoked", actor.name, {"token_ids": [found[0].id]})

    # -- logging in ----------------------------------------------------------------------------
    def verify_password(self, login: str, password: str) -> Actor:
        """The actor of ``login`` if ``password`` is theirs; else ``AuthenticationFailed``.

        One argon2 verification happens whatever the case (unknown login, disabled user, no
        password), so neither the answer nor its time tells which logins exist.
        """
        with self.store.engine.connect() as conn:
            row = db.user_by_login(conn, login) if len(login) <= 100 else None
        stored = row.password_hash if row is not None and row.password_hash else _dummy_hash(self.hasher)
        try:
            matched = self.hasher.verify(stored, password[:MAX_PASSWORD_CHARS])
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            matched = False
        if not matched or row is None or row.password_hash is None or row.disabled:
            raise AuthenticationFailed("wrong login or password")
        if self.hasher.check_needs_rehash(row.password_hash):
            with self.store.engine.begin() as conn:
                db.update_user(conn, row.id, self.clock(), password_hash=self.hasher.hash(password))
        return self._actor_or_fail(row)

    def login(self, login: str, password: str, name: str = "login") -> IssuedToken:
        """Exchange login and password for a token valid ``access.login_token_days`` (POST /auth/token)."""
        actor = self.verify_password(login, password)
        with self.store.engine.begin() as conn:
            row = db.user_by_login(conn, login)
            return self._new_token(conn, row, actor, name, self.settings.login_token_days)

    def authenticate_token(self, token: str) -> Actor:
        """The actor a bearer token stands for; ``AuthenticationFailed`` if unknown, expired, revoked
        or its user disabled. Records the token's last use (at most once a minute)."""
        if not token.startswith(TOKEN_PREFIX) or len(token) > MAX_TOKEN_CHARS:
            raise AuthenticationFailed("invalid or expired token")
        now = self.clock()
        with self.store.engine.begin() as conn:
            found = db.token_with_user(conn, token_digest(token))
            if found is None:
                raise AuthenticationFailed("invalid or expired token")
            stored, user = found
            if stored.revoked_at is not None or stored.expires_at <= now or user.disabled:
                raise AuthenticationFailed("invalid or expired token")
            if stored.last_used_at is None or now - stored.last_used_at >= TOUCH_INTERVAL:
                db.mark_token_used(conn, stored.id, now)
        return self._actor_or_fail(user)

    def _actor_or_fail(self, row: UserRow) -> Actor:
        try:
            return self.actor_for(row)
        except (UnknownEntity, ValueError) as exc:
            raise AuthenticationFailed(f"user {row.login!r} cannot act: {exc}; ask an administrator") from exc

    # -- helpers -------------------------------------------------------------------------------
    def _may_manage(self, by: Actor, entity: str | None) -> None:
        """Admins manage users of the entities they see; only group-wide admins manage group-wide users."""
        if by.role is not Role.ADMIN:
            raise Forbidden(f"role {by.role.value!r} may not manage users (admin only)")
        if not _visible(by, entity):
            raise Forbidden(f"{by.name!r} may not manage users of {entity or 'the whole group'}")

    def _journal(self, conn, by: Actor, action: str, login: str, details: dict[str, Any]) -> None:
        append(conn, [NewEntry(by.name, action, RECORD_TYPE, f"user:{login}", details)], now=self.clock())


def _visible(by: Actor, entity: str | None) -> bool:
    """Whether ``by`` sees users of ``entity`` (group-wide users: group-wide actors only)."""
    return by.scope is None if entity is None else by.sees(entity)


def _role(value: Role | str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise InvalidUserInput(f"unknown role {value!r} (one of {', '.join(r.value for r in Role)})") from None


def _check_login(login: str) -> None:
    if not LOGIN_PATTERN.match(login):
        raise InvalidUserInput(f"login {login!r} must be 2 to 100 characters: lower-case letters, digits, "
                               "'.', '_', '@', '-', starting with a letter or digit")


def _checked_password(password: str | None) -> str:
    if password is None or not MIN_PASSWORD_CHARS <= len(password) <= MAX_PASSWORD_CHARS:
        raise InvalidUserInput(f"a password must have {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters")
    return password
