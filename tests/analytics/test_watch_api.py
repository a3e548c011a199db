"""``/watch`` through the API: roles allowed and refused, entity scoping, formulas in the answers."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tests.access.conftest import Clock, cheap_hasher
from tests.analytics.support import MONDAY, doc, every
from tests.web.conftest import Api
from veilleur.access.users import Users
from veilleur.analytics.watch import update
from veilleur.core.organisation import Brand, Entity, Organisation
from veilleur.settings import Settings
from veilleur.web.app import create_app


def organisation() -> Organisation:
    return Organisation(group="G", include_default_brands=False,
                        entities=[Entity(id="helios", name="Banque Hélios", brand="Banque Hélios"),
                                  Entity(id="provence", name="Hélios Provence", kind="regional_bank",
                                         parent="helios", brand="Hélios Provence")],
                        brands=[Brand(name="Banque Hélios", kind="own"),
                                Brand(name="Hélios Provence", kind="own", network="Banque Hélios"),
                                Brand(name="Kivo", kind="competitor")])


@pytest.fixture
def api(store, tmp_path, database_url) -> Api:
    settings = Settings(data_dir=tmp_path, database_url=database_url, organisation=organisation())
    outage = [doc(at, f"appli en panne {i}", sentiment="negative", intent="complaint", topics=["digital"])
              for i, at in enumerate(every(MONDAY + timedelta(hours=7), 1, 8))]
    provence = [doc(at, f"agence fermée {i}", bank="Hélios Provence", entity="provence", sentiment="negative",
                    intent="complaint") for i, at in enumerate(every(MONDAY + timedelta(hours=9), 1, 8))]
    store.save(outage + provence + [doc(MONDAY + timedelta(hours=12), "Kivo top", bank="Kivo")])
    update(store, settings)
    clock = Clock(MONDAY + timedelta(days=1))
    users = Users(store, settings.organisation, settings.access, clock=clock, hasher=cheap_hasher())
    api = Api(create_app(settings, store=store, users=users, clock=clock), users, clock)
    for login, role, entity in (("com", "communication", None), ("cm", "community_manager", None),
                                ("expert", "expert", None), ("comp", "compliance", None),
                                ("com-provence", "communication", "provence")):
        api.add(login, role, entity)
    return api


def _alert_of(api, login, bank):
    return next(a for a in api.as_(login).get("/watch/alerts").json() if a["bank"] == bank)


def test_readers_get_measures_with_their_formulas(api):
    com = api.as_("com")
    reputation = com.get("/watch/reputation", params={"period": "2026-09", "bank": "Banque Hélios"})
    assert reputation.status_code == 200 and reputation.json()["balance"]["posts"] == 16
    assert "positive - negative" in reputation.json()["formula"] and reputation.json()["interval"][1] <= 1
    sov = com.get("/watch/share-of-voice", params={"period": "2026-09"}).json()
    assert [v["bank"] for v in sov["overall"]] == ["Banque Hélios", "Kivo"] and "formula" in sov
    weekly = com.get("/watch/series", params={"period": "2026-09", "grain": "week", "dimension": "sentiment"}).json()
    assert weekly["series"]["negative"][0]["posts"] == 16
    assert com.get("/watch/terms", params={"period": "2026-09-07"}).status_code == 200
    assert com.get("/watch/topics", params={"period": "2026-09"}).json()[0]["topic"] == "digital"
    assert api.as_("cm").get("/watch/reputation", params={"period": "2026-09"}).status_code == 200
    assert api.as_("comp").get("/watch/authors", params={"period": "2026-09"}).status_code == 200


def test_roles_refused_and_bad_input(api):
    assert api.as_(None).get("/watch/alerts").status_code == 401
    assert api.as_("expert").get("/watch/reputation", params={"period": "2026-09"}).status_code == 403
    assert api.as_("cm").get("/watch/authors", params={"period": "2026-09"}).status_code == 403
    alert = _alert_of(api, "com", "Banque Hélios")
    assert api.as_("cm").post(f"/watch/alerts/{alert['id']}/acknowledge").status_code == 403
    assert api.as_("comp").post(f"/watch/alerts/{alert['id']}/close").status_code == 403
    bad = api.as_("com").get("/watch/reputation", params={"period": "octobre"})
    assert bad.status_code == 422 and "octobre" in bad.json()["message"]


def test_acknowledge_close_and_incidents(api):
    com = api.as_("com")
    alert = _alert_of(api, "com", "Banque Hélios")
    shown = com.get(f"/watch/alerts/{alert['id']}").json()
    assert shown["why"] and shown["explanation"]["threshold"] and shown["post_ids"]
    assert com.post(f"/watch/alerts/{alert['id']}/acknowledge").json()["state"] == "acknowledged"
    assert com.post(f"/watch/alerts/{alert['id']}/close").json()["handled_by"] == "com"
    assert com.post(f"/watch/alerts/{alert['id']}/close").status_code == 409
    incidents = com.get("/watch/incidents").json()
    assert {i["bank"] for i in incidents} == {"Banque Hélios", "Hélios Provence"}
    one = com.get(f"/watch/incidents/{incidents[0]['id']}").json()
    assert one["statement_status"] == "draft" and one["timeline"]
    assert com.post(f"/watch/incidents/{one['id']}/close").json()["state"] == "closed"


def test_a_regional_user_sees_only_its_entity(api):
    regional = api.as_("com-provence")
    helios_alert = _alert_of(api, "com", "Banque Hélios")
    assert {a["bank"] for a in regional.get("/watch/alerts").json()} == {"Hélios Provence"}
    assert regional.get(f"/watch/alerts/{helios_alert['id']}").status_code == 404
    assert regional.post(f"/watch/alerts/{helios_alert['id']}/close").status_code == 404
    assert regional.get("/watch/reputation", params={"period": "2026-09", "bank": "Kivo"}).status_code == 404
    own = regional.get("/watch/reputation", params={"period": "2026-09"}).json()
    assert own["balance"]["posts"] == 8
    assert {i["bank"] for i in regional.get("/watch/incidents").json()} == {"Hélios Provence"}
