"""Settings: ``veilleur.toml`` overridden by ``VEILLEUR_*`` environment variables, validated at start.

``get_settings()`` reads them afresh each call (no import-time singleton), so tests and commands
can point at another file with ``VEILLEUR_CONFIG``. A wrong value raises ``ConfigError`` whose
message names the key ("organisation.entities.1.parent: ..."). Imports ``core`` and ``errors``.

The merge (file, then ``VEILLEUR_SECTION__KEY`` variables on top) is done here rather than by
pydantic-settings' sources because the file's path is chosen per call and because one
validation over the merged tree names every wrong key at once, whichever side it came from.
"""
from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from veilleur.access.settings import AccessSettings
from veilleur.analytics.notify_settings import NotifySettings
from veilleur.analytics.settings import WatchSettings
from veilleur.compliance.settings import ComplianceSettings
from veilleur.compliance.storage_settings import ComplianceStorageSettings
from veilleur.core.labels import Intent, Sentiment, Topic
from veilleur.core.organisation import Organisation
from veilleur.errors import ConfigError
from veilleur.inbox.knowledge_settings import KnowledgeSettings
from veilleur.inbox.service_level_settings import ServiceLevelSettings
from veilleur.inbox.settings import InboxSettings
from veilleur.pipeline.pii import PiiSettings

CONFIG_ENV = "VEILLEUR_CONFIG"
NOT_SETTINGS = {"VEILLEUR_REQUIRE_SERVICES", "VEILLEUR_TEST_DATABASE_URL", "VEILLEUR_TEST_NATS_URL"}
DEFAULT_CONFIG = Path("veilleur.toml")


class LanguageSettings(BaseModel):
    """Language identification: which languages to tell apart."""

    model_config = ConfigDict(extra="forbid")

    languages: list[str] = Field(default_factory=lambda: ["fr", "en", "es", "de", "it", "pt", "nl", "ar"])
    min_chars: int = Field(default=3, ge=0, description="texts with fewer letters get no language")
    prior: str | None = Field(default="fr", description="the language most posts are in; wins near-ties")
    sure: float = Field(default=0.9, gt=0, le=1, description="fast-pass confidence accepted without the slow pass")

    @field_validator("prior")
    @classmethod
    def _prior_is_told_apart(cls, value: str | None, info: ValidationInfo) -> str | None:
        languages = info.data.get("languages")
        if value is not None and languages is not None and value not in languages:
            raise ValueError(f"must be one of language.languages ({', '.join(languages)}) or null")
        return value


TRANSFORMER_LABELS: dict[str, tuple[str, ...]] = {
    "sentiment": tuple(v.value for v in Sentiment),
    "intent": tuple(v.value for v in Intent),
    "topics": tuple(v.value for v in Topic),
    "abusive": ("true", "false"),
}
"""The labels a local Hugging Face model may assign (``pipeline.transformers``), with their values."""


class TransformerHeadSettings(BaseModel):
    """A bank's own Hugging Face sequence-classification model for one label (``pipeline.transformers``).

    ``labels`` maps every output of the model, by its ``id2label`` name ("LABEL_0", "négatif") or
    its index ("0"), to a value of the label; several outputs may share a value. For ``abusive``
    the values are ``true`` and ``false``.
    """

    model_config = ConfigDict(extra="forbid")

    path: Path = Field(description="a local folder written by save_pretrained (config, tokenizer, .safetensors)")
    labels: dict[str, str] = Field(description="model output (id2label name or index) → value of the label")
    batch_size: int = Field(default=32, ge=1, le=4096, description="texts per forward pass")
    max_length: int = Field(default=256, ge=8, le=8192, description="tokens per text; longer texts are cut")
    threshold: float = Field(default=0.5, gt=0, lt=1, description="topics and abusive: probability from which a "
                                                                     "value is assigned")
    name: str | None = Field(default=None, description="shown in cues ('modèle NAME'); default: the folder's name")
    input: Literal["text", "clean_text"] = Field(
        default="text", description="text: the post as written (cut to max_analysis_chars); clean_text: normalized")

    @field_validator("labels", mode="before")
    @classmethod
    def _booleans_as_text(cls, value: Any) -> Any:
        """``abusive`` values may be written as TOML booleans (``LABEL_1 = true``)."""
        if isinstance(value, dict):
            return {k: str(v).lower() if isinstance(v, bool) else v for k, v in value.items()}
        return value

    @field_validator("labels")
    @classmethod
    def _not_empty(cls, value: dict[str, str]) -> dict[str, str]:
        if not value:
            raise ValueError("map every output of the model to a value")
        return value


def transformer_label_errors(label: str, labels: dict[str, str]) -> list[str]:
    """Messages naming each key of ``labels`` whose value is not a value of ``label``."""
    valid = TRANSFORMER_LABELS[label]
    return [f"{label}.labels.{key}: {value!r} is not a value of {label} ({', '.join(valid)})"
            for key, value in labels.items() if value not in valid]


