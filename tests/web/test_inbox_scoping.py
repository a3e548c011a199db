"""Entity scoping through the API: a user of regional bank A never sees or acts on bank B's cases.

On SQLite and PostgreSQL. A case of another entity answers exactly like a case that does not
exist, and stays untouched (same version, no history line, no note, no reply).
"""
from __future__ import annotations

import pytest

from tests.web.seed import add_users, case_version, seed_case

ACTIONS = [  # (method, path after /inbox/cases/{id}, body); each is tried on bank B's case by bank A's users
    ("get", "", None), ("get", "/sla", None), ("get", "/replies", None),
    ("post", "/assign", {"assignee": "cm-a"}), ("post", "/state", {"state": "waiting_customer"}),
    ("post", "/priority", {"priority": "P1"}), ("post", "/tags", {"add": ["vu"]}),
    ("post", "/notes", {"text": "je regarde"}), ("post", "/crm", {"crm_customer_id": "C-1"}),
    ("post", "/close", {"reason": "resolved"}), ("post", "/reopen", {}),
    ("post", "/escalate", {"context": "compte"}), ("post", "/replies", {"text": "Bonjour, nous regardons."}),
]


@pytest.fixture
def cases(api, store) -> dict[str, int]:
    add_users(api)
    api.add("admin-b", "admin", "banque-b")
    return {"a": seed_case(store, "banque-a", "community_managers", complaint=True),
            "a1": seed_case(store, "agence-a1", "community_managers"),
            "b": seed_case(store, "banque-b", "community_managers", complaint=True),
            "b-escalated": seed_case(store, "banque-b", "customer_relations", state="escalated")}


def listed(api, login: str, **params) -> list[int]:
    answer = api.as_(login).get("/inbox/cases", params=params)
    assert answer.status_code == 200, answer.text
    return [c["id"] for c in answer.json()]


def test_lists_hold_only_the_cases_of_ones_entities(api, cases):
    a, a1, b, b2 = cases["a"], cases["a1"], cases["b"], cases["b-escalated"]
    assert listed(api, "cm-a") == listed(api, "comp-a") == [a, a1]
    assert listed(api, "cm-b") == [b, b2]
    assert listed(api, "admin") == [a, a1, b, b2]
    assert listed(api, "admin-b") == [b, b2]
    assert listed(api, "cm-a", entity="banque-b") == []
    assert listed(api, "cm-a", entity="agence-a1") == [a1]
    assert [s["case_id"] for s in api.as_("cm-a").get("/inbox/sla").json()] == [a, a1]


def test_a_case_of_another_entity_answers_like_a_missing_one(api, cases):
    b = cases["b"]
    hidden = api.as_("cm-a").get(f"/inbox/cases/{b}")
    missing = api.as_("cm-a").get("/inbox/cases/987654")
    assert (hidden.status_code, missing.status_code) == (404, 404)
    assert hidden.json() == {"error": "not_found", "message": f"no case {b}"}
    assert missing.json() == {"error": "not_found", "message": "no case 987654"}
    assert api.as_("cm-b").get(f"/inbox/cases/{b}").status_code == 200


@pytest.mark.parametrize("login", ["cm-a", "admin-a-scope"])
def test_no_action_reaches_a_case_of_another_entity(api, cases, store, login):
    if login == "admin-a-scope":
        api.add(login, "admin", "banque-a")
    b = cases["b"]
    for method, suffix, body in ACTIONS:
        answer = api.as_(login).request(method, f"/inbox/cases/{b}{suffix}", json=body)
        assert answer.status_code == 404, (suffix, answer.text)
        assert answer.json()["message"] == f"no case {b}"
    for login_of_a, suffix, body in (("cr-a", "/hand-back", {"elements": "x"}), ("cr-a", "/contact", {"how": "tel"})):
        answer = api.as_(login_of_a).post(f"/inbox/cases/{cases['b-escalated']}{suffix}", json=body)
        assert answer.status_code == 404, (suffix, answer.text)
    history = api.as_("cm-b").get(f"/inbox/cases/{b}").json()
    assert case_version(store, b) == 1 and history["events"] == [] and history["notes"] == []
    assert api.as_("cm-b").get(f"/inbox/cases/{b}/replies").json() == []


def test_replies_of_another_entity_cannot_be_approved_or_sent(api, cases):
    b = cases["b"]
    drafted = api.as_("cm-b").post(f"/inbox/cases/{b}/replies", json={"text": "Bonjour, nous regardons."})
    assert drafted.status_code == 201, drafted.text
    reply_id = drafted.json()["id"]
    for login, verb, body in (("comp-a", "approve", {"comment": "ok"}), ("com-a", "reject", {"comment": "non"}),
                              ("cm-a", "send", {})):
        answer = api.as_(login).post(f"/inbox/replies/{reply_id}/{verb}", json=body)
        assert answer.status_code == 404 and answer.json()["message"] == f"no reply {reply_id}", answer.text
    assert api.as_("cm-b").get(f"/inbox/cases/{b}/replies").json()[0]["state"] == drafted.json()["state"]


def test_the_complaint_register_holds_only_ones_entities(api, cases):
    register = api.as_("comp-a").get("/inbox/complaints.csv")
    assert register.status_code == 200 and register.headers["content-type"].startswith("text/csv")
    rows = [line.split(";") for line in register.content.decode("utf-8-sig").splitlines()]
    assert rows[0][:3] == ["Référence", "Entité", "Canal"]
    assert [row[1:3] for row in rows[1:]] == [["banque-a", "x"]]
    everything = api.as_("admin").get("/inbox/complaints.csv").content.decode("utf-8-sig").splitlines()
    assert [line.split(";")[1] for line in everything[1:]] == ["banque-a", "banque-b"]


def test_figures_count_only_the_cases_of_ones_entities(api, cases):
    mine = api.as_("com-a").get("/inbox/figures")
    assert mine.status_code == 200, mine.text
    assert mine.json()["cases"] == 2 and {m["entity"] for m in mine.json()["per_month"]} == {"banque-a", "agence-a1"}
    assert api.as_("com-a").get("/inbox/figures", params={"entity": "banque-b"}).json()["cases"] == 0
    everything = api.as_("admin").get("/inbox/figures").json()
    assert everything["cases"] == 4 and everything["backlog_by_queue"] == {"community_managers": 3,
                                                                           "customer_relations": 1}
