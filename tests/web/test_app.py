"""The API's base: tokens, logging in, the error answers, admin's user routes, and that every route is protected."""
from __future__ import annotations

import re

import pytest

from tests.access.conftest import PASSWORD, ROOT
from veilleur.compliance.storage_settings import ComplianceStorageSettings


def test_every_route_needs_a_token(api):
    client = api.as_(None)
    checked = 0
    for template, operations in api.app.openapi()["paths"].items():
        path = re.sub(r"\{[^}]+\}", "1", template)
        for method in operations:
            if (template, method) == ("/auth/token", "post"):  # logging in: the one route without a token
                continue
            answer = client.request(method, path)
            assert answer.status_code == 401, (method, template, answer.text)
            assert answer.json()["error"] == "unauthenticated"
            assert answer.headers["WWW-Authenticate"] == "Bearer"
            checked += 1
    assert checked >= 39  # every route of auth, health, users, settings, inbox and knowledge (watch on top)


@pytest.mark.parametrize("header", ["Bearer vlr_not-a-real-token", "Bearer nonsense", "Basic bWFyaWU6eA=="])
def test_a_wrong_token_is_401(api, header):
    answer = api.as_(None).get("/auth/me", headers={"Authorization": header})
    assert answer.status_code == 401 and answer.json()["error"] == "unauthenticated"


def test_me_and_health_with_a_token(api):
    api.add("marie", "expert", entity="banque-a")
    me = api.as_("marie").get("/auth/me").json()
    assert me == {"login": "marie", "role": "expert", "entity": "banque-a", "scope": ["agence-a1", "banque-a"]}
    health = api.as_("marie").get("/health").json()
    assert health["status"] == "ok" and health["schema_version"]


def test_an_expired_token_is_refused(api):
    api.add("marie", "expert")
    token = api.users.issue_token("marie", ROOT).token  # access.token_days: 30
    headers = {"Authorization": f"Bearer {token}"}
    api.clock.advance(days=29)
    assert api.as_(None).get("/auth/me", headers=headers).status_code == 200
    api.clock.advance(days=1)
    assert api.as_(None).get("/auth/me", headers=headers).status_code == 401


def test_log_in_with_a_password(api):
    api.add("marie", "communication", password=PASSWORD)
    answer = api.as_(None).post("/auth/token", json={"login": "marie", "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    token = answer.json()["access_token"]
    assert answer.json()["token_type"] == "bearer"
    me = api.as_(None).get("/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["role"] == "communication"


def test_login_failures_do_not_tell_which_logins_exist(api):
    api.add("marie", "expert", password=PASSWORD)
    wrong_password = api.as_(None).post("/auth/token", json={"login": "marie", "password": "not the password"})
    unknown_login = api.as_(None).post("/auth/token", json={"login": "nobody", "password": PASSWORD})
    assert wrong_password.status_code == unknown_login.status_code == 401
    assert wrong_password.json() == unknown_login.json() == {"error": "unauthenticated",
                                                             "message": "wrong login or password"}


def test_validation_errors_do_not_echo_what_was_sent(api):
    answer = api.as_(None).post("/auth/token", json={"password": "my secret password"})
    assert answer.status_code == 422 and answer.json()["error"] == "validation"
    assert "body.login" in answer.json()["message"] and "my secret password" not in answer.text


def test_admins_manage_users_through_the_api(api):
    api.add("root", "admin")
    client = api.as_("root")
    added = client.post("/users", json={"login": "anna", "role": "expert", "entity": "agence-a1",
                                        "password": PASSWORD})
    assert added.status_code == 201, added.text
    assert added.json()["has_password"] and "password" not in added.json()
    issued = client.post("/users/anna/tokens", json={"name": "poste", "days": 3}).json()
    assert api.as_(None).get("/auth/me", headers={"Authorization": f"Bearer {issued['token']}"}).status_code == 200
    assert client.post("/users/anna/disable").json()["disabled"] is True
    assert api.as_(None).get("/auth/me", headers={"Authorization": f"Bearer {issued['token']}"}).status_code == 401
    assert client.delete("/users/anna/tokens").json() == {"revoked": 1}
    assert [u["login"] for u in client.get("/users").json()] == ["anna", "root"]


@pytest.mark.parametrize(("body", "status", "words"), [
    ({"login": "root", "role": "expert"}, 409, "already taken"),
    ({"login": "eve", "role": "expert", "entity": "banque-z"}, 422, "unknown entity 'banque-z'"),
    ({"login": "eve", "role": "chef"}, 422, "body.role"),
    ({"login": "eve", "role": "expert", "password": "short"}, 422, "12 to 1024"),
])
def test_user_mistakes_get_clear_statuses(api, body, status, words):
    api.add("root", "admin")
    answer = api.as_("root").post("/users", json=body)
    assert answer.status_code == status and words in answer.json()["message"], answer.text


def test_only_admins_reach_the_user_routes_and_only_for_their_entities(api):
    api.add("marie", "compliance")
    api.add("admin-a", "admin", entity="banque-a")
    api.add("bob", "expert", entity="banque-b")
    refused = api.as_("marie").get("/users")
    assert refused.status_code == 403 and refused.json()["error"] == "forbidden"
    regional = api.as_("admin-a")
    assert regional.post("/users/bob/disable").status_code == 404
    assert [u["login"] for u in regional.get("/users").json()] == ["admin-a"]
    assert regional.post("/users", json={"login": "eve", "role": "expert", "entity": "banque-b"}).status_code == 403


def test_the_openapi_document_describes_tags_and_the_bearer_scheme(api):
    document = api.as_(None).get("/openapi.json").json()
    assert {"auth", "inbox", "users", "health"} <= {t["name"] for t in document["tags"]}
    assert document["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert all(op.get("summary") for path in document["paths"].values() for op in path.values())


def test_admins_read_the_settings_with_secrets_masked(api, web_settings):
    key = "c2VjcmV0LWtleS1vZi0zMi1ieXRlcy1leGFjdGx5ISE="
    api.app.state.settings = web_settings.model_copy(update={
        "compliance_storage": ComplianceStorageSettings(encryption_key=key)})
    api.add("root", "admin")
    api.add("marie", "compliance")
    assert api.as_("marie").get("/settings").status_code == 403
    shown = api.as_("root").get("/settings")
    assert shown.status_code == 200 and key not in shown.text
    assert shown.json()["compliance_storage"]["encryption_key"] == "**********"
    assert shown.json()["access"]["token_days"] == 30


def test_logging_out_revokes_only_the_token_in_use(api):
    api.add("marie", "expert", password=PASSWORD)
    other = api.tokens["marie"]
    token = api.as_(None).post("/auth/token", json={"login": "marie", "password": PASSWORD}).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert api.as_(None).delete("/auth/token", headers=headers).status_code == 204
    assert api.as_(None).get("/auth/me", headers=headers).status_code == 401
    assert api.as_(None).delete("/auth/token", headers=headers).status_code == 401
    assert api.as_(None).get("/auth/me", headers={"Authorization": f"Bearer {other}"}).status_code == 200
