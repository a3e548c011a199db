"""``/knowledge`` through the API: suggestions for a case and a text, rendering, facts, roles (SQLite)."""
from __future__ import annotations

import pytest

from tests.access.conftest import T0
from tests.web.seed import ROLE_USER, add_users, seed_case
from tests.web.test_inbox_roles import ROLES
from tests.web.test_inbox_roles import database_url as sqlite_database_url
from veilleur.inbox.knowledge import KnowledgeBase
from veilleur.inbox.knowledge_settings import KnowledgeSettings

database_url = sqlite_database_url
KB = """
[[facts]]
key = "plafond_ldd"
value = "12 000"
unit = "€"
effective_from = 2020-01-01
valid_until = 2027-06-30
source = "Code monétaire et financier (exemple)"
example = true

[[answers]]
id = "ldd-plafond"
language = "fr"
title = "Plafond du LDD"
questions = ["Quel est le plafond du LDD ?", "Combien peut-on mettre sur un LDDS ?"]
body = "Bonjour {prenom}, le plafond du LDD est de {fait:plafond_ldd}."
approved_by = "conformite"
approved_at = 2026-01-02

[[answers]]
id = "carte-opposition"
language = "fr"
title = "Faire opposition sur sa carte"
questions = ["On m'a volé ma carte bancaire", "Comment bloquer ma carte perdue ?"]
body = "Bonjour {prenom}, faites opposition dans l'application."
approved_by = "conformite"
approved_at = 2026-01-02
"""


@pytest.fixture
def world(api, store, tmp_path):
    add_users(api)
    path = tmp_path / "kb.toml"
    path.write_text(KB, encoding="utf-8")
    KnowledgeBase(store, KnowledgeSettings(vectors=False)).import_toml(path, actor="test", now=T0)
    return api


def test_suggestions_for_a_case_say_when_a_stale_fact_blocks_the_answer(world, store):
    case_id = seed_case(store, "banque-a", "community_managers", text="Bonjour, quel est le plafond du LDD ?")
    found = world.as_("cm-a").get(f"/knowledge/cases/{case_id}/suggestions").json()
    assert found["suggestions"][0]["answer_id"] == "ldd-plafond" and found["suggestions"][0]["blocked"] is None
    world.clock.advance(days=300)  # past the fact's validity
    again = world.as_("cm-a").get(f"/knowledge/cases/{case_id}/suggestions").json()
    assert "plafond_ldd" in again["suggestions"][0]["blocked"]
    other = seed_case(store, "banque-b", "community_managers")
    assert world.as_("cm-a").get(f"/knowledge/cases/{other}/suggestions").json() == {
        "error": "not_found", "message": f"no case {other}"}


def test_render_fills_the_answer_and_refuses_a_stale_fact_until_updated(world):
    client = world.as_("cm-a")
    rendered = client.post("/knowledge/answers/ldd-plafond/render", json={"variables": {"prenom": "Léa"}})
    assert rendered.json()["text"] == "Bonjour Léa, le plafond du LDD est de 12 000\u00a0€."
    missing = client.post("/knowledge/answers/ldd-plafond/render", json={})
    assert missing.status_code == 422 and "prenom" in missing.json()["message"]
    assert client.post("/knowledge/answers/nope/render", json={}).status_code == 404
    world.clock.advance(days=300)
    stale = client.post("/knowledge/answers/ldd-plafond/render", json={"variables": {"prenom": "Léa"}})
    assert stale.status_code == 409 and "plafond_ldd" in stale.json()["message"]
    updated = world.as_("expert-a").put("/knowledge/facts/plafond_ldd", json={
        "value": "12 000", "unit": "€", "source": "Code monétaire et financier, art. D221-103",
        "valid_until": "2027-12-31"})
    assert updated.status_code == 200, updated.text
    assert client.post("/knowledge/answers/ldd-plafond/render", json={"variables": {"prenom": "Léa"}}).status_code \
        == 200


def test_every_role_reads_only_experts_and_admins_update_facts(world):
    fact = {"value": "12 000", "source": "exemple"}
    reads = tuple(world.as_(ROLE_USER[r]).get("/knowledge/answers").status_code for r in ROLES)
    writes = tuple(world.as_(ROLE_USER[r]).put("/knowledge/facts/plafond_ldd", json=fact).status_code for r in ROLES)
    assert reads == (200,) * 6
    assert writes == (403, 200, 403, 403, 403, 200)
    facts = world.as_("cm-a").get("/knowledge/facts").json()
    assert [(f["key"], f["source"]) for f in facts] == [("plafond_ldd", "exemple")]


def test_suggestions_for_a_free_text(world):
    found = world.as_("cr-a").get("/knowledge/suggestions", params={"text": "ma carte a été volée"}).json()
    assert found[0]["answer_id"] == "carte-opposition"
