"""The monthly report: self-contained HTML with the figures, PNG charts, the summary, the measures behind them."""
from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta

import matplotlib.image
import pytest
from typer.testing import CliRunner

from tests import factories
from tests.analytics.notify_support import alert as make_alert
from veilleur.analytics import report_data
from veilleur.analytics.report import ReportError, summary, write_report
from veilleur.cli.main import app
from veilleur.core.organisation import Organisation
from veilleur.core.post import Author
from veilleur.settings import Settings
from veilleur.storage import watch_store
from veilleur.storage.sql import SqlStore

OCT = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)
BRANDS = [{"name": "Banque Hélios", "kind": "own", "hashtags": ["#Helios"]},
          {"name": "Hélios Normandie", "kind": "own", "network": "Banque Hélios"},
          {"name": "Kivo", "kind": "competitor"}]
JOURNALIST = Author(handle="InesM", display_name="Inès M.", followers=184_000,
                    bio="Journaliste économie <script>alert(1)</script>")


def _doc(n: int, bank: str, sentiment: str, at: datetime, text: str = "Panne de l'appli Hélios ce matin",
         author: Author | None = None, topics=("digital",)):
    doc = factories.doc(n, text, created_at=at, author=author or Author(handle=f"client{n}", followers=n * 10),
                        url=f"https://x.com/client/status/{n}")
    doc.analysis.bank, doc.analysis.sentiment, doc.analysis.topics = bank, sentiment, list(topics)
    return doc


def _month(store):
    docs, n = [], 0
    for day in range(30):
        at = OCT + timedelta(days=day, hours=day % 5)
        for bank, sentiment in (("Banque Hélios", "negative"), ("Banque Hélios", "positive"),
                                ("Hélios Normandie", "negative"), ("Kivo", "positive")):
            n += 1
            docs.append(_doc(n, bank, sentiment, at))
    docs.append(_doc(n + 1, "Banque Hélios", "negative", OCT + timedelta(days=3), "Hélios : l'article", JOURNALIST))
    for i in range(12):  # a phrase that only Hélios' posts carry: it trends against the competitors
        docs.append(_doc(n + 2 + i, "Banque Hélios", "negative", OCT + timedelta(days=9, minutes=i),
                         "Hélios retraits bloqués lundi, retirez votre argent", topics=("fraud_security",)))
    store.save(docs)


@pytest.fixture
def report_settings(settings):
    return settings.model_copy(update={"organisation": Organisation(brands=BRANDS)})


@pytest.fixture
def sqlite_store(tmp_path):
    """One back end for the tests of rendering only (the SQL behind the figures runs on both above)."""
    store = SqlStore(f"sqlite:///{tmp_path / 'report.db'}")
    store.upgrade()
    yield store
    store.close()


@pytest.fixture
def sqlite_settings(tmp_path):
    return Settings(data_dir=tmp_path / "data", organisation=Organisation(brands=BRANDS))


