"""``watch update`` over the store: alerts and incidents kept, merged across runs, acted on and journaled."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.analytics.support import MONDAY, doc, every
from veilleur.analytics import queries
from veilleur.analytics.errors import NotFound, StateConflict
from veilleur.analytics.watch import close_incident_by, set_alert_state, update
from veilleur.core.actor import Actor, Role
from veilleur.core.alert import AlertState
from veilleur.core.organisation import Brand, Entity, Organisation
from veilleur.settings import Settings
from veilleur.storage.tables import journal

NOW = datetime(2026, 10, 1, tzinfo=UTC)


def organisation() -> Organisation:
    return Organisation(group="G", include_default_brands=False,
                        entities=[Entity(id="helios", name="Banque Hélios", brand="Banque Hélios"),
                                  Entity(id="provence", name="Hélios Provence", kind="regional_bank",
                                         parent="helios", brand="Hélios Provence")],
                        brands=[Brand(name="Banque Hélios", kind="own"),
                                Brand(name="Hélios Provence", kind="own", network="Banque Hélios"),
                                Brand(name="Kivo", kind="competitor")])


@pytest.fixture
def settings(tmp_path, database_url) -> Settings:
    return Settings(data_dir=tmp_path, database_url=database_url, organisation=organisation())


def _outage(start: datetime, n: int, bank: str = "Banque Hélios") -> list:
    return [doc(at, f"appli {bank} en panne erreur {i}", bank=bank, sentiment="negative", intent="complaint",
                topics=["digital"]) for i, at in enumerate(every(start, 1, n))]


def test_alerts_are_kept_merged_across_runs_and_gathered_into_an_incident(store, settings):
    quiet = [doc(at, "question sur mon livret") for at in every(MONDAY, 240, 40)]
    store.save(quiet + _outage(MONDAY + timedelta(days=8, hours=7), 6))
    first = update(store, settings, NOW)
    store.save(_outage(MONDAY + timedelta(days=8, hours=7, minutes=8), 10))
    second = update(store, settings, NOW)
    assert first.alerts_opened >= 1 and second.alerts_updated >= 1
    alerts = queries.alerts(store, settings)
    subjects = [a.subject for a in alerts]
    assert len(subjects) == len(set(subjects))  # one alert per subject: the second run merged
    burst = next(a for a in alerts if a.subject == "bank=Banque Hélios")
    assert burst.fired >= 2 and burst.entity == "helios" and burst.severity.is_crisis
    assert burst.to_json()["why"].startswith("messages en")
    incidents = queries.incidents(store, settings)
    assert len(incidents) == 1 and incidents[0].statement_status == "draft"
    assert set(burst.post_ids) <= set(incidents[0].post_ids)
    assert {a.incident_id for a in alerts if a.severity.is_crisis} == {incidents[0].id}
    assert sorted(incidents[0].alert_ids) == sorted(a.id for a in alerts if a.severity.is_crisis)
    assert "accéder à l'application" in incidents[0].holding_statement and incidents[0].topic == "digital"


def test_people_acknowledge_and_close_alerts_and_incidents_journaled_and_scoped(store, settings):
    store.save(_outage(MONDAY + timedelta(hours=7), 8) + _outage(MONDAY + timedelta(hours=7), 8, "Kivo"))
    update(store, settings, NOW)
    alerts = queries.alerts(store, settings)
    helios = next(a for a in alerts if a.bank == "Banque Hélios")
    kivo = next(a for a in alerts if a.bank == "Kivo")
    boss = Actor("chloe", Role.COMMUNICATION)
    regional = Actor("paul", Role.COMMUNICATION, "provence", frozenset({"provence"}))
    with pytest.raises(NotFound):
        set_alert_state(store, regional, helios.id, AlertState.ACKNOWLEDGED, NOW)
    assert queries.alerts(store, settings, actor=regional) == []
    acknowledged = set_alert_state(store, boss, helios.id, AlertState.ACKNOWLEDGED, NOW)
    assert acknowledged.state == AlertState.ACKNOWLEDGED and acknowledged.handled_by == "chloe"
    closed = set_alert_state(store, boss, kivo.id, AlertState.CLOSED, NOW)
    assert closed.closed_at == NOW
    with pytest.raises(StateConflict):
        set_alert_state(store, boss, kivo.id, AlertState.CLOSED, NOW)
    incident = queries.incidents(store, settings, bank="Banque Hélios")[0]
    assert close_incident_by(store, boss, incident.id, NOW).state == "closed"
    with store.engine.connect() as conn:
        actions = conn.execute(select(journal.c.action, journal.c.actor).where(
            journal.c.record_type == "watch_action").order_by(journal.c.id)).all()
    assert [tuple(a) for a in actions] == [("alert_acknowledged", "chloe"), ("alert_closed", "chloe"),
                                           ("incident_closed", "chloe")]
