"""Settings: defaults, the TOML file, VEILLEUR_* variables on top, errors that name the key."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from veilleur.core.organisation import Organisation
from veilleur.errors import ConfigError
from veilleur.settings import Settings, config_path, get_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    """No VEILLEUR_* variable of the caller's shell, and no ./veilleur.toml, leaks into a test."""
    for name in list(os.environ):
        if name.startswith("VEILLEUR_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def write(folder: Path, text: str, name: str = "veilleur.toml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_are_valid():
    settings = get_settings()
    assert settings == Settings()
    assert settings.pipeline.batch_size == 500
    assert settings.pipeline.stages is None
    assert settings.language.prior == "fr"
    assert settings.organisation.include_default_brands is True
    assert settings.effective_database_url.startswith("sqlite:///")
    assert settings.effective_database_url.endswith("veilleur.db")


def test_a_toml_file_is_read(tmp_path):
    path = write(tmp_path, """
database_url = "postgresql+psycopg://u@localhost/veilleur"
[pipeline]
batch_size = 64
stages = ["normalize", "bank"]
[language]
languages = ["fr", "en"]
[organisation]
group = "Groupe Exemple"
[[organisation.entities]]
id = "groupe"
name = "Groupe Exemple"
kind = "group"
[[organisation.entities]]
id = "banque"
name = "Banque Exemple"
parent = "groupe"
brand = "Banque Exemple"
accounts = { x = ["@BanqueExemple"] }
[[organisation.brands]]
name = "Banque Exemple"
kind = "own"
aliases = ["Banque Exemple"]
""")
    settings = get_settings(path)
    assert settings.pipeline.batch_size == 64
    assert settings.pipeline.stages == ["normalize", "bank"]
    assert settings.language.languages == ["fr", "en"]
    assert settings.organisation.group == "Groupe Exemple"
    assert [e.id for e in settings.organisation.entities] == ["groupe", "banque"]
    assert settings.organisation.owned_handles() == {("x", "banqueexemple"): "banque"}
    assert settings.effective_database_url == "postgresql+psycopg://u@localhost/veilleur"


def test_the_file_comes_from_veilleur_config_or_the_current_folder(tmp_path, monkeypatch):
    assert config_path() is None
    write(tmp_path, "[pipeline]\nbatch_size = 3\n")
    assert get_settings().pipeline.batch_size == 3  # ./veilleur.toml
    other = write(tmp_path, "[pipeline]\nbatch_size = 4\n", "other.toml")
    monkeypatch.setenv("VEILLEUR_CONFIG", str(other))
    assert get_settings().pipeline.batch_size == 4
    assert get_settings(tmp_path / "veilleur.toml").pipeline.batch_size == 3  # an explicit path wins


def test_a_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        get_settings(tmp_path / "absent.toml")


def test_invalid_toml_is_a_config_error(tmp_path):
    path = write(tmp_path, "[pipeline\nbatch_size = 3\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        get_settings(path)


def test_environment_overrides_the_file(tmp_path, monkeypatch):
    path = write(tmp_path, '[pipeline]\nbatch_size = 64\nmax_analysis_chars = 1000\n[language]\nprior = "fr"\n')
    monkeypatch.setenv("VEILLEUR_PIPELINE__BATCH_SIZE", "8")
    monkeypatch.setenv("VEILLEUR_LANGUAGE__LANGUAGES", '["fr", "en", "de"]')
    monkeypatch.setenv("VEILLEUR_PIPELINE__STAGES", '["normalize"]')
    monkeypatch.setenv("VEILLEUR_ORGANISATION__INCLUDE_DEFAULT_BRANDS", "false")
    monkeypatch.setenv("VEILLEUR_DATABASE_URL", "sqlite:///elsewhere.db")
    settings = get_settings(path)
    assert settings.pipeline.batch_size == 8
    assert settings.pipeline.max_analysis_chars == 1000  # the file's other keys stay
    assert settings.pipeline.stages == ["normalize"]
    assert settings.language.languages == ["fr", "en", "de"]
    assert settings.organisation.include_default_brands is False
    assert settings.database_url == "sqlite:///elsewhere.db"


def test_environment_tables_as_json(monkeypatch):
    monkeypatch.setenv("VEILLEUR_ORGANISATION__BRANDS", '[{"name": "Banque Exemple", "aliases": ["BqEx"]}]')
    assert [b.name for b in get_settings().organisation.brands] == ["Banque Exemple"]


def test_settings_that_are_not_settings_are_ignored(monkeypatch):
    monkeypatch.setenv("VEILLEUR_REQUIRE_SERVICES", "1")
    monkeypatch.setenv("VEILLEUR_TEST_DATABASE_URL", "postgresql+psycopg://x")
    assert get_settings() == Settings()


def test_overrides_win_over_file_and_environment(tmp_path, monkeypatch):
    path = write(tmp_path, 'database_url = "sqlite:///file.db"\n')
    monkeypatch.setenv("VEILLEUR_DATABASE_URL", "postgresql+psycopg://prod/veilleur")
    settings = get_settings(path, data_dir=str(tmp_path / "demo"), database_url=None)
    assert settings.database_url is None
    assert settings.data_dir == tmp_path / "demo"


@pytest.mark.parametrize(("toml", "key"), [
    ("[pipeline]\nbatch_size = 0\n", "pipeline.batch_size"),
    ('[pipeline]\nbatch_size = "many"\n', "pipeline.batch_size"),
    ("[pipeline]\nbatch_siz = 3\n", "pipeline.batch_siz"),
    ("[pipeline]\nmax_analysis_chars = 10\n", "pipeline.max_analysis_chars"),
    ("[language]\nsure = 2\n", "language.sure"),
    ('[language]\nprior = "it"\nlanguages = ["fr", "en"]\n', "language.prior"),
    ('database_url = "mysql://x"\n', "database_url"),
    ("colour = 1\n", "colour"),
    ('[[organisation.entities]]\nid = "Bad Id"\nname = "x"\n', "organisation.entities.0.id"),
    ('[[organisation.entities]]\nid = "a"\nname = "A"\nkind = "planet"\n', "organisation.entities.0.kind"),
    ('[[organisation.brands]]\nname = "X"\nkind = "friend"\n', "organisation.brands.0.kind"),
    ('[[organisation.entities]]\nid = "a"\nname = "A"\naccounts = { myspace = ["x"] }\n',
     "organisation.entities.0.accounts.myspace"),
])
def test_a_wrong_key_or_value_names_the_key(tmp_path, toml, key):
    with pytest.raises(ConfigError) as info:
        get_settings(write(tmp_path, toml))
    assert f"{key}:" in str(info.value)
    assert str(tmp_path) in str(info.value)  # and the file


def test_a_wrong_environment_value_names_the_key(monkeypatch):
    monkeypatch.setenv("VEILLEUR_PIPELINE__BATCH_SIZE", "lots")
    with pytest.raises(ConfigError, match=r"pipeline\.batch_size:"):
        get_settings()


def test_an_unknown_environment_setting_names_the_key(monkeypatch):
    monkeypatch.setenv("VEILLEUR_PIPELINE__BATCHSIZE", "3")
    with pytest.raises(ConfigError, match=r"pipeline\.batchsize:"):
        get_settings()


def test_setting_inside_a_plain_value_names_the_variable(monkeypatch):
    monkeypatch.setenv("VEILLEUR_DATA_DIR__X", "3")
    monkeypatch.setenv("VEILLEUR_DATA_DIR", "d")
    with pytest.raises(ConfigError, match="VEILLEUR_DATA_DIR__X"):
        get_settings()


def test_every_wrong_key_is_named_at_once(tmp_path):
    path = write(tmp_path, "[pipeline]\nbatch_size = 0\n[language]\nsure = 5\n")
    with pytest.raises(ConfigError) as info:
        get_settings(path)
    assert "pipeline.batch_size:" in str(info.value)
    assert "language.sure:" in str(info.value)


ENTITIES = """
[[organisation.entities]]
id = "groupe"
name = "Groupe"
kind = "group"
[[organisation.entities]]
id = "banque"
name = "Banque"
parent = "{parent}"
[[organisation.entities]]
id = "{third}"
name = "Autre"
parent = "banque"
"""


def test_unknown_parent_names_the_key(tmp_path):
    path = write(tmp_path, ENTITIES.format(parent="nulle-part", third="agence"))
    with pytest.raises(ConfigError) as info:
        get_settings(path)
    assert "organisation.entities.1.parent:" in str(info.value)
    assert "nulle-part" in str(info.value)


def test_duplicate_id_names_the_key(tmp_path):
    path = write(tmp_path, ENTITIES.format(parent="groupe", third="groupe"))
    with pytest.raises(ConfigError) as info:
        get_settings(path)
    assert "organisation.entities.2.id:" in str(info.value)
    assert "'groupe'" in str(info.value)


def test_cycle_names_the_keys(tmp_path):
    text = ENTITIES.format(parent="agence", third="agence")
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        get_settings(path)
    message = str(info.value)
    assert "cycle" in message
    assert "organisation.entities.1.parent:" in message
    assert "organisation.entities.2.parent:" in message
    assert "organisation.entities.0" not in message  # the group is outside the cycle


def test_an_entity_that_is_its_own_parent_is_a_cycle():
    with pytest.raises(ValueError, match="cycle"):
        Organisation(entities=[{"id": "a", "name": "A", "parent": "a"}])


def test_descendants():
    org = Organisation(entities=[
        {"id": "groupe", "name": "G", "kind": "group"},
        {"id": "banque", "name": "B", "parent": "groupe"},
        {"id": "caisse-nord", "name": "N", "kind": "regional_bank", "parent": "banque"},
        {"id": "agence-lille", "name": "L", "kind": "branch", "parent": "caisse-nord"},
        {"id": "filiale", "name": "F", "kind": "subsidiary", "parent": "groupe"},
        {"id": "seule", "name": "S"},
    ])
    assert org.descendants("groupe") == {"groupe", "banque", "caisse-nord", "agence-lille", "filiale"}
    assert org.descendants("caisse-nord") == {"caisse-nord", "agence-lille"}
    assert org.descendants("agence-lille") == {"agence-lille"}
    assert org.descendants("seule") == {"seule"}
    assert org.entity("filiale").kind == "subsidiary"
    with pytest.raises(KeyError):
        org.entity("absente")


def test_relative_data_dir_is_resolved_against_the_file_folder(tmp_path, monkeypatch):
    folder = tmp_path / "conf"
    folder.mkdir()
    path = write(folder, 'data_dir = "donnees"\n')
    elsewhere = tmp_path / "ailleurs"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    settings = get_settings(path)
    assert settings.data_dir == folder / "donnees"
    assert settings.effective_database_url == f"sqlite:///{folder / 'donnees' / 'veilleur.db'}"


def test_relative_config_path_still_resolves_data_dir_absolutely(tmp_path, monkeypatch):
    (tmp_path / "conf").mkdir()
    write(tmp_path / "conf", 'data_dir = "donnees"\n')
    monkeypatch.chdir(tmp_path)
    assert get_settings("conf/veilleur.toml").data_dir == tmp_path / "conf" / "donnees"


def test_absolute_data_dir_is_kept(tmp_path):
    (tmp_path / "conf").mkdir()
    target = tmp_path / "absolu"
    path = write(tmp_path / "conf", f'data_dir = "{target.as_posix()}"\n')
    assert get_settings(path).data_dir == target


def test_the_rooms_commented_examples_are_valid_settings(tmp_path):
    """Uncommenting the example's room sections (inbox … notify) gives settings that validate."""
    example = (Path(__file__).resolve().parents[1] / "veilleur.toml.example").read_text(encoding="utf-8")
    part = example[example.index("# --- The inbox"):]
    lines = [line[2:] if line.startswith("# ") and not line.startswith(("# ---", "# password")) else line
             for line in part.splitlines()]
    path = tmp_path / "rooms.toml"
    path.write_text("\n".join(line for line in lines if not line.startswith("rules = []")), encoding="utf-8")
    settings = get_settings(path)
    assert settings.inbox.rules[0].name == "fraude en cours" and settings.inbox.agents[0].capacity == 15
    assert settings.service_levels.entity_calendars == {"helios-alsace": "alsace"}
    assert settings.notify.channels[0].kind == "webhook" and settings.access.port == 8000
