"""The ``abusive`` stage: insults, threats or obscenity in the text, whatever the intent.

A sigmoid head whose features include the hand-written abuse lexicon (insults, obscenities,
threats, in SMS spellings too); harsh criticism alone ("c'est de l'arnaque") is not abuse.
Imports ``heads``.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from veilleur.pipeline.base import Doc
from veilleur.pipeline.heads import HeadStage


class Abusive(HeadStage):
    name: ClassVar[str] = "abusive"
    head_name = "abusive"
    requires: ClassVar[frozenset[str]] = frozenset({"features"})
    assigns: ClassVar[frozenset[str]] = frozenset({"abusive"})

    def process(self, docs: Sequence[Doc]) -> None:
        if not docs:
            return
        probabilities = self.scores(docs)[:, 0]
        threshold = (self.head.thresholds or [0.5])[0]
        outputs = [0 if p >= threshold else -1 for p in probabilities]
        for doc, p, cues in zip(docs, probabilities, self.cues(docs, outputs), strict=True):
            doc.analysis.abusive = bool(p >= threshold)
            doc.analysis.scores["abusive"] = round(float(p), 3)
            doc.analysis.cues["abusive"] = cues
