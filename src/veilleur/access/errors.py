"""The access room's errors. Imports ``errors`` only.

    AccessError                 (a VeilleurError) users, tokens, roles
    ├── InvalidUserInput        a login, role, entity, password or token name is not acceptable
    │   └── UnknownEntity       the entity is not in the organisation tree of the settings
    ├── UserNotFound            no user with that login (or no token with that id)
    ├── LoginTaken              the login is already used
    ├── AuthenticationFailed    wrong login or password, or an unknown, expired or revoked token,
    │                           or a disabled user: one message for all, so nothing is enumerated
    └── Forbidden               the actor's role may not do this
"""
from __future__ import annotations

from veilleur.errors import VeilleurError


class AccessError(VeilleurError):
    """Something about users, tokens or roles cannot be done."""


class InvalidUserInput(AccessError):
    """A login, role, entity, password or token name is not acceptable; the message says why."""


class UnknownEntity(InvalidUserInput):
    """The entity named is not in ``organisation.entities``."""


class UserNotFound(AccessError):
    """No user with that login, or no token with that id."""


class LoginTaken(AccessError):
    """Another user already has that login."""


class AuthenticationFailed(AccessError):
    """The credentials do not open a session. The message never says which part was wrong."""

    def __init__(self, message: str = "invalid credentials"):
        super().__init__(message)


class Forbidden(AccessError):
    """The actor's role may not do this."""
