"""The inbox and rules commands as a user runs them (CliRunner, SQLite), and the demo printer."""
from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from tests.factories import write_jsonl
from tests.inbox.test_intake import DEMO_TOML, analysed
from veilleur.cli.main import app
from veilleur.settings import get_settings
from veilleur.storage.sql import SqlStore

runner = CliRunner()


@pytest.fixture(autouse=True)
def _wide_console(monkeypatch):
    """Tables as wide as they need, whatever the terminal (or pytest-xdist) says."""
    from veilleur.cli.common import out

    monkeypatch.setattr(out, "_width", 200)


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})


@pytest.fixture
def config(tmp_path):
    """The demo settings (organisation, agents) on an empty database in ``tmp_path``."""
    path = tmp_path / "veilleur.toml"
    path.write_text('data_dir = "data"\n' + DEMO_TOML.read_text(encoding="utf-8"), encoding="utf-8")
    settings = get_settings(path)
    store = SqlStore(settings.effective_database_url)
    store.upgrade()
    store.save([analysed(1, "@BanqueHelios quel est le plafond du LDD ?", handle="camille_r"),
                analysed(2, "@BanqueHelios on m'a piraté, un virement de 900 € part !", handle="louis",
                         intent="complaint", topics=("fraud_security",), urgency="high")])
    store.close()
    return path


def test_sync_list_show_and_act(config):
    result = invoke("inbox", "sync", "--config", config)
    assert result.exit_code == 0, result.output
    assert "2 posts read: 2 cases opened" in result.output
    listed = invoke("inbox", "list", "--config", config)
    assert listed.exit_code == 0, listed.output
    lines = [line for line in listed.output.splitlines() if "│ " in line and ("P1" in line or "P3" in line)]
    assert "P1" in lines[0] and "escalated" in lines[0]  # most urgent first
    assert "CRM-000421" in invoke("inbox", "show", 1, "--config", config).output
    noted = invoke("inbox", "note", 1, "rappel au 06 12 34 56 78", "--as", "amelie", "--config", config)
    assert noted.exit_code == 0 and "06 12 34 56 78" not in noted.output
    assert "answered" in invoke("inbox", "state", 1, "answered", "--as", "amelie", "--config", config).output
    closed = invoke("inbox", "close", 1, "--reason", "answered_public", "--as", "amelie", "--config", config)
    assert "closed (answered_public)" in closed.output
    stale = invoke("inbox", "assign", 2, "damien", "--version", "1", "--as", "amelie", "--config", config)
    assert stale.exit_code == 2 and "reload it and try again" in stale.output


def test_entity_scoping_and_bad_role(config):
    invoke("inbox", "sync", "--config", config)
    hidden = invoke("inbox", "show", 1, "--as", "paul", "--entity", "helios-provence", "--config", config)
    assert hidden.exit_code == 2 and "may not see" in hidden.output
    assert invoke("inbox", "list", "--role", "boss", "--config", config).exit_code == 2


def test_reply_needs_approval_and_send(config):
    invoke("inbox", "sync", "--config", config)
    drafted = invoke("inbox", "reply", 1, "Bonjour, le plafond du LDDS est de 12 000 €.", "--as", "amelie",
                     "--config", config)
    assert "reply 1: ready" in drafted.output, drafted.output
    sent = invoke("inbox", "send", 1, "--as", "amelie", "--config", config)
    assert "recorded as sent" in sent.output and "answered" in sent.output


def test_rules_test_table_and_json(tmp_path):
    path = write_jsonl(tmp_path / "posts.jsonl", [
        {"id": "a", "text": "Quel est le taux du Livret A ?", "intent": "question", "urgency": "normal"},
        {"id": "b", "text": "bande de nuls", "intent": "abuse", "abusive": True, "urgency": "low"},
        {"id": "c", "text": "On m'a piraté, virement frauduleux en cours", "intent": "complaint",
         "topics": ["fraud_security"], "urgency": "high"},
    ])
    table = invoke("rules", "test", path)
    assert table.exit_code == 0, table.output
    assert "question générale" in table.output and "insulte sans demande" in table.output
    rows = [json.loads(line) for line in invoke("rules", "test", path, "--json").output.splitlines()]
    assert [r["rule"] for r in rows] == ["question générale", "insulte sans demande", "fraude en cours"]
    assert rows[2]["priority"] == "P1" and rows[2]["fired"][-1]["because"] == ["topics∋fraud_security",
                                                                                 "urgency=high"]


def test_rules_test_analyses_posts_without_labels(tmp_path):
    path = write_jsonl(tmp_path / "posts.jsonl", [{"text": "Bande d'escrocs, je vous déteste, allez vous faire voir"}])
    rows = [json.loads(line) for line in invoke("rules", "test", path, "--json").output.splitlines()]
    assert rows[0]["analysed"] is True and rows[0]["labels"]["intent"] is not None


def test_rules_test_reports_bad_lines(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": 3}\n', encoding="utf-8")
    result = invoke("rules", "test", path)
    assert result.exit_code == 2 and "line 1" in result.output


def test_print_inbox_demo(config, capsys):
    from veilleur.cli.inbox_commands import print_inbox_demo

    settings = get_settings(config)
    store = SqlStore(settings.effective_database_url)
    print_inbox_demo(settings, store)
    store.close()
    printed = capsys.readouterr().out
    for part in ("cases by queue and state", "top 10 open cases", "SLA status", "complaints (ACPR 2022-R-01)"):
        assert part in printed
