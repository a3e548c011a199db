"""``veilleur users ...`` as an administrator runs it (typer's CliRunner, embedded SQLite)."""
from __future__ import annotations

import pytest
from typer.testing import CliRunner

from tests.access.conftest import PASSWORD
from veilleur.access.users import TOKEN_PREFIX, Users
from veilleur.cli.main import app
from veilleur.settings import get_settings
from veilleur.storage.sql import SqlStore

runner = CliRunner()
CONFIG = """data_dir = "data"
[organisation]
group = "Test"
[[organisation.entities]]
id = "banque-a"
name = "Banque A"
kind = "regional_bank"
[[organisation.entities]]
id = "agence-a1"
name = "Agence A1"
kind = "branch"
parent = "banque-a"
"""


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "veilleur.toml"
    path.write_text(CONFIG, encoding="utf-8")
    assert runner.invoke(app, ["init", "--config", str(path)]).exit_code == 0
    return path


def invoke(config, *args, **kwargs):
    return runner.invoke(app, ["users", *map(str, args), "--config", str(config)], **kwargs)


def test_add_list_token_disable_revoke(config):
    added = invoke(config, "add", "marie", "--role", "community_manager", "--entity", "banque-a",
                   "--name", "Marie D.", "--password-stdin", input=PASSWORD + "\n")
    assert added.exit_code == 0, added.output
    assert "marie added: community_manager, banque-a" in added.output
    issued = invoke(config, "token", "marie", "--name", "poste", "--days", "7")
    assert issued.exit_code == 0, issued.output
    token = issued.stdout.strip().splitlines()[-1]
    assert token.startswith(TOKEN_PREFIX)
    settings = get_settings(config)
    users = Users(SqlStore(settings.effective_database_url), settings.organisation)
    assert users.authenticate_token(token).scope == {"banque-a", "agence-a1"}
    assert users.verify_password("marie", PASSWORD).name == "marie"
    listed = invoke(config, "list")
    assert "marie" in listed.output and "Marie D." in listed.output and "enabled" in listed.output
    assert token not in invoke(config, "tokens", "marie").output
    assert invoke(config, "disable", "marie").exit_code == 0
    assert "disabled" in invoke(config, "list").output
    assert "1 token(s) of marie revoked" in invoke(config, "revoke", "marie").output


def test_the_password_prompt_asks_twice(config):
    added = invoke(config, "add", "bob", "--role", "expert", input=f"{PASSWORD}\n{PASSWORD}\n")
    assert added.exit_code == 0, added.output
    assert PASSWORD not in added.output
    assert "bob added: expert, whole group" in added.output


@pytest.mark.parametrize(("args", "message"), [
    (("add", "eve", "--role", "expert", "--entity", "banque-z", "--no-password"), "unknown entity 'banque-z'"),
    (("add", "eve", "--role", "chef", "--no-password"), "unknown role 'chef'"),
    (("disable", "nobody"), "no user 'nobody'"),
    (("token", "nobody"), "no user 'nobody'"),
])
def test_mistakes_are_clear_messages(config, args, message):
    result = invoke(config, *args)
    assert result.exit_code == 2 and message in result.output


def test_a_short_password_is_refused_and_nothing_is_added(config):
    result = invoke(config, "add", "eve", "--role", "expert", "--password-stdin", input="short\n")
    assert result.exit_code == 2 and "12 to 1024 characters" in result.output
    assert "eve" not in invoke(config, "list").output