def test_report_is_self_contained_with_the_figures_and_valid_pngs(store, report_settings, tmp_path):
    _month(store)
    with store.engine.begin() as conn:
        watch_store.save_alert(conn, make_alert(alert_id=None, post_ids=[1, 2]))
    files = write_report(store, report_settings, "Banque Hélios", "2026-10", tmp_path / "out",
                         now=datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
    page = files.html.read_text(encoding="utf-8")
    assert files.html.name == "rapport-banque-helios-2026-10.html"
    assert not re.search(r"<script[^>]+src=", page) and not re.search(r"<link[^>]+href=[\"']?https?:", page)
    assert "cdn.plot.ly" not in page.split("</script>", 1)[1]  # nothing after plotly's own bundle points to a CDN
    assert "Rapport de veille — Banque Hélios" in page and "Octobre 2026" in page
    figures = files.figures
    assert figures.posts == 30 * 3 + 13 and figures.banks == ["Banque Hélios", "Hélios Normandie"]
    assert f"{figures.reputation.net:.1f}".replace(".", ",").replace("-", "−") in page
    assert "Part de voix" in page and "Kivo" in page and "pic de messages sur l&#39;appli Hélios Mobile" in page
    assert "Veille : 1 alerte(s) (1 critique) ; 0 incident(s)." in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert "La boîte de réception n'a aucun dossier pour Banque Hélios" in page
    assert [p.name for p in files.pngs] == ["volume.png", "e-reputation.png", "part-de-voix.png", "themes.png"]
    for png in files.pngs:
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        height, width, _ = matplotlib.image.imread(png).shape
        assert (width, height) == (1500, 780)


def test_measures_interval_share_of_voice_trending_and_leaders(store, report_settings):
    _month(store)
    with store.engine.connect() as conn:
        f = report_data.gather(conn, report_settings, "Banque Hélios", "2026-10")
    assert (f.reputation.positive, f.reputation.negative) == (30, 73)
    assert [(brand, posts) for brand, posts, _ in f.share_of_voice] == [("Banque Hélios", 103), ("Kivo", 30)]
    assert f.share_of_voice[0][2] > f.share_of_voice[1][2]  # the journalist's audience weighs
    assert sum(row[1] for row in f.daily) == 30 and len(f.daily) == 31  # every local day of October
    terms = [t for t, *_ in f.trending]
    assert "retirez" in terms and not any("helios" in t for t in terms)  # a bank's own name is no trend
    assert f.trending_baseline == "les concurrents"
    assert [leader.handle for leader in f.leaders] == ["InesM"]
    assert f.share_by_topic["digital"] == {"Banque Hélios": 91, "Kivo": 30}


def test_net_sentiment_interval_is_the_wald_interval_of_a_difference():
    posts = [report_data.AnalysedPost(i, "x", str(i), None, "t", OCT, None, None, {}, sentiment=s)
             for i, s in enumerate(["positive"] * 60 + ["negative"] * 30 + ["neutral"] * 10)]
    r = report_data.reputation(posts, 0.95)
    # var = (0.6 + 0.3 − 0.3²) / 100 = 0.0081, sd 0.09, half-width 1.96 × 0.09 = 0.1764
    assert (r.net, r.low, r.high) == (30.0, 12.4, 47.6)
    assert report_data.reputation([], 0.95).posts == 0


def test_log_likelihood_matches_dunning():
    assert report_data.g2(10, 0, 100, 100) == pytest.approx(2 * 10 * math.log(2))
    assert report_data.g2(5, 5, 100, 100) == pytest.approx(0.0)


def test_summary_compares_with_the_previous_period(store, report_settings):
    _month(store)
    september = [_doc(1000 + i, "Banque Hélios", "positive", datetime(2026, 9, 10, tzinfo=UTC) + timedelta(hours=i))
                 for i in range(60)]
    store.save(september)
    with store.engine.connect() as conn:
        f = report_data.gather(conn, report_settings, "Banque Hélios", "2026-10")
    lines = summary(f, None)
    assert lines[0].startswith("Volume : 103 publications sur Banque Hélios et son réseau (octobre 2026), "
                               "en hausse de 72 %")
    assert "écart significatif" in lines[1] and f.trending_baseline == "la période précédente"
    assert lines[2].startswith("Part de voix : 77,4 % des publications face à Kivo 22,6 %")


def test_no_posts_is_a_clear_error(store, report_settings, tmp_path):
    with pytest.raises(ReportError, match="no analysed post about 'Banque Hélios' over 2026-10"):
        write_report(store, report_settings, "Banque Hélios", "2026-10", tmp_path)


def test_report_command_writes_the_files(tmp_path):
    config = tmp_path / "veilleur.toml"
    config.write_text('data_dir = "data"\n[[organisation.brands]]\nname = "Banque Hélios"\nkind = "own"\n'
                      '[[organisation.brands]]\nname = "Kivo"\nkind = "competitor"\n', encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(app, ["init", "--config", str(config)]).exit_code == 0
    from veilleur.settings import get_settings
    from veilleur.storage.sql import SqlStore

    store = SqlStore(get_settings(config).effective_database_url)
    store.save([_doc(1, "Banque Hélios", "negative", OCT), _doc(2, "Kivo", "positive", OCT)])
    store.close()
    result = runner.invoke(app, ["report", "--bank", "Banque Hélios", "--period", "2026-10", "--out",
                                 str(tmp_path / "r"), "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "r" / "rapport-banque-helios-2026-10.html").exists() and "1 posts" in result.output
    bad = runner.invoke(app, ["report", "--bank", "Banque Hélios", "--period", "octobre", "--config", str(config)])
    assert bad.exit_code == 2 and "not YYYY-MM" in bad.output



def test_demo_report_for_make_demo(sqlite_store, sqlite_settings, tmp_path, capsys):
    from veilleur.cli.report_commands import print_report_demo

    _month(sqlite_store)
    path = print_report_demo(sqlite_settings, sqlite_store, tmp_path / "demo")
    assert path == tmp_path / "demo" / "rapport-banque-helios-2026-10.html" and path.exists()
    assert str(path) in capsys.readouterr().out.replace("\n", "")


def test_inbox_figures_of_the_banks_cases_in_the_period(sqlite_store, sqlite_settings, tmp_path):
    store = sqlite_store
    from veilleur.core.case import Case, CaseState, Priority
    from veilleur.storage import inbox_store

    _month(store)
    opened = datetime(2026, 10, 6, 8, 0, tzinfo=UTC)  # a Monday, 10:00 in Paris
    cases = [Case(None, CaseState.ANSWERED, Priority.P3, "general", opened + timedelta(days=i), f"thread:x:{i}",
                  bank="Banque Hélios", intent="question", first_response_at=opened + timedelta(days=i, minutes=30),
                  answered_at=opened + timedelta(days=i, hours=1), answered_in_public=True) for i in range(3)]
    cases.append(Case(None, CaseState.NEW, Priority.P3, "general", opened, "thread:x:kivo", bank="Kivo"))
    with store.engine.begin() as conn:
        for case in cases:
            inbox_store.insert_case(conn, case, "system:test", opened)
    page = write_report(store, sqlite_settings, "Banque Hélios", "2026-10", tmp_path,
                        now=datetime(2026, 11, 2, tzinfo=UTC)).html.read_text(encoding="utf-8")
    assert "Dossiers ouverts sur la période</td><td class=\"num\">3<" in page  # Kivo's case is not Hélios'
    assert "30 min (9 sur 10 en 30 min)" in page and "aucun dossier" not in page
    assert "Boîte de réception : dossiers ouverts sur la période 3" in page


def test_report_figures_agree_with_the_watch_queries(sqlite_store, sqlite_settings):
    """The report computes from the posts of the month; the watch from its counters: same numbers."""
    from veilleur.analytics import queries
    from veilleur.analytics.watch import update

    _month(sqlite_store)
    update(sqlite_store, sqlite_settings, now=datetime(2026, 11, 1, tzinfo=UTC))
    with sqlite_store.engine.connect() as conn:
        f = report_data.gather(conn, sqlite_settings, "Banque Hélios", "2026-10")
    watched = queries.reputation(sqlite_store, sqlite_settings, f.period, bank="Banque Hélios")
    assert (watched.balance.posts, watched.balance.positive, watched.balance.negative) == (103, 30, 73)
    def close(value):  # the watch rounds its shares to 4 decimals, the report to 0.1 point
        return pytest.approx(value, abs=0.06)

    assert 100 * watched.net == close(f.reputation.net)
    assert [100 * bound for bound in watched.interval] == [close(f.reputation.low), close(f.reputation.high)]
    assert 100 * watched.net_weighted == close(f.reputation.net_by_reach)
    voices = queries.share_of_voice(sqlite_store, sqlite_settings, f.period).overall
    assert [(v.bank, v.posts, v.reach) for v in voices] == f.share_of_voice
    topics = queries.top_topics(sqlite_store, sqlite_settings, f.period, bank="Banque Hélios")
    assert [(t["topic"], t["posts"]) for t in topics][:len(f.topics)] == [(t, n) for t, n, _ in f.topics]
    assert [100 * t["net"] for t in topics][:len(f.topics)] == [close(net) for *_, net in f.topics]
