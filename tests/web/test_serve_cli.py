"""``veilleur serve``: the app and address it hands to uvicorn (uvicorn itself is replaced)."""
from __future__ import annotations

from fastapi import FastAPI
from typer.testing import CliRunner

from veilleur.cli.main import app

runner = CliRunner()


def test_serve_runs_the_api_on_the_configured_address(tmp_path, monkeypatch):
    import uvicorn

    config = tmp_path / "veilleur.toml"
    config.write_text('data_dir = "data"\n[access]\nport = 8123\n', encoding="utf-8")
    assert runner.invoke(app, ["init", "--config", str(config)]).exit_code == 0
    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda target, **options: calls.append((target, options)))
    result = runner.invoke(app, ["serve", "--config", str(config)])
    assert result.exit_code == 0, result.output
    target, options = calls[0]
    assert isinstance(target, FastAPI) and (options["host"], options["port"]) == ("127.0.0.1", 8123)
    target.state.store.close()


def test_serve_refuses_a_database_that_is_not_migrated(tmp_path):
    config = tmp_path / "veilleur.toml"
    config.write_text('data_dir = "data"\n', encoding="utf-8")
    result = runner.invoke(app, ["serve", "--config", str(config)])
    assert result.exit_code == 2 and "veilleur db upgrade" in result.output
