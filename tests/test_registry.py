"""The registry: built-in tables, entry-point plugins, and the pipeline the settings ask for."""
from __future__ import annotations

from collections import OrderedDict
from importlib.metadata import EntryPoint

import pytest

from veilleur import registry
from veilleur.errors import PipelineError, RegistryError
from veilleur.pipeline.bank import DetectBank
from veilleur.pipeline.factory import build_pipeline, stage_names
from veilleur.pipeline.normalize import Normalize
from veilleur.settings import Settings


@pytest.fixture
def plugins(monkeypatch):
    """Installs fake entry points: ``plugins["stages"] = [EntryPoint(...)]``."""
    table: dict[str, list[EntryPoint]] = {"stages": [], "connectors": []}
    monkeypatch.setattr(registry, "entry_points",
                        lambda group: table.get(group.removeprefix("veilleur."), []))
    return table


def test_builtin_stages_resolve():
    assert registry.resolve("stages", "normalize") is Normalize
    assert registry.resolve("stages", "bank") is DetectBank
    assert {"normalize", "language", "bank"} <= set(registry.available("stages"))


def test_builtin_connectors_resolve():
    assert registry.resolve("connectors", "jsonl").__name__ == "JsonLinesConnector"
    assert registry.available("connectors") == sorted(registry.CONNECTORS)


@pytest.mark.parametrize("kind", ["stages", "connectors"])
def test_unknown_name_lists_the_known_ones(kind):
    with pytest.raises(RegistryError) as info:
        registry.resolve(kind, "telepathy")
    message = str(info.value)
    assert "'telepathy'" in message
    for known in registry.available(kind):
        assert known in message


def test_a_builtin_that_cannot_be_imported_is_an_error(monkeypatch):
    monkeypatch.setitem(registry.STAGES, "ghost", "veilleur.pipeline.ghost:Ghost")
    monkeypatch.setitem(registry.STAGES, "typo", "veilleur.pipeline.normalize:Normalise")
    with pytest.raises(RegistryError, match=r"veilleur\.pipeline\.ghost"):
        registry.resolve("stages", "ghost")
    with pytest.raises(RegistryError, match="Normalise"):
        registry.resolve("stages", "typo")


def test_plugins_are_listed_and_loaded(plugins):
    plugins["stages"].append(EntryPoint(name="ordered", value="collections:OrderedDict", group="veilleur.stages"))
    assert "ordered" in registry.available("stages")
    assert registry.resolve("stages", "ordered") is OrderedDict
    assert "ordered" not in registry.available("connectors")


def test_a_plugin_that_fails_to_load_is_an_error_not_skipped(plugins):
    plugins["connectors"].append(EntryPoint(name="broken", value="no_such_module_xyz:Thing",
                                            group="veilleur.connectors"))
    assert "broken" in registry.available("connectors")
    with pytest.raises(RegistryError, match="plugin connector 'broken' failed to load"):
        registry.resolve("connectors", "broken")


def test_default_stage_names_follow_the_default_order():
    names = stage_names(Settings())
    assert names == [n for n in registry.DEFAULT_ORDER if n in registry.available("stages")]
    assert names[:3] == ["normalize", "language", "bank"]


def test_build_pipeline_uses_the_configured_stages():
    settings = Settings(pipeline={"stages": ["normalize", "bank"], "batch_size": 7},
                        organisation={"include_default_brands": False, "brands": [{"name": "Exemple"}]})
    pipeline = build_pipeline(settings)
    assert pipeline.names == ["normalize", "bank"]
    assert pipeline.batch_size == 7
    assert isinstance(pipeline.stages[0], Normalize)
    bank = pipeline.stages[1]
    assert isinstance(bank, DetectBank)
    assert bank.organisation == settings.organisation  # built through from_settings


def test_build_pipeline_by_default():
    assert build_pipeline(Settings()).names == stage_names(Settings())


def test_build_pipeline_with_an_unknown_stage_names_it():
    with pytest.raises(RegistryError, match=r"'sentimant'.*known:.*normalize"):
        build_pipeline(Settings(pipeline={"stages": ["normalize", "sentimant"]}))


def test_build_pipeline_refuses_a_bad_order():
    with pytest.raises(PipelineError, match="bank"):
        build_pipeline(Settings(pipeline={"stages": ["bank", "normalize"]}))
