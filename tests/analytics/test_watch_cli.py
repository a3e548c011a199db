"""``veilleur watch ...`` as a user runs it (typer's CliRunner, embedded SQLite), and the demo's summary."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from tests.analytics.support import MONDAY, doc, every
from tests.analytics.test_replay import _record, _write
from veilleur.cli.main import app
from veilleur.cli.watch_commands import print_watch_demo
from veilleur.settings import get_settings
from veilleur.storage.sql import SqlStore

runner = CliRunner()
CONFIG = """data_dir = "data"
[organisation]
group = "Groupe Hélios"
include_default_brands = false
[[organisation.entities]]
id = "helios"
name = "Banque Hélios"
brand = "Banque Hélios"
[[organisation.brands]]
name = "Banque Hélios"
kind = "own"
[[organisation.brands]]
name = "Kivo"
kind = "competitor"
"""


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "veilleur.toml"
    path.write_text(CONFIG, encoding="utf-8")
    settings = get_settings(path)
    store = SqlStore(settings.effective_database_url)
    store.upgrade()
    store.save([doc(at, f"appli en panne {i}", sentiment="negative", intent="complaint", topics=["digital"])
                for i, at in enumerate(every(MONDAY + timedelta(days=30, hours=7), 1, 9))]
               + [doc(MONDAY + timedelta(days=30, hours=12), "Kivo merci", bank="Kivo", sentiment="positive")])
    store.close()
    return path


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_update_then_alerts_reputation_share_of_voice_and_terms(config):
    result = invoke("watch", "update", "--config", config)
    assert result.exit_code == 0 and "10 posts followed" in result.output, result.output
    alerts = json.loads(invoke("watch", "alerts", "--json", "--config", config).output)
    assert alerts and alerts[0]["bank"] == "Banque Hélios" and alerts[0]["why"]
    assert "Pic" in invoke("watch", "alerts", "--config", config).output
    reputation = json.loads(invoke("watch", "reputation", "--bank", "Banque Hélios", "--period", "2026-10", "--json",
                                   "--config", config).output)
    assert reputation["net"] == -1.0 and reputation["balance"]["posts"] == 9
    text = invoke("watch", "reputation", "--bank", "Banque Hélios", "--period", "2026-10", "--config", config).output
    assert "net -100.0%" in text and "interval" in text
    sov = json.loads(invoke("watch", "share-of-voice", "--period", "2026-10", "--json", "--config", config).output)
    assert [(v["bank"], v["posts"]) for v in sov["overall"]] == [("Banque Hélios", 9), ("Kivo", 1)]
    assert "panne" in invoke("watch", "terms", "--period", "2026-10-07", "--config", config).output
    assert "incident" in invoke("watch", "incidents", "--config", config).output
    assert invoke("watch", "authors", "--period", "2026-10", "--config", config).exit_code == 0


def test_a_bad_period_is_a_clear_error(config):
    result = invoke("watch", "reputation", "--period", "oct", "--config", config)
    assert result.exit_code == 2 and "'oct'" in result.output


def test_replay_prints_exactly_the_promised_json(tmp_path):
    quiet = [_record(n, MONDAY + timedelta(hours=2 * n), "question livret", "routine") for n in range(1, 200)]
    burst = [_record(200 + n, MONDAY + timedelta(days=17, minutes=n), f"panne {n}", "outage", sentiment="negative")
             for n in range(10)]
    manifest = _write(tmp_path, quiet + burst, [{"name": "outage", "bank": "Banque Hélios", "source": "injected",
                                                 "onset": burst[0]["created_at"], "must_detect": True,
                                                 "crisis": True, "must_not_raise_crisis": False}])
    result = invoke("watch", "replay", manifest, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"incidents", "false_alarms_per_week", "posts_per_s"}
    assert [set(i) for i in data["incidents"]] == [{"name", "onset", "detected_at", "delay_s"}]
    assert data["incidents"][0]["delay_s"] < 900 and data["false_alarms_per_week"] == 0
    table = invoke("watch", "replay", manifest).output
    assert "outage" in table and "false alarms: 0" in table


def test_print_watch_demo(config, capsys):
    settings = get_settings(config)
    store = SqlStore(settings.effective_database_url)
    print_watch_demo(settings, store)
    store.close()
    printed = capsys.readouterr().out
    assert "e-reputation Banque Hélios 2026-10" in printed and "share of voice" in printed and "Pic" in printed
