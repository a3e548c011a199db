"""E-reputation with its interval and change test, share of voice, authors and trending terms."""
from __future__ import annotations

import math
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.analytics.support import MONDAY, doc
from veilleur.analytics import queries
from veilleur.analytics.authors import role_of
from veilleur.analytics.errors import NotFound
from veilleur.analytics.reputation import Balance, compare, z_of
from veilleur.analytics.series import parse_period
from veilleur.analytics.terms import log_likelihood, rank
from veilleur.analytics.text import STOP_WORDS, terms
from veilleur.analytics.watch import update
from veilleur.core.actor import Actor, Role
from veilleur.core.organisation import Brand, Entity, Organisation
from veilleur.settings import Settings

PARIS = ZoneInfo("Europe/Paris")


def organisation() -> Organisation:
    return Organisation(group="Groupe Hélios", include_default_brands=False, entities=[
        Entity(id="helios", name="Banque Hélios", brand="Banque Hélios"),
        Entity(id="helios-provence", name="Hélios Provence", kind="regional_bank", parent="helios",
               brand="Hélios Provence")],
        brands=[Brand(name="Banque Hélios", kind="own", handles=["@BanqueHelios"]),
                Brand(name="Hélios Provence", kind="own", network="Banque Hélios"),
                Brand(name="Kivo", kind="competitor", handles=["@KivoBank"])])


@pytest.fixture
def watched(store, tmp_path, database_url):
    settings = Settings(data_dir=tmp_path, database_url=database_url, organisation=organisation())
    week1, week2 = MONDAY, MONDAY + timedelta(days=7)
    docs = []
    # week 1: Hélios 6 positive, 2 negative, 2 neutral; week 2: 2 positive, 7 negative, 1 neutral
    for week, labels in ((week1, ["positive"] * 6 + ["negative"] * 2 + ["neutral"] * 2),
                         (week2, ["positive"] * 2 + ["negative"] * 7 + ["neutral"])):
        for i, sentiment in enumerate(labels):
            docs.append(doc(week + timedelta(hours=10 + i), f"la banque {sentiment} numéro {i} appli",
                            sentiment=sentiment, topics=["digital"] if sentiment == "negative" else ["cards"],
                            followers=1000 if sentiment == "positive" else 10))
    docs += [doc(week2 + timedelta(hours=9), "Provence panne appli panne", bank="Hélios Provence",
                 sentiment="negative", entity="helios-provence", followers=5000)]
    docs += [doc(week2 + timedelta(hours=9, minutes=i), f"Kivo carte {i}", bank="Kivo", followers=100)
             for i in range(4)]
    store.save(docs)
    update(store, settings)
    return settings


def test_net_sentiment_interval_and_weighting_follow_the_formula(store, watched):
    period = parse_period("2026-09-14..2026-09-20", PARIS)
    r = queries.reputation(store, watched, period, bank="Banque Hélios")
    # week 2, Hélios and its regional bank: 2 positive, 8 negative, 1 neutral → net = -6/11
    assert (r.balance.positive, r.balance.negative, r.balance.posts) == (2, 8, 11)
    assert r.net == round(-6 / 11, 4)
    p, q = 2 / 11, 8 / 11
    half = 1.959964 * math.sqrt((p + q - (p - q) ** 2) / 11)
    assert r.interval == pytest.approx((max(-1.0, -6 / 11 - half), -6 / 11 + half), abs=1e-3)  # clipped to [-1, 1]
    assert r.net_weighted == round((2000 - 70 - 5000) / (2000 + 70 + 5000 + 10), 4)
    assert r.previous_net == 0.4 and r.change.significant and r.change.difference < 0
    assert "positive - negative" in r.formula and r.to_json()["formula"] == r.formula


def test_a_small_difference_on_few_posts_is_noise():
    z = z_of(0.95)
    assert compare(Balance(3, 2, 10), Balance(2, 3, 10), z).significant is False
    assert compare(Balance(300, 200, 1000), Balance(200, 300, 1000), z).significant is True
    assert compare(Balance(), Balance(1, 0, 1), z) is None


def test_share_of_voice_rolls_regional_banks_up_and_shows_reach(store, watched):
    sov = queries.share_of_voice(store, watched, parse_period("2026-09", PARIS))
    shares = {v.bank: (v.posts, v.share, v.kind) for v in sov.overall}
    assert shares == {"Banque Hélios": (21, round(21 / 25, 4), "own"), "Kivo": (4, round(4 / 25, 4), "competitor")}
    assert sum(v.reach_share for v in sov.overall) == pytest.approx(1, abs=1e-3)
    assert {v.bank for v in sov.by_topic["digital"]} == {"Banque Hélios", "Kivo"}


