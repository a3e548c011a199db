"""Fixtures of the access and web tests: an organisation tree, a fixed clock, a cheap argon2 hasher."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher

from veilleur.access.users import Users
from veilleur.core.actor import Actor, Role
from veilleur.core.organisation import Entity, Organisation

T0 = datetime(2026, 10, 9, 8, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"
ROOT = Actor("cli:root", Role.ADMIN)


def organisation() -> Organisation:
    """A group with two regional banks; bank A has a branch."""
    return Organisation(group="Groupe test", entities=[
        Entity(id="groupe", name="Groupe", kind="group"),
        Entity(id="banque-a", name="Banque régionale A", kind="regional_bank", parent="groupe"),
        Entity(id="agence-a1", name="Agence A1", kind="branch", parent="banque-a"),
        Entity(id="banque-b", name="Banque régionale B", kind="regional_bank", parent="groupe"),
    ])


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = T0):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def cheap_hasher() -> PasswordHasher:
    """argon2id with small costs: the same code path, fast enough for tests."""
    return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def users(store, clock) -> Users:
    return Users(store, organisation(), clock=clock, hasher=cheap_hasher())
