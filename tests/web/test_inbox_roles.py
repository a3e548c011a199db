"""The role matrix through the API: each role allowed and refused, action by action (SQLite).

Expected statuses are written out here, not computed from ``access.permissions``, so that a
change of the matrix shows up as a failing test and a changed docstring table.
"""
from __future__ import annotations

import pytest

from tests.web.seed import ROLE_USER, add_users, seed_case
from veilleur.access.permissions import markdown_table
from veilleur.web.routes import inbox as inbox_routes

ROLES = ("community_manager", "expert", "customer_relations", "communication", "compliance", "admin")
READY_TEXT = "Bonjour, nous regardons votre demande et revenons vers vous rapidement."


@pytest.fixture
def database_url(tmp_path) -> str:
    """SQLite only: the matrix does not depend on the back end (scoping is tested on both)."""
    from veilleur.storage.sql import SqlStore

    url = f"sqlite:///{tmp_path / 'roles.db'}"
    store = SqlStore(url)
    store.upgrade()
    store.close()
    return url


@pytest.fixture
def world(api):
    add_users(api)
    return api


def statuses(api, store, make_case, method: str, path: str, body) -> tuple[int, ...]:
    """The status each role's user gets, each on a fresh case made by ``make_case``."""
    found = []
    for role in ROLES:
        case_id = make_case(store)
        answer = api.as_(ROLE_USER[role]).request(method, path.format(case=case_id), json=body)
        assert answer.status_code in (200, 201, 403), (role, answer.text)
        found.append(answer.status_code)
    return tuple(found)


def cm_case(store):
    return seed_case(store, "banque-a", "community_managers")


def backoffice_case(store):
    return seed_case(store, "agence-a1", "customer_relations", state="escalated")


def rumour_case(store):
    return seed_case(store, "banque-a", "communication", tags=("rumeur",), intent="rumor")


@pytest.mark.parametrize(("make_case", "method", "path", "body", "expected"), [
    (cm_case, "get", "/inbox/cases/{case}", None, (200, 200, 200, 200, 200, 200)),
    (cm_case, "get", "/inbox/cases/{case}/sla", None, (200, 200, 200, 200, 200, 200)),
    (cm_case, "post", "/inbox/cases/{case}/notes", {"text": "vu"}, (201, 201, 403, 403, 403, 201)),
    (cm_case, "post", "/inbox/cases/{case}/assign", {"assignee": "cm-a"}, (200, 200, 403, 403, 403, 200)),
    (cm_case, "post", "/inbox/cases/{case}/priority", {"priority": "P1"}, (200, 200, 403, 403, 403, 200)),
    (cm_case, "post", "/inbox/cases/{case}/close", {"reason": "resolved"}, (200, 200, 403, 403, 403, 200)),
    (cm_case, "post", "/inbox/cases/{case}/queue", {"queue": "communication"}, (200, 200, 403, 403, 403, 200)),
    (backoffice_case, "post", "/inbox/cases/{case}/notes", {"text": "vu"}, (403, 403, 201, 403, 403, 201)),
    (rumour_case, "post", "/inbox/cases/{case}/tags", {"add": ["démenti"]}, (403, 403, 403, 200, 403, 200)),
    (cm_case, "post", "/inbox/cases/{case}/escalate", {"context": "compte"}, (200, 200, 403, 403, 403, 200)),
    (backoffice_case, "post", "/inbox/cases/{case}/hand-back", {"elements": "remboursé"},
     (403, 403, 200, 403, 403, 200)),
    (backoffice_case, "post", "/inbox/cases/{case}/contact", {"how": "téléphone"}, (403, 403, 200, 403, 403, 200)),
    (cm_case, "post", "/inbox/cases/{case}/replies", {"text": READY_TEXT}, (201, 201, 403, 403, 403, 201)),
    (rumour_case, "post", "/inbox/cases/{case}/replies", {"text": READY_TEXT}, (403, 403, 403, 201, 403, 201)),
], ids=lambda v: v if isinstance(v, str) else None)
def test_each_role_is_allowed_or_refused(world, store, make_case, method, path, body, expected):
    assert statuses(world, store, make_case, method, path, body) == expected


