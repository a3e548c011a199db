"""``veilleur demo`` (what ``make demo`` runs): the whole month through every room, on embedded SQLite."""
from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from veilleur.cli.main import app

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"


@pytest.mark.slow
def test_demo_builds_the_inbox_the_watch_and_the_report(tmp_path, monkeypatch):
    from veilleur.cli import common

    monkeypatch.setattr(common.out, "width", 240)  # wide enough for every table row to stay on one line
    result = CliRunner().invoke(app, ["demo", "--corpus", str(DEMO), "--data-dir", str(tmp_path / "demo")])
    assert result.exit_code == 0, result.output
    text = result.output
    assert "1611 posts (1611 analysed)" in text and "6 dead letters" in text
    assert "cases by queue and state" in text and "customer_relations" in text
    assert "questions answered in public" in text and "SLA first response breached" in text
    assert "e-reputation Banque Hélios 2026-10: net -" in text and "share of voice" in text
    assert "Rumeur sur Banque Hélios" in text  # the solvency rumour of 17 October
    assert "incident 1 (Banque Hélios, 09/10" in text  # the outage of 9 October
    report = tmp_path / "demo" / "rapport" / "rapport-banque-helios-2026-10.html"
    assert report.is_file() and "Banque Hélios" in report.read_text(encoding="utf-8")
