"""Bring your own model: a bank's local Hugging Face classifier in place of a shipped head.

``pipeline.transformers.<label>`` (``TransformerHeadSettings`` in ``settings``) points the
``sentiment``, ``intent``, ``topics`` or ``abusive`` stage at a folder written by
``save_pretrained``: a sequence-classification model (a CamemBERT fine-tuned on the bank's
posts, say) with its tokenizer. It is read from that folder only (``local_files_only``, and
``HF_HUB_OFFLINE=1`` unless the process says otherwise), from ``.safetensors`` weights only
(never a pickle), without remote code, and run on the CPU in eval mode under ``torch.no_grad``,
``batch_size`` texts at a time cut at ``max_length`` tokens.

``labels`` maps every output of the model, by ``id2label`` name or by index, to a value of the
label; a name wins over an index when a key is both. Outputs that share a value add up.
- ``sentiment``, ``intent``: softmax over the outputs; the most probable value is the label.
- ``topics``: one sigmoid per output; every topic whose probability reaches ``threshold``.
- ``abusive``: the probability of the outputs mapped to ``true``: a sigmoid when the model has
  one output or was trained multi-label (``problem_type``), else the softmax of a binary
  classifier (two outputs trained with cross-entropy, the usual fine-tuning), whose raw logits
  a sigmoid would misread.
Scores have the shapes of the shipped stages' (per value, or one number for ``abusive``); the
cue is ``modèle NAME``. The shipped sentiment stage's sarcasm rule is not applied: the bank's
model reads the whole text itself.

Imports ``core``, ``errors``, ``pipeline.base``, ``settings``, numpy and scipy; torch and
transformers (``pip install veilleur[transformers]``) only when a model is loaded.
"""
from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.special import expit, softmax

from veilleur.errors import ConfigError
from veilleur.pipeline.base import Doc
from veilleur.settings import TRANSFORMER_LABELS, TransformerHeadSettings, transformer_label_errors

if TYPE_CHECKING:
    from veilleur.settings import Settings

__all__ = ["TransformerStage", "load_model", "map_outputs"]

INSTALL = "pip install veilleur[transformers]"


@dataclass(slots=True)
class LoadedModel:
    """A tokenizer and a model in eval mode on the CPU, with the value of each output."""

    tokenizer: Any
    model: Any
    outputs: list[str]  # the veilleur value of each model output, by index
    problem_type: str | None
    version: str


def map_outputs(label: str, labels: dict[str, str], id2label: dict[int, str], key: str) -> list[str]:
    """The value of each model output, by index. Raises ``ConfigError`` naming the wrong key.

    Args:
        label: sentiment, intent, topics or abusive.
        labels: the mapping of the settings: id2label name or index → value.
        id2label: the model's output names by index (``config.id2label``).
        key: where the settings are ("pipeline.transformers.sentiment"), for messages.
    """
    errors = transformer_label_errors(label, labels)
    if errors:
        raise ConfigError(f"{key.rsplit('.', 1)[0]}.{errors[0]}")
    names = {str(name): index for index, name in id2label.items()}
    values: dict[int, str] = {}
    for output, value in labels.items():
        index = names.get(output)
        if index is None and output.isdigit() and int(output) in id2label:
            index = int(output)
        if index is None:
            raise ConfigError(f"{key}.labels.{output}: not an output of the model ({_outputs(id2label)})")
        if values.get(index, value) != value:
            raise ConfigError(f"{key}.labels.{output}: output {index} is already mapped to {values[index]!r}")
        values[index] = value
    missing = [i for i in sorted(id2label) if i not in values]
    if missing:
        raise ConfigError(f"{key}.labels: every output of the model must be mapped; not mapped: "
                          + ", ".join(f"{i} ({id2label[i]!r})" for i in missing))
    if label == "abusive" and "true" not in values.values():
        raise ConfigError(f"{key}.labels: map at least one output to true (abusive)")
    return [values[i] for i in sorted(id2label)]


