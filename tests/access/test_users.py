"""Users, passwords and tokens (``access.users``) on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from tests.access.conftest import PASSWORD, ROOT, T0, cheap_hasher, organisation
from veilleur.access.errors import (
    AuthenticationFailed,
    Forbidden,
    InvalidUserInput,
    LoginTaken,
    UnknownEntity,
    UserNotFound,
)
from veilleur.access.users import TOKEN_PREFIX, Users, _check_login, token_digest
from veilleur.compliance.journal import Journal
from veilleur.core.actor import Actor, Role
from veilleur.storage import journal as chain
from veilleur.storage.access_tables import api_tokens
from veilleur.storage.access_tables import users as users_table


def test_add_and_show_a_user(users):
    added = users.add("marie", "community_manager", ROOT, entity="banque-a", display_name="Marie D.",
                      password=PASSWORD)
    assert added.role is Role.COMMUNITY_MANAGER and added.entity == "banque-a" and added.has_password
    assert users.get("marie").display_name == "Marie D."
    assert [u.login for u in users.list_users(ROOT)] == ["marie"]


def test_a_user_sees_their_entity_and_the_ones_below(users):
    users.add("marie", Role.EXPERT, ROOT, entity="banque-a")
    users.add("chef", Role.COMPLIANCE, ROOT)
    actor = users.actor_for(users.get("marie"))
    assert actor.scope == {"banque-a", "agence-a1"}
    assert actor.sees("agence-a1") and not actor.sees("banque-b") and not actor.sees(None)
    assert users.actor_for(users.get("chef")).scope is None


@pytest.mark.parametrize(("call", "error", "words"), [
    (lambda u: u.add("x", "community_manager", ROOT), InvalidUserInput, "login 'x'"),
    (lambda u: u.add("Marie", "community_manager", ROOT), InvalidUserInput, "lower-case"),
    (lambda u: u.add("marie", "boss", ROOT), InvalidUserInput, "unknown role 'boss'"),
    (lambda u: u.add("marie", "expert", ROOT, entity="banque-z"), UnknownEntity, "banque-a"),
    (lambda u: u.add("marie", "expert", ROOT, password="short"), InvalidUserInput, "12 to 1024"),
])
def test_bad_input_is_refused_with_a_clear_message(users, call, error, words):
    with pytest.raises(error, match=words):
        call(users)
    assert users.list_users(ROOT) == []


def test_a_login_is_taken_once(users):
    users.add("marie", "expert", ROOT)
    with pytest.raises(LoginTaken, match="marie"):
        users.add("marie", "admin", ROOT)


def test_passwords_are_argon2_hashes_and_verify(users, store):
    users.add("marie", "expert", ROOT, entity="banque-b", password=PASSWORD)
    with store.engine.connect() as conn:
        stored = conn.execute(select(users_table.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert users.verify_password("marie", PASSWORD).name == "marie"


@pytest.mark.parametrize(("login", "password", "disable"), [
    ("marie", "wrong password!!", False), ("nobody", PASSWORD, False), ("marie", PASSWORD, True)])
def test_every_login_failure_says_the_same_thing(users, login, password, disable):
    users.add("marie", "expert", ROOT, password=PASSWORD)
    if disable:
        users.disable("marie", ROOT)
    with pytest.raises(AuthenticationFailed, match=r"^wrong login or password$"):
        users.verify_password(login, password)


def test_an_unknown_login_costs_one_argon2_verification_too(store, clock):
    class Counting(PasswordHasher):
        verified = 0

        def verify(self, hash, password):
            Counting.verified += 1
            return super().verify(hash, password)

    users = Users(store, organisation(), clock=clock, hasher=Counting(time_cost=1, memory_cost=1024, parallelism=1))
    users.add("sans-mot-de-passe", "expert", ROOT)
    for login in ("nobody", "sans-mot-de-passe"):
        with pytest.raises(AuthenticationFailed):
            users.verify_password(login, PASSWORD)
    assert Counting.verified == 2


def test_old_hash_parameters_are_upgraded_at_login(store, clock):
    Users(store, organisation(), clock=clock, hasher=cheap_hasher()).add("marie", "expert", ROOT, password=PASSWORD)
    stronger = Users(store, organisation(), clock=clock,
                     hasher=PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1))
    stronger.verify_password("marie", PASSWORD)
    with store.engine.connect() as conn:
        assert "m=2048,t=2" in conn.execute(select(users_table.c.password_hash)).scalar_one()


def test_tokens_authenticate_until_they_expire(users, clock):
    users.add("marie", "expert", ROOT, entity="banque-a")
    issued = users.issue_token("marie", ROOT, name="poste 3", days=2)
    assert issued.token.startswith(TOKEN_PREFIX) and len(issued.token) > 40
    actor = users.authenticate_token(issued.token)
    assert (actor.name, actor.role, actor.scope) == ("marie", Role.EXPERT, {"banque-a", "agence-a1"})
    clock.advance(days=2)
    with pytest.raises(AuthenticationFailed, match="invalid or expired token"):
        users.authenticate_token(issued.token)


def test_revoked_tokens_and_disabled_users_stop_at_once(users):
    users.add("marie", "expert", ROOT)
    first, second = (users.issue_token("marie", ROOT) for _ in range(2))
    assert users.revoke("marie", ROOT, token_id=first.id) == 1
    with pytest.raises(AuthenticationFailed):
        users.authenticate_token(first.token)
    assert users.authenticate_token(second.token).name == "marie"
    users.disable("marie", ROOT)
    with pytest.raises(AuthenticationFailed):
        users.authenticate_token(second.token)
    users.enable("marie", ROOT)
    assert users.authenticate_token(second.token).name == "marie"
    assert users.revoke("marie", ROOT) == 1
    with pytest.raises(UserNotFound, match="no token 99"):
        users.revoke("marie", ROOT, token_id=99)


def test_only_the_hash_of_a_token_is_stored_and_last_use_is_kept(users, store, clock):
    users.add("marie", "expert", ROOT)
    issued = users.issue_token("marie", ROOT)
    users.authenticate_token(issued.token)
    clock.advance(seconds=30)
    users.authenticate_token(issued.token)
    with store.engine.connect() as conn:
        row = conn.execute(select(api_tokens)).one()
    assert row.token_hash == token_digest(issued.token) and issued.token not in str(tuple(row))
    assert users.tokens("marie")[0].last_used_at == T0  # written at most once a minute
    clock.advance(seconds=30)
    users.authenticate_token(issued.token)
    assert users.tokens("marie")[0].last_used_at == T0 + timedelta(minutes=1)


def test_login_gives_a_short_lived_token(users, clock):
    users.add("marie", "communication", ROOT, password=PASSWORD)
    issued = users.login("marie", PASSWORD)
    assert issued.expires_at == T0 + timedelta(days=1) and issued.name == "login"
    assert users.authenticate_token(issued.token).role is Role.COMMUNICATION


@given(st.text(max_size=300))
def test_any_text_as_a_token_fails_cleanly(text):
    from tests.access.conftest import Clock

    class NoStore:  # a bad token is refused before any SQL runs, or matches no row
        engine = None

    if text.startswith(TOKEN_PREFIX):
        return
    with pytest.raises(AuthenticationFailed):
        Users(NoStore(), organisation(), clock=Clock()).authenticate_token(text)


@given(st.text(max_size=120))
def test_a_login_is_valid_or_refused_clearly(text):
    try:
        _check_login(text)
    except InvalidUserInput:
        return
    assert text == text.lower().strip() and ":" not in text and 2 <= len(text) <= 100


def test_admins_manage_only_the_users_of_their_entities(users):
    regional_admin = Actor("admin-a", Role.ADMIN, "banque-a", frozenset({"banque-a", "agence-a1"}))
    users.add("bob", "expert", ROOT, entity="banque-b")
    users.add("anna", "expert", regional_admin, entity="agence-a1")
    for entity in ("banque-b", None):
        with pytest.raises(Forbidden):
            users.add("eve", "expert", regional_admin, entity=entity)
    with pytest.raises(UserNotFound):
        users.disable("bob", regional_admin)
    assert [u.login for u in users.list_users(regional_admin)] == ["anna"]
    with pytest.raises(Forbidden, match="admin only"):
        users.add("eve", "expert", Actor("anna", Role.EXPERT, "agence-a1", frozenset({"agence-a1"})))


def test_users_set_their_own_password_and_tokens(users):
    users.add("anna", "expert", ROOT, entity="agence-a1")
    anna = users.actor_for(users.get("anna"))
    users.set_password("anna", PASSWORD, anna)
    assert users.authenticate_token(users.issue_token("anna", anna).token).name == "anna"
    with pytest.raises(Forbidden):
        users.disable("anna", anna)


def test_every_change_is_journaled_without_secrets(users, store):
    users.add("marie", "expert", ROOT, entity="banque-a", password=PASSWORD)
    issued = users.issue_token("marie", ROOT)
    users.set_password("marie", "another long password", ROOT)
    users.disable("marie", ROOT)
    users.revoke("marie", ROOT)
    login_token = (users.enable("marie", ROOT), users.login("marie", "another long password"))[1]
    with store.engine.connect() as conn:
        entries = list(chain.entries(conn))
    assert [e.action for e in entries] == ["user_added", "token_issued", "password_set", "user_disabled",
                                           "token_revoked", "user_enabled", "token_issued"]
    assert {e.record_type for e in entries} == {"user"} and {e.subject for e in entries} == {"user:marie"}
    dumped = str([e.to_json() for e in entries])
    for secret in (PASSWORD, "another long password", issued.token, login_token.token, "$argon2",
                   token_digest(issued.token)):
        assert secret not in dumped
    assert Journal(store).verify().ok
