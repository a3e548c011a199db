"""Detectors, alert merging and cool-down, incidents: in memory, on a simulated clock."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.analytics.support import MONDAY, every, post
from veilleur.analytics.alerts import AlertBook
from veilleur.analytics.incidents import DRAFT, IncidentBook, holding_statement
from veilleur.analytics.settings import WatchSettings
from veilleur.analytics.signals.base import Firing, simhash
from veilleur.analytics.signals.engine import Watcher
from veilleur.analytics.text import tokens
from veilleur.core.alert import AlertKind, AlertState, Explanation, Severity

ONLY_BURSTS = {"sentiment_shift": {"enabled": False}, "emerging_terms": {"enabled": False},
               "rumors": {"enabled": False}}


def _monday_peaks(weeks: int) -> list:
    """Every Monday 9:00-9:15 in Paris (7:00 UTC), 10 complaints by 10 people; a quiet post every 3 hours."""
    posts = []
    for week in range(weeks):
        monday = MONDAY + timedelta(weeks=week)
        posts += [post(at, "carte refusée", sentiment="negative", intent="complaint")
                  for at in every(monday + timedelta(hours=7), 1.5, 10)]
        posts += [post(at, "question livret") for at in every(monday, 180, 56)]
    return sorted(posts, key=lambda p: p.created_at)


def test_a_weekly_monday_peak_is_expected_but_the_same_on_saturday_night_is_a_burst():
    watcher = Watcher(WatchSettings.model_validate(ONLY_BURSTS))
    first_weeks = watcher.run(_monday_peaks(4))
    assert first_weeks and all(f.at < MONDAY + timedelta(weeks=1) for f in first_weeks)  # no history yet
    fifth_monday = [post(at, "carte refusée", sentiment="negative", intent="complaint")
                    for at in every(MONDAY + timedelta(weeks=4, hours=7), 1.5, 10)]
    assert watcher.run(fifth_monday) == []
    saturday_night = [post(at, "carte refusée", sentiment="negative", intent="complaint")
                      for at in every(MONDAY + timedelta(weeks=4, days=5, hours=1), 1.5, 10)]
    fired = watcher.run(saturday_night)
    assert fired and fired[0].kind == AlertKind.VOLUME_BURST and fired[0].subject == "bank=Banque Hélios"
    why = fired[0].explanation
    assert why.observed >= why.threshold > why.expected and why.window_s == 15 * 60
    assert fired[0].severity.is_crisis and set(fired[0].post_ids) <= {p.id for p in saturday_night}


def test_a_burst_of_praise_is_information_not_a_crisis():
    watcher = Watcher(WatchSettings.model_validate(ONLY_BURSTS))
    fired = watcher.run([post(at, "merci !", sentiment="positive", intent="praise")
                         for at in every(MONDAY + timedelta(hours=12), 1, 12)])
    assert fired and {f.severity for f in fired} == {Severity.INFO}


def test_sentiment_shift_beyond_the_usual_band():
    settings = WatchSettings.model_validate({"bursts": {"enabled": False}, "emerging_terms": {"enabled": False},
                                             "rumors": {"enabled": False}})
    watcher = Watcher(settings)
    usual = [post(at, "bof", sentiment="negative" if i % 10 < 3 else "positive")
             for i, at in enumerate(every(MONDAY, 60, 24 * 10))]
    assert watcher.run(usual) == []
    storm = [post(at, "nul", sentiment="negative") for at in every(MONDAY + timedelta(days=10, hours=9), 3, 14)]
    fired = watcher.run(storm)
    assert fired and fired[0].kind == AlertKind.SENTIMENT_SHIFT
    assert fired[0].explanation.observed >= 0.9 and 0.25 <= fired[0].explanation.expected <= 0.4


def test_an_emerging_term_absent_from_the_baseline():
    settings = WatchSettings.model_validate({"bursts": {"enabled": False}, "sentiment_shift": {"enabled": False},
                                             "rumors": {"enabled": False}})
    watcher = Watcher(settings)
    watcher.run([post(at, "mon livret et ma carte") for at in every(MONDAY, 30, 200)])
    fired = watcher.run([post(at, f"c'est quoi ce #HeliosGate {i}", sentiment="negative")
                         for i, at in enumerate(every(MONDAY + timedelta(days=5), 2, 8))])
    assert [f.explanation.details["term"] for f in fired] == ["#heliosgate"]
    assert fired[0].explanation.details["emerging"] and fired[0].subject == "bank=Banque Hélios|terms"


def test_near_duplicate_copies_by_many_authors_make_a_rumour_cluster():
    settings = WatchSettings.model_validate({"bursts": {"enabled": False}, "sentiment_shift": {"enabled": False},
                                             "emerging_terms": {"enabled": False}})
    watcher = Watcher(settings, networks={"Hélios Provence": "Banque Hélios"})
    copy = "🚨 Hélios ferme des agences en secret, ils préparent un plan social énorme, partagez vite !!"
    posts = [post(at, copy + (" !" * (i % 3)), sentiment="negative",
                  bank="Hélios Provence" if i % 2 else "Banque Hélios")
             for i, at in enumerate(every(MONDAY + timedelta(hours=10), 4, 8))]
    fired = watcher.run(posts)
    assert fired and fired[0].kind == AlertKind.RUMOR_CLUSTER and fired[0].bank == "Banque Hélios"
    details = fired[0].explanation.details
    assert details["first_post_id"] == posts[0].id and details["spread_authors_per_hour"] > 0
    assert details["largest_copy_cluster_authors"] == 6


def test_two_authors_claiming_a_bank_run_are_enough():
    settings = WatchSettings.model_validate({"bursts": {"enabled": False}, "emerging_terms": {"enabled": False},
                                             "sentiment_shift": {"enabled": False}})
    watcher = Watcher(settings)
    fired = watcher.run([post(MONDAY, "Hélios au bord de la faillite, retirez votre argent"),
                         post(MONDAY + timedelta(minutes=6), "on dit que les retraits seront bloqués chez Hélios")])
    assert fired and "affirmations sur la solvabilité" in fired[0].title and fired[0].severity == Severity.WARNING


def test_simhash_keeps_near_duplicates_close_and_different_texts_far():
    a = simhash(tokens("Hélios en faillite ? Retirez votre argent tant qu'il est encore temps !!"))
    b = simhash(tokens("helios en faillite ? retirez votre argent tant qu'il est encore temps"))
    c = simhash(tokens("Merci à ma conseillère pour le prêt immobilier, rapide et efficace"))
    assert (a ^ b).bit_count() <= 10 < (a ^ c).bit_count()


def _firing(at: datetime, severity=Severity.WARNING, subject="bank=Banque Hélios", posts=(1, 2)) -> Firing:
    return Firing(AlertKind.VOLUME_BURST, subject, "Banque Hélios", "helios", severity, "Pic",
                  Explanation(len(posts), 1.0, 5, 900, "messages en 15 min"), list(posts), at, topic="digital")


def test_firings_merge_into_the_open_alert_and_closing_starts_a_cool_down():
    book = AlertBook(WatchSettings(merge_hours=2, cooldown_hours=6))
    t0 = datetime(2026, 10, 9, 8, tzinfo=UTC)
    alert, new = book.fire(_firing(t0))
    again, merged_new = book.fire(_firing(t0 + timedelta(minutes=30), Severity.CRITICAL, posts=(2, 3, 4)))
    assert new and not merged_new and again is alert
    assert alert.fired == 2 and alert.post_ids == [1, 2, 3, 4] and alert.severity == Severity.CRITICAL
    alert.state, alert.closed_at = AlertState.CLOSED, t0 + timedelta(hours=1)
    assert book.fire(_firing(t0 + timedelta(hours=2))) is None and book.suppressed == 1
    later, later_new = book.fire(_firing(t0 + timedelta(hours=8)))
    assert later_new and later is not alert
    assert book.fire(_firing(t0 + timedelta(hours=20), subject="bank=Kivo"))[1]


def test_crisis_alerts_of_one_bank_make_one_incident_with_a_draft_statement():
    settings = WatchSettings()
    book, incidents = AlertBook(settings), IncidentBook(settings)
    t0 = datetime(2026, 10, 9, 8, tzinfo=UTC)
    first, _ = book.fire(_firing(t0))
    first.id = 1
    incident = incidents.add(first, True, t0)
    second, _ = book.fire(_firing(t0 + timedelta(minutes=20), subject="bank=Banque Hélios|terms", posts=(5,)))
    second.id = 2
    assert incidents.add(second, True, t0 + timedelta(minutes=20)) is incident
    info, _ = book.fire(_firing(t0, Severity.INFO, subject="bank=Banque Hélios|topic=csr_sponsorship"))
    assert incidents.add(info, True, t0) is None
    assert incident.alert_ids == [1, 2] and incident.post_ids == [1, 2, 5] and len(incident.timeline) == 2
    assert incident.topic == "digital" and incident.statement_status == "draft"
    assert incident.holding_statement.startswith(DRAFT) and "Banque Hélios" in incident.holding_statement
    statement = holding_statement("Kivo", "rumor")
    assert "rumeur" not in statement and "Kivo est solide" in statement