def _outputs(id2label: dict[int, str]) -> str:
    return "outputs: " + ", ".join(f"{i} {name!r}" for i, name in sorted(id2label.items()))


def _import_extra(key: str) -> tuple[Any, Any]:
    """torch and transformers, offline; ``ConfigError`` when the extra is not installed."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        import torch
        import transformers
    except ImportError as exc:
        raise ConfigError(f"{key}: a local model needs the transformers extra ({exc}); run: {INSTALL}") from exc
    return torch, transformers


def _check_folder(folder: Path, key: str) -> None:
    if not folder.is_dir():
        raise ConfigError(f"{key}.path: {folder} is not a folder")
    if not (folder / "config.json").is_file():
        raise ConfigError(f"{key}.path: {folder} has no config.json (not a folder written by save_pretrained)")
    if not any(folder.glob("*.safetensors")):
        raise ConfigError(f"{key}.path: {folder} has no .safetensors weights; pickled weights (pytorch_model.bin) "
                          "are not loaded: save the model again with save_pretrained(folder)")


def load_model(label: str, head: TransformerHeadSettings) -> LoadedModel:
    """Load ``head``'s model for ``label`` from its folder. Raises ``ConfigError`` naming the key."""
    key = f"pipeline.transformers.{label}"
    folder = head.path.expanduser()
    _check_folder(folder, key)
    torch, transformers = _import_extra(key)
    local = {"local_files_only": True, "trust_remote_code": False}
    try:
        config = transformers.AutoConfig.from_pretrained(folder, **local)
    except Exception as exc:
        raise ConfigError(f"{key}.path: cannot read {folder / 'config.json'}: {exc}") from exc
    outputs = map_outputs(label, head.labels, {int(i): n for i, n in config.id2label.items()}, key)
    try:
        tokenizer = transformers.AutoTokenizer.from_pretrained(folder, **local)
        model = transformers.AutoModelForSequenceClassification.from_pretrained(
            folder, config=config, use_safetensors=True, **local)
    except Exception as exc:
        raise ConfigError(f"{key}.path: cannot load the model of {folder}: {type(exc).__name__}: {exc}") from exc
    if tokenizer.pad_token is None:  # batches need padding (GPT-like tokenizers have none)
        if tokenizer.eos_token is None:
            raise ConfigError(f"{key}.path: the tokenizer of {folder} has no padding token")
        tokenizer.pad_token = tokenizer.eos_token
        model.config.pad_token_id = tokenizer.eos_token_id
    model.to(torch.device("cpu"))
    model.eval()
    return LoadedModel(tokenizer, model, outputs, getattr(config, "problem_type", None), _version(folder, head))


def _version(folder: Path, head: TransformerHeadSettings) -> str:
    """``transformers:NAME:DIGEST``: the digest changes with the config, the weights' sizes and the mapping."""
    digest = hashlib.sha256((folder / "config.json").read_bytes())
    digest.update(json.dumps(head.labels, sort_keys=True).encode())
    for weights in sorted(folder.glob("*.safetensors")):
        digest.update(f"{weights.name}:{weights.stat().st_size}".encode())
    return f"transformers:{head.name or folder.name}:{digest.hexdigest()[:12]}"


