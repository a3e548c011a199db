"""What the five analysis stages share: scoring a batch with one linear head, and cues.

A cue is what a person can read beside a post: the words and expressions that pushed the
label, from the head's strongest features (word n-grams, never character fragments) and from
the lexicons ("'bravo' +", "'toujours pas'", "ironie ?", "👏"). Imports ``pipeline.base``,
``pipeline.bundle``, ``pipeline.featurize``, ``pipeline.features``, ``pipeline.lexicon``,
``pipeline.linear``.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from veilleur.pipeline.base import Doc
from veilleur.pipeline.bundle import ModelBundle, load_bundle
from veilleur.pipeline.featurize import batch_matrix
from veilleur.pipeline.lexicon import IRONY_CUE, IRONY_FEATURES
from veilleur.pipeline.linear import LinearHead
from veilleur.settings import Settings

MAX_CUES = 4


class HeadStage:
    """Base of the stages that read one head of the bundle."""

    name = "head"
    head_name = "head"
    version = "1"

    def __init__(self, bundle: ModelBundle | None = None):
        self.bundle = bundle or load_bundle()
        self.head: LinearHead = self.bundle.heads[self.head_name]

    @classmethod
    def from_settings(cls, settings: Settings):
        folder = settings.pipeline.models
        return cls(load_bundle(str(folder) if folder else None))

    def scores(self, docs: Sequence[Doc]) -> np.ndarray:
        return self.head.scores(batch_matrix(docs))

    def cues(self, docs: Sequence[Doc], outputs: Sequence[int], lexicon_cues: bool = True,
             head: LinearHead | None = None) -> list[list[str]]:
        """Readable reasons, per doc, for its ``outputs`` entry of this head (-1: none)."""
        featurizer = self.bundle.featurizer
        columns = (head or self.head).explain(batch_matrix(docs), np.asarray(outputs), featurizer.readable, k=6)
        all_cues = []
        for doc, cols in zip(docs, columns, strict=True):
            found: dict[str, str] = {}  # the words of a cue → the cue, so that "'top' +" and "'top'" show once
            for column in cols:
                name = featurizer.name(column)
                if name.startswith("lexicon:"):
                    if lexicon_cues:
                        for cue in _lexicon_cues(doc, name):
                            found.setdefault(_words_of(cue), cue)
                    continue
                label = f"'{name.removeprefix('NEG_')}' nié" if name.startswith("NEG_") else f"'{name}'"
                found.setdefault(_words_of(label), label)
            all_cues.append(list(found.values())[:MAX_CUES])
        return all_cues


def _words_of(cue: str) -> str:
    """The quoted words of a cue ("'top' +" → "top"), or the whole cue ("ironie ?", "👏")."""
    return cue[1:cue.rindex("'")] if cue.startswith("'") and cue.count("'") >= 2 else cue


def _lexicon_cues(doc: Doc, column: str) -> list[str]:
    """The reading's cues behind one lexicon column. "ironie ?" only when an irony feature itself
    pushed the label: praise words always raise the irony flag, and a sincere "super banque" must
    not be shown as ironic."""
    irony = column.removeprefix("lexicon:") in IRONY_FEATURES
    return [c for c in doc.features.reading.cues if (c == IRONY_CUE) == irony]


class DomainHeads:
    """Mixed into a ``HeadStage`` whose bundle may hold a second head, ``<head>_general``, for posts
    about no bank (news, politics, daily life: see ``training.domain_softmax_heads`` and
    ``training.domain_sigmoid_heads``). The ``bank`` stage's output picks the head; scores and cues
    come from the head that read the post. Without the second head, the stage is a plain one.
    """

    bundle: ModelBundle
    head: LinearHead
    head_name: str

    @property
    def general_head(self) -> LinearHead | None:
        return self.bundle.heads.get(f"{self.head_name}_general")

    @staticmethod
    def about_no_bank(docs: Sequence[Doc]) -> np.ndarray:
        return np.fromiter((doc.analysis.bank is None for doc in docs), dtype=bool, count=len(docs))

    def scores(self, docs: Sequence[Doc]) -> np.ndarray:
        x = batch_matrix(docs)
        probabilities = self.head.scores(x)
        general = self.general_head
        rows = np.flatnonzero(self.about_no_bank(docs)) if general is not None else []
        if len(rows):
            probabilities[rows] = general.scores(x[rows])
        return probabilities

    def cues(self, docs: Sequence[Doc], outputs: Sequence[int], lexicon_cues: bool = True,
             head: LinearHead | None = None) -> list[list[str]]:
        general = self.general_head
        if general is None or head is not None:
            return super().cues(docs, outputs, lexicon_cues, head)  # type: ignore[misc]
        no_bank, chosen = self.about_no_bank(docs), np.asarray(outputs)
        about_bank = super().cues(docs, np.where(no_bank, -1, chosen), lexicon_cues)  # type: ignore[misc]
        about_none = super().cues(docs, np.where(no_bank, chosen, -1), lexicon_cues, general)  # type: ignore[misc]
        return [n if flag else b for n, b, flag in zip(about_none, about_bank, no_bank.tolist(), strict=True)]


class SingleLabelStage(HeadStage):
    """A softmax head whose best class becomes the label (sentiment, intent)."""

    label = "label"

    def process(self, docs: Sequence[Doc]) -> None:
        if not docs:
            return
        probabilities = self.scores(docs)
        classes = self.head.classes
        best = probabilities.argmax(axis=1)
        rounded = np.round(probabilities, 3).tolist()
        for doc, p, b, cues in zip(docs, rounded, best.tolist(), self.cues(docs, best), strict=True):
            self.assign(doc, classes[b], p[b])
            doc.analysis.scores[self.label] = dict(zip(classes, p, strict=True))
            doc.analysis.cues[self.label] = cues

    def assign(self, doc: Doc, value: str, confidence: float) -> None:
        setattr(doc.analysis, self.label, value)
