"""Explicit name → class tables for stages and connectors, plus entry-point plugins.

Built-ins are import strings so that naming a stage does not import every model. Plugins
register under the entry-point groups ``veilleur.stages`` and ``veilleur.connectors``; a plugin
that fails to load is an error, never silently skipped. Imports ``errors`` and ``settings``;
the classes it names are imported on demand.
"""
from __future__ import annotations

import importlib
from importlib.metadata import entry_points
from typing import Any

from veilleur.errors import RegistryError

STAGES: dict[str, str] = {
    "normalize": "veilleur.pipeline.normalize:Normalize",
    "language": "veilleur.pipeline.language:DetectLanguage",
    "bank": "veilleur.pipeline.bank:DetectBank",
    "pii": "veilleur.pipeline.pii:DetectPii",
    "features": "veilleur.pipeline.featurize:Featurize",
    "sentiment": "veilleur.pipeline.sentiment:Sentiment",
    "intent": "veilleur.pipeline.intent:Intent",
    "topics": "veilleur.pipeline.topics:Topics",
    "abusive": "veilleur.pipeline.abusive:Abusive",
    "urgency": "veilleur.pipeline.urgency:Urgency",
}
DEFAULT_ORDER = ["normalize", "language", "bank", "pii", "features", "sentiment", "intent", "topics", "abusive",
                 "urgency"]
"""The default pipeline: every stage of this list that is registered, in this order."""

CONNECTORS: dict[str, str] = {
    "jsonl": "veilleur.connectors.files:JsonLinesConnector",
    "csv": "veilleur.connectors.files:CsvConnector",
    "replay": "veilleur.connectors.replay:ReplayConnector",
}


def _load(target: str) -> Any:
    module, _, attr = target.partition(":")
    try:
        return getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError) as exc:
        raise RegistryError(f"cannot load {target}: {exc}") from exc


def _table(kind: str, builtins: dict[str, str]) -> dict[str, Any]:
    table: dict[str, Any] = dict(builtins)
    for ep in entry_points(group=f"veilleur.{kind}"):
        table[ep.name] = ep
    return table


def resolve(kind: str, name: str) -> type:
    """The class registered as ``name`` among ``kind`` ("stages" or "connectors")."""
    table = _table(kind, STAGES if kind == "stages" else CONNECTORS)
    if name not in table:
        raise RegistryError(f"no {kind[:-1]} named {name!r} (known: {', '.join(sorted(table))})")
    entry = table[name]
    if isinstance(entry, str):
        return _load(entry)
    try:
        return entry.load()
    except Exception as exc:
        raise RegistryError(f"plugin {kind[:-1]} {name!r} failed to load: {exc}") from exc


def available(kind: str) -> list[str]:
    return sorted(_table(kind, STAGES if kind == "stages" else CONNECTORS))