class TransformerStage:
    """A stage that assigns one label with a local Hugging Face model.

    It takes the place of the shipped stage of the same name, with its ``requires`` and
    ``assigns``, so that the pipeline's order stays valid.
    """

    def __init__(self, label: str, head: TransformerHeadSettings, *, name: str | None = None,
                 requires: frozenset[str] = frozenset({"features"}), assigns: frozenset[str] | None = None,
                 loaded: LoadedModel | None = None):
        if label not in TRANSFORMER_LABELS:
            raise ConfigError(f"pipeline.transformers.{label}: no local model for {label!r} "
                              f"(one of {', '.join(TRANSFORMER_LABELS)})")
        self.label = label
        self.head = head
        self.name = name or label
        self.requires = frozenset(requires)
        self.assigns = frozenset(assigns) if assigns is not None else frozenset({label})
        self.loaded = loaded or load_model(label, head)
        self.version = self.loaded.version
        self.model_name = head.name or head.path.name
        self.values = [v for v in TRANSFORMER_LABELS[label] if v in self.loaded.outputs]

    @classmethod
    def replacing(cls, stage: type, label: str, settings: Settings) -> TransformerStage:
        """The stage for ``label`` configured in ``settings``, in place of the shipped class ``stage``."""
        return cls(label, settings.pipeline.transformers[label], name=stage.name, requires=stage.requires,
                   assigns=stage.assigns)

    def process(self, docs: Sequence[Doc]) -> None:
        if not docs:
            return
        texts = [(doc.analysis.clean_text if self.head.input == "clean_text" else doc.text) or "" for doc in docs]
        logits = self.logits(texts)
        if self.label in ("sentiment", "intent"):
            self._single(docs, logits)
        elif self.label == "topics":
            self._topics(docs, logits)
        else:
            self._abusive(docs, logits)

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        """The model's raw outputs for ``texts``, shape (len(texts), outputs), ``batch_size`` at a time.

        Texts go through the model sorted by length, so that a batch pads little.
        """
        import torch

        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        result = np.zeros((len(texts), len(self.loaded.outputs)), dtype=np.float64)
        tokenizer, model, size = self.loaded.tokenizer, self.loaded.model, self.head.batch_size
        with torch.no_grad():
            for start in range(0, len(order), size):
                chunk = order[start:start + size]
                encoded = tokenizer([texts[i] for i in chunk], padding=True, truncation=True,
                                    max_length=self.head.max_length, return_tensors="pt")
                result[chunk] = model(**encoded).logits.float().numpy()
        return result

    def _by_value(self, probabilities: np.ndarray, combine) -> np.ndarray:
        """Per-value probabilities (columns in ``self.values`` order), outputs combined by ``combine``."""
        outputs = np.asarray(self.loaded.outputs)
        return np.stack([combine(probabilities[:, outputs == v], axis=1) for v in self.values], axis=1)

    def _single(self, docs: Sequence[Doc], logits: np.ndarray) -> None:
        probabilities = self._by_value(softmax(logits, axis=1), np.sum)
        for doc, p in zip(docs, probabilities, strict=True):
            setattr(doc.analysis, self.label, self.values[int(p.argmax())])
            doc.analysis.scores[self.label] = {v: round(float(x), 3) for v, x in zip(self.values, p, strict=True)}
            doc.analysis.cues[self.label] = [f"modèle {self.model_name}"]

    def _topics(self, docs: Sequence[Doc], logits: np.ndarray) -> None:
        probabilities = self._by_value(expit(logits), np.max)
        for doc, p in zip(docs, probabilities, strict=True):
            on = sorted((i for i, x in enumerate(p) if x >= self.head.threshold), key=lambda i: -p[i])
            doc.analysis.topics = [self.values[i] for i in on]
            doc.analysis.scores["topics"] = {v: round(float(x), 3) for v, x in zip(self.values, p, strict=True)}
            doc.analysis.cues["topics"] = [f"modèle {self.model_name}"]

    def _abusive(self, docs: Sequence[Doc], logits: np.ndarray) -> None:
        true = np.asarray(self.loaded.outputs) == "true"
        if len(self.loaded.outputs) == 1 or self.loaded.problem_type == "multi_label_classification":
            probabilities = expit(logits)[:, true].max(axis=1)
        else:
            probabilities = softmax(logits, axis=1)[:, true].sum(axis=1)
        for doc, p in zip(docs, probabilities, strict=True):
            doc.analysis.abusive = bool(p >= self.head.threshold)
            doc.analysis.scores["abusive"] = round(float(p), 3)
            doc.analysis.cues["abusive"] = [f"modèle {self.model_name}"]