class PipelineSettings(BaseModel):
    """How posts go through the analysis."""

    model_config = ConfigDict(extra="forbid")

    batch_size: int = Field(default=500, ge=1, le=100_000)
    max_analysis_chars: int = Field(default=5_000, ge=100, description="longer texts are truncated for analysis")
    models: Path | None = Field(default=None, description="a model bundle folder; default: the shipped one")
    stages: list[str] | None = Field(default=None, description="stage names in order; None = the default order")
    transformers: dict[Literal["sentiment", "intent", "topics", "abusive"], TransformerHeadSettings] = Field(
        default_factory=dict, description="label → a local Hugging Face model that replaces the shipped head "
                                          "(needs pip install veilleur[transformers])")

    @field_validator("transformers")
    @classmethod
    def _values_of_the_label(cls, value: dict[str, TransformerHeadSettings]) -> dict[str, TransformerHeadSettings]:
        errors = [e for label, head in value.items() for e in transformer_label_errors(label, head.labels)]
        if errors:
            raise ValueError("; ".join(errors))
        return value


class Settings(BaseModel):
    """Everything veilleur reads at start."""

    model_config = ConfigDict(extra="forbid")

    data_dir: Path = Path("veilleur-data")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default SQLite in data_dir")
    organisation: Organisation = Field(default_factory=Organisation)
    language: LanguageSettings = Field(default_factory=LanguageSettings)
    pipeline: PipelineSettings = Field(default_factory=PipelineSettings)
    pii: PiiSettings = Field(default_factory=PiiSettings)
    compliance: ComplianceSettings = Field(default_factory=ComplianceSettings)
    compliance_storage: ComplianceStorageSettings = Field(default_factory=ComplianceStorageSettings)
    inbox: InboxSettings = Field(default_factory=InboxSettings)
    service_levels: ServiceLevelSettings = Field(default_factory=ServiceLevelSettings)
    knowledge: KnowledgeSettings = Field(default_factory=KnowledgeSettings)
    access: AccessSettings = Field(default_factory=AccessSettings)
    watch: WatchSettings = Field(default_factory=WatchSettings)
    notify: NotifySettings = Field(default_factory=NotifySettings)

    @field_validator("database_url")
    @classmethod
    def _known_backend(cls, value: str | None) -> str | None:
        if value and not value.startswith(("sqlite", "postgresql")):
            raise ValueError("must start with sqlite:// or postgresql+psycopg://")
        return value

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'veilleur.db').resolve()}"


def config_path(path: str | Path | None = None) -> Path | None:
    """The settings file to read: ``path``, else ``$VEILLEUR_CONFIG``, else ./veilleur.toml if present."""
    if path is not None:
        return Path(path)
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV])
    return DEFAULT_CONFIG if DEFAULT_CONFIG.exists() else None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError as exc:
        raise ConfigError(f"settings file not found: {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc


def _explain(exc: ValidationError, source: str) -> ConfigError:
    lines = []
    for error in exc.errors():
        loc, message = list(error["loc"]), error["msg"]
        if loc[-1:] == ["[key]"]:  # a wrong table key ("accounts.myspace"), not a wrong value
            loc, message = loc[:-1], f"not a valid key: {message}"
        key = ".".join(str(p) for p in loc) or "(root)"
        lines.append(f"  {key}: {message}")
    return ConfigError(f"invalid settings ({source}):\n" + "\n".join(lines))


def get_settings(path: str | Path | None = None, **overrides: Any) -> Settings:
    """Read, merge and validate the settings. Raises ``ConfigError`` naming every wrong key.

    The file is read first, ``VEILLEUR_*`` variables go on top, and ``overrides`` (top-level keys
    a command sets itself, e.g. the demo's own ``data_dir``) on top of both. A relative
    ``data_dir`` in the file is relative to the file's folder.
    """
    file = config_path(path)
    values = _read_toml(file) if file else {}
    base = file.resolve().parent if file else Path.cwd()
    if isinstance(values.get("data_dir"), str) and not Path(values["data_dir"]).is_absolute():
        values["data_dir"] = str(base / values["data_dir"])
    try:
        return _from_file_then_env(values, overrides)
    except ValidationError as exc:
        raise _explain(exc, str(file) if file else "environment") from exc


def _from_file_then_env(values: dict[str, Any], overrides: dict[str, Any] | None = None) -> Settings:
    merged = dict(values)
    for name, raw in sorted(os.environ.items()):
        if name.startswith("VEILLEUR_") and name != CONFIG_ENV and name not in NOT_SETTINGS:
            _set_path(merged, name.removeprefix("VEILLEUR_").lower().split("__"), _env_value(raw))
    merged.update(overrides or {})
    return Settings.model_validate(merged)


def _env_value(raw: str) -> Any:
    """Environment values are strings; JSON lets one set lists and tables ('["fr","en"]')."""
    if raw[:1] in "[{":
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            return raw
    return raw


def _set_path(target: dict[str, Any], path: list[str], value: str) -> None:
    node = target
    for part in path[:-1]:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise ConfigError(f"VEILLEUR_{'__'.join(path).upper()}: cannot set inside a non-table value")
    node[path[-1]] = value
