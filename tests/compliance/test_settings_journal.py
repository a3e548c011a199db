"""Setting changes are journaled once, naming the keys, never the secrets."""
from __future__ import annotations

import json

from sqlalchemy import text
from typer.testing import CliRunner

from veilleur.cli.main import app
from veilleur.compliance.settings_journal import fingerprints, record_settings
from veilleur.settings import Settings
from veilleur.storage import journal as chain


def setting_entries(store):
    with store.engine.connect() as conn:
        rows = conn.execute(text("SELECT action, details FROM journal WHERE record_type = 'setting_change' "
                                 "ORDER BY id")).all()
    return [(a, d if isinstance(d, dict) else json.loads(d)) for a, d in rows]


def test_first_start_then_only_changes_are_journaled(store, tmp_path):
    settings = Settings(data_dir=tmp_path)
    first = record_settings(store, settings, actor="user:test")
    assert first is not None and first.action == "settings first seen"
    assert record_settings(store, settings) is None  # unchanged: nothing new
    changed = settings.model_copy(update={"pipeline": settings.pipeline.model_copy(update={"batch_size": 42})})
    entry = record_settings(store, changed, actor="user:test")
    assert entry.details["changed"] == ["pipeline.batch_size"]
    assert [a for a, _ in setting_entries(store)] == ["settings first seen", "settings changed"]
    with store.engine.connect() as conn:
        assert chain.latest(conn, "setting_change").id == entry.id


def test_secrets_are_fingerprinted_not_written():
    key = "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE="  # 32 bytes, base64
    other_key = "QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI="
    settings = Settings.model_validate({"compliance_storage": {"encryption_key": key}})
    flat = json.dumps(fingerprints(settings))
    assert key not in flat and key[:12] not in flat
    other = Settings.model_validate({"compliance_storage": {"encryption_key": other_key}})
    changed = {k for k, v in fingerprints(other).items() if fingerprints(settings).get(k) != v}
    assert changed == {"compliance_storage.encryption_key"}


def test_the_cli_journals_a_changed_configuration(tmp_path):
    config = tmp_path / "veilleur.toml"
    config.write_text('data_dir = "data"\n', encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(app, ["init", "--config", str(config)]).exit_code == 0
    assert runner.invoke(app, ["stats", "--config", str(config)]).exit_code == 0
    config.write_text('data_dir = "data"\n[pipeline]\nbatch_size = 64\n', encoding="utf-8")
    assert runner.invoke(app, ["stats", "--config", str(config)]).exit_code == 0
    from veilleur.settings import get_settings
    from veilleur.storage.sql import SqlStore

    store = SqlStore(get_settings(config).effective_database_url)
    entries = setting_entries(store)
    store.close()
    assert [a for a, _ in entries] == ["settings first seen", "settings changed"]
    assert entries[1][1]["changed"] == ["pipeline.batch_size"]
