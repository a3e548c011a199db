"""``veilleur kb ...``, ``veilleur complaints export`` and ``veilleur figures`` as a user runs them (SQLite)."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.inbox.test_intake import DEMO_TOML, analysed
from veilleur.cli.main import app
from veilleur.settings import get_settings
from veilleur.storage.sql import SqlStore

KNOWLEDGE = Path(__file__).parents[2] / "data" / "knowledge"
runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "250"})


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "veilleur.toml"
    path.write_text('data_dir = "data"\n' + DEMO_TOML.read_text(encoding="utf-8"), encoding="utf-8")
    store = SqlStore(get_settings(path).effective_database_url)
    store.upgrade()
    store.save([analysed(1, "@BanqueHelios quel est le plafond du LDD ?", handle="camille_r"),
                analysed(2, "@BanqueHelios =frais abusifs, je veux être remboursé", handle="louis",
                         intent="complaint", topics=("fees",))])
    store.close()
    return path


def test_import_suggest_fact_set_render_and_export(config, tmp_path):
    result = invoke("kb", "import", KNOWLEDGE / "facts.toml", KNOWLEDGE / "answers_fr.toml", "--as", "alice",
                    "--config", config)
    assert result.exit_code == 0, result.output
    assert "17 added" in result.output and "44 added" in result.output
    result = invoke("kb", "suggest", "c combien le plafond du livret a", "--today", "2026-11-24", "--config", config)
    assert result.exit_code == 0 and "livret-a-plafond" in result.output
    blocked = invoke("kb", "render", "livret-a-taux", "--var", "prenom=Julie", "--today", "2026-11-24",
                     "--config", config)
    assert blocked.exit_code == 2 and "taux_livret_a" in blocked.output
    changed = invoke("kb", "fact", "set", "taux_livret_a", "1,5", "--source", "Banque de France (exemple)",
                     "--effective-from", "2026-02-01", "--valid-until", "2027-01-31", "--as", "bob", "--config", config)
    assert changed.exit_code == 0 and "version 2" in changed.output
    rendered = invoke("kb", "render", "livret-a-taux", "--var", "prenom=Julie", "--today", "2026-11-24",
                      "--config", config)
    assert rendered.exit_code == 0 and rendered.output.startswith("Bonjour Julie, le taux du Livret A est de 1,5")
    assert "valid" in invoke("kb", "facts", "--today", "2026-11-24", "--config", config).output
    assert "44 answers, 3 blocked" in invoke("kb", "list", "--today", "2026-11-24", "--config", config).output
    exported = tmp_path / "export.toml"
    assert invoke("kb", "export", "--out", exported, "--config", config).exit_code == 0
    assert "[[answers]]" in exported.read_text(encoding="utf-8")


def test_bad_input_is_a_message_not_a_traceback(config, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[[facts]]\nkey = 'k'\n", encoding="utf-8")
    result = invoke("kb", "import", bad, "--config", config)
    assert result.exit_code == 2 and "missing 'value'" in result.output
    result = invoke("kb", "fact", "set", "k", "v", "--source", "s", "--valid-until", "bientôt", "--config", config)
    assert result.exit_code == 2 and "--valid-until" in result.output


def test_complaints_export_and_figures(config, tmp_path):
    assert invoke("inbox", "sync", "--config", config).exit_code == 0
    register = tmp_path / "registre.csv"
    result = invoke("complaints", "export", "--out", register, "--config", config)
    assert result.exit_code == 0, result.output
    raw = register.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfR\xc3\xa9f\xc3\xa9rence;")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert len(rows) == 1 and rows[0]["Canal"] == "x" and rows[0]["Entité"] == "helios"
    figures = invoke("figures", "--config", config)
    assert figures.exit_code == 0 and "2 cases" in figures.output and "BNP Paribas" in figures.output