def test_approving_is_for_compliance_and_communication_on_its_queue_never_for_the_author(world, store):
    found = []
    for role in ROLES:
        case_id = rumour_case(store)
        reply = world.as_("com2-a").post(f"/inbox/cases/{case_id}/replies", json={"text": READY_TEXT}).json()
        assert reply["state"] == "pending_approval" and "rumour" in reply["approval_reasons"]
        found.append(world.as_(ROLE_USER[role]).post(f"/inbox/replies/{reply['id']}/approve",
                                                     json={"comment": "vérifié"}).status_code)
    assert tuple(found) == (403, 403, 403, 200, 200, 200)
    own = world.as_("com-a").post(f"/inbox/cases/{rumour_case(store)}/replies", json={"text": READY_TEXT}).json()
    refused = world.as_("com-a").post(f"/inbox/replies/{own['id']}/approve", json={"comment": "moi"})
    assert refused.status_code == 422 and "four eyes" in refused.json()["message"]
    assert world.as_("com-a").post(f"/inbox/replies/{own['id']}/send").status_code == 422  # not approved yet
    assert world.as_("com2-a").post(f"/inbox/replies/{own['id']}/approve", json={"comment": "ok"}).status_code == 200
    sent = world.as_("com-a").post(f"/inbox/replies/{own['id']}/send")
    assert sent.status_code == 200 and sent.json()["state"] == "answered" and sent.json()["answered_in_public"]
    assert world.app.state.replier.sent[-1]["text"] == READY_TEXT


def test_sending_is_for_community_managers_and_communication_on_their_queues(world, store):
    found = []
    for role in ROLES:
        case_id = cm_case(store)
        reply = world.as_("cm-a").post(f"/inbox/cases/{case_id}/replies", json={"text": READY_TEXT}).json()
        assert reply["state"] == "ready", reply
        found.append(world.as_(ROLE_USER[role]).post(f"/inbox/replies/{reply['id']}/send").status_code)
    assert tuple(found) == (200, 403, 403, 403, 403, 200)


def test_the_complaint_register_is_for_customer_relations_compliance_and_admin(world, store):
    seed_case(store, "banque-a", "community_managers", complaint=True)
    found = tuple(world.as_(ROLE_USER[r]).get("/inbox/complaints.csv").status_code for r in ROLES)
    assert found == (403, 403, 200, 403, 200, 200)


def test_a_refusal_says_why(world, store):
    on_queue = world.as_("cr-a").post(f"/inbox/cases/{cm_case(store)}/notes", json={"text": "vu"}).json()
    assert on_queue["error"] == "forbidden" and "access.work_queues" in on_queue["message"]
    by_role = world.as_("comp-a").post(f"/inbox/cases/{cm_case(store)}/notes", json={"text": "vu"}).json()
    assert "role 'compliance' may not do this" in by_role["message"]


def test_the_docstring_table_is_the_matrix():
    assert markdown_table() in inbox_routes.__doc__


def test_a_stale_version_or_a_forbidden_move_is_a_conflict(world, store):
    case_id = cm_case(store)
    client = world.as_("cm-a")
    assert client.post(f"/inbox/cases/{case_id}/assign", json={"assignee": "cm-a", "expected_version": 1}).json()[
        "version"] == 2
    stale = client.post(f"/inbox/cases/{case_id}/priority", json={"priority": "P1", "expected_version": 1})
    assert stale.status_code == 409 and "reload it and try again" in stale.json()["message"]
    closed = client.post(f"/inbox/cases/{case_id}/close").json()
    assert closed["state"] == "closed" and closed["state_reason"] == "resolved"
    moved = client.post(f"/inbox/cases/{case_id}/state", json={"state": "answered"})
    assert moved.status_code == 409 and "cannot go from closed to answered" in moved.json()["message"]
    reopened = client.post(f"/inbox/cases/{case_id}/reopen").json()
    assert (reopened["state"], reopened["reopened_count"]) == ("assigned", 1)
    assert client.post(f"/inbox/cases/{case_id}/reopen").status_code == 422


def test_show_gives_history_notes_and_posts(world, store):
    case_id = cm_case(store)
    client = world.as_("cm-a")
    client.post(f"/inbox/cases/{case_id}/notes", json={"text": "Client rappelé au 06 12 34 56 78"})
    client.post(f"/inbox/cases/{case_id}/crm", json={"crm_customer_id": "CRM-42"})
    shown = client.get(f"/inbox/cases/{case_id}").json()
    assert shown["case"]["crm_customer_id"] == "CRM-42"
    assert [e["action"] for e in shown["events"]] == ["note", "crm_linked"]
    assert "06 12 34 56 78" not in shown["notes"][0]["text"]
    assert shown["posts"][0]["text"] == "Bonjour, quel est le plafond du LDD ?"


def test_the_figures_are_for_communication_compliance_and_admin(world, store):
    cm_case(store)
    found = tuple(world.as_(ROLE_USER[r]).get("/inbox/figures").status_code for r in ROLES)
    assert found == (403, 403, 403, 200, 200, 200)


def test_the_private_channel_follows_the_platform_rule(world, store):
    answer = world.as_("cm-a").get(f"/inbox/cases/{cm_case(store)}/private-channel")
    assert answer.status_code == 409 and answer.json()["error"] == "conflict"  # X: DMs not known to be open
    assert "does not accept direct messages on x" in answer.json()["message"]
