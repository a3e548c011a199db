"""Fixtures of the API tests: an app over the test store, and users of every role in two regional banks.

``api.as_(login)`` gives a client carrying that user's token. Users are made directly through
``access.users`` (with a cheap argon2 hasher and a fixed clock); the routes are exercised through
FastAPI's TestClient.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import pytest
from fastapi import FastAPI
from starlette.exceptions import StarletteDeprecationWarning

from tests.access.conftest import ROOT, Clock, cheap_hasher, organisation
from veilleur.access.users import Users
from veilleur.core.actor import Role
from veilleur.settings import Settings
from veilleur.web.app import create_app

with warnings.catch_warnings():
    # Starlette 1.x asks for the httpx2 package for its TestClient and warns once, at import, when
    # it runs on httpx (a dependency of veilleur); the client works the same on both.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient


@dataclass
class Api:
    """The app under test, its users service and the tokens of the users made so far."""

    app: FastAPI
    users: Users
    clock: Clock
    tokens: dict[str, str] = field(default_factory=dict)

    def add(self, login: str, role: Role | str, entity: str | None = None, password: str | None = None) -> str:
        self.users.add(login, role, ROOT, entity=entity, password=password)
        self.tokens[login] = self.users.issue_token(login, ROOT, days=365).token  # tests move the clock by months
        return self.tokens[login]

    def as_(self, login: str | None) -> TestClient:
        """A client with ``login``'s token (None: no token at all)."""
        client = TestClient(self.app, raise_server_exceptions=True)
        if login is not None:
            client.headers["Authorization"] = f"Bearer {self.tokens[login]}"
        return client


@pytest.fixture
def web_settings(tmp_path, database_url) -> Settings:
    # Word vectors off: retrieval by BM25 alone starts at once (the vectors are the knowledge room's to test).
    return Settings(data_dir=tmp_path / "data", database_url=database_url, organisation=organisation(),
                    knowledge={"vectors": False})


@pytest.fixture
def api(store, web_settings) -> Api:
    clock = Clock()
    users = Users(store, web_settings.organisation, web_settings.access, clock=clock, hasher=cheap_hasher())
    return Api(create_app(web_settings, store=store, users=users, clock=clock), users, clock)
