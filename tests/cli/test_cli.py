"""The command line, as a user runs it (typer's CliRunner, embedded SQLite)."""
from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from tests.factories import record, write_jsonl
from veilleur.cli.main import app
from veilleur.core.labels import LABEL_NAMES

runner = CliRunner()


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "veilleur.toml"
    path.write_text('data_dir = "data"\n[organisation]\ngroup = "Test"\n', encoding="utf-8")
    return path


def invoke(*args, **kwargs):
    return runner.invoke(app, [str(a) for a in args], **kwargs)


def test_help_lists_the_commands():
    result = invoke("--help")
    assert result.exit_code == 0
    for command in ("init", "ingest", "analyze", "search", "stats", "demo", "db"):
        assert command in result.output


def test_init_creates_the_data_directory_and_schema(config):
    result = invoke("init", "--config", config)
    assert result.exit_code == 0, result.output
    assert (config.parent / "data" / "veilleur.db").exists()
    assert invoke("db", "upgrade", "--config", config).exit_code == 0


def test_ingest_search_and_stats(tmp_path, config):
    invoke("init", "--config", config)
    path = write_jsonl(tmp_path / "posts.jsonl", [record(1, text="La Société Générale a bloqué ma carte"),
                                                 record(2, text="Merci @BNPParibas"), b"{oops"])
    first = invoke("ingest", path, "--config", config)
    assert first.exit_code == 0, first.output
    assert "2 new posts" in first.output and "1 dead letters" in first.output
    again = invoke("ingest", path, "--config", config)
    assert "0 new posts" in again.output
    found = invoke("search", "societe generale", "--config", config)
    assert "1 result(s)" in found.output and "Société Générale" in found.output
    stats = invoke("stats", "--config", config)
    assert stats.exit_code == 0
    assert "BNP Paribas" in stats.output and "Dead letters by reason" in stats.output


def test_ingest_csv_with_a_column_mapping(tmp_path, config):
    invoke("init", "--config", config)
    path = tmp_path / "reviews.csv"
    path.write_text("review_id,body,date\nr1,Appli Boursorama au top,2026-10-01T10:00:00+02:00\n", encoding="utf-8")
    result = invoke("ingest", path, "--map", "id=review_id", "--map", "text=body", "--map", "created_at=date",
                    "--platform", "google_play", "--config", config)
    assert result.exit_code == 0, result.output
    assert "1 new posts" in result.output


def test_analyze_keeps_one_line_per_input_in_order(config):
    lines = ['{"id": "a", "text": "Merci la SG"}', "texte nu sur la BNP", "", '{"id": 3, "text": ""}', "{broken"]
    result = invoke("analyze", "--config", config, input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 4
    assert [r.get("id") for r in rows] == ["a", None, 3, None]
    assert list(rows[0]) == ["id", *LABEL_NAMES, "details"]
    assert rows[0]["bank"] == "Société Générale" and rows[1]["bank"] == "BNP Paribas"
    assert "error" in rows[3] and rows[3]["bank"] is None


def test_wrong_settings_name_the_key_and_exit_2(config, monkeypatch):
    monkeypatch.setenv("VEILLEUR_PIPELINE__BATCH_SIZE", "beaucoup")
    result = invoke("init", "--config", config)
    assert result.exit_code == 2
    assert "pipeline.batch_size" in result.output


def test_an_unmigrated_database_tells_the_command_to_run(tmp_path, config):
    result = invoke("stats", "--config", config)
    assert result.exit_code == 2
    assert "veilleur db upgrade" in result.output


def test_a_missing_file_is_a_clear_error(tmp_path, config):
    invoke("init", "--config", config)
    result = invoke("ingest", tmp_path / "nope.jsonl", "--config", config)
    assert result.exit_code == 2 and "no such file" in result.output