def test_a_regional_user_sees_only_its_bank(store, watched):
    regional = Actor("provence", Role.COMMUNICATION, "helios-provence", frozenset({"helios-provence"}))
    period = parse_period("2026-09", PARIS)
    assert queries.reputation(store, watched, period, actor=regional).balance.posts == 1
    with pytest.raises(NotFound):
        queries.reputation(store, watched, period, bank="Kivo", actor=regional)
    assert [v.bank for v in queries.share_of_voice(store, watched, period, actor=regional).overall] == ["Kivo"]


def test_top_topics_and_series(store, watched):
    period = parse_period("2026-09", PARIS)
    topics = queries.top_topics(store, watched, period, bank="Banque Hélios")
    assert [(t["topic"], t["posts"]) for t in topics] == [("cards", 11), ("digital", 9)]
    assert topics[0]["net"] == pytest.approx(8 / 11) and topics[1]["net"] == -1.0
    weekly = queries.series(store, watched, period, grain="week", dimension="sentiment", bank="Banque Hélios")
    assert [p.posts for p in weekly["negative"]] == [2, 8]
    with pytest.raises(NotFound):
        queries.series(store, watched, period, grain="year")


def test_log_likelihood_matches_dunning_and_ranks_new_terms_first():
    # a=10 of 1000 against b=0 of 1000: G² = 2·10·ln(10 / 5)
    assert log_likelihood(10, 0, 1000, 1000) == pytest.approx(20 * math.log(2))
    assert log_likelihood(0, 0, 10, 10) == 0.0
    now = {"panne": 12, "appli": 20, "carte": 5}
    before = {"appli": 18, "carte": 30}
    found = rank(now, before, min_count=3)
    assert [t.term for t in found] == ["panne", "appli"]  # carte is said less than usual
    assert "le" in STOP_WORDS and "mdr" in STOP_WORDS
    assert terms("L'appli de la Banque Hélios est en panne #HeliosDown") == [
        "appli", "banque", "helios", "panne", "#heliosdown", "appli banque", "banque helios", "helios panne"]


def test_trending_terms_per_bank(store, watched):
    found = queries.trending_terms(store, watched, parse_period("2026-09-14..2026-09-20", PARIS),
                                   bank="Banque Hélios", baseline=parse_period("2026-09-07..2026-09-13", PARIS))
    top = {t["term"] for t in found["terms"][:4]}
    assert {"negative", "banque negative", "panne"} & top and "G²" in found["formula"]
    assert "positive" not in {t["term"] for t in found["terms"]}  # said less than in the baseline


def test_roles_from_bios_in_french_and_english():
    assert role_of("Journaliste éco à L'Éco du Soir") == "journalist"
    assert role_of("Senior analyst, European banks") == "analyst"
    assert role_of("Business angel & investisseuse") == "investor"
    assert role_of("Blogueuse finances perso") == "blogger"
    assert role_of("Toulon | café, vélo et mauvaise foi") is None and role_of(None) is None


def test_authors_lists(store, tmp_path, database_url):
    settings = Settings(data_dir=tmp_path, database_url=database_url, organisation=organisation())
    at = MONDAY + timedelta(hours=10)
    docs = [doc(at, "analyse", handle="ines", followers=184_000, bio="Journaliste banque"),
            doc(at, "petit blog", handle="petitblog", followers=30, bio="blogueur"),
            doc(at, "annonce", handle="BanqueHelios", followers=90_000, bio="journaliste officiel"),
            *[doc(at + timedelta(minutes=i), "bande de nuls", handle="grincheux", sentiment="negative",
                  intent="abuse", abusive=True) for i in range(3)],
            *[doc(at + timedelta(minutes=i), "voici la réponse", handle="mamie", intent="information",
                  reply_to="123") for i in range(2)],
            doc(at, "merci", handle="mamie", sentiment="positive", intent="praise")]
    store.save(docs)
    update(store, settings)
    board = queries.authors(store, settings, parse_period("2026-09", PARIS))
    assert [(a.handle, a.role) for a in board.opinion_leaders] == [("ines", "journalist")]
    assert [a.handle for a in board.trolls] == ["grincheux"]
    assert [a.handle for a in board.super_users] == ["mamie"]
    assert board.most_active[0].handle in {"grincheux", "mamie"}
    assert "BanqueHelios" not in {a.handle for a in board.most_reach}
