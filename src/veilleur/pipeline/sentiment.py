"""The ``sentiment`` stage: negative, neutral or positive (labels.md), with scores and cues.

Sarcasm counts for what it means: the lexicon's irony cues ("bravo", "merci pour", 👏) are
features of the head, and one rule overrides it: praise words or applause next to waiting or
going without ("Bravo la banque, 3 jours sans carte 👏") are sarcasm, never praise; on the
team's training posts that pattern is negative four times out of five, and the head, a sum of
independent weights, cannot see the combination.

Posts about no bank (news, politics, daily life) are read by the bundle's ``sentiment_general``
head when it has one: the same features, with the weights trained for general posts (see
``training.domain_softmax_heads``); a headline's style means something else there than in a
bank's customer care. Imports ``heads``, ``featurize``, ``linear``.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import numpy as np

from veilleur.pipeline.base import Doc
from veilleur.pipeline.featurize import batch_matrix
from veilleur.pipeline.heads import SingleLabelStage
from veilleur.pipeline.linear import LinearHead

GENERAL_HEAD = "sentiment_general"


class Sentiment(SingleLabelStage):
    name: ClassVar[str] = "sentiment"
    head_name = "sentiment"
    label = "sentiment"
    requires: ClassVar[frozenset[str]] = frozenset({"features", "bank"})
    assigns: ClassVar[frozenset[str]] = frozenset({"sentiment"})

    @property
    def general_head(self) -> LinearHead | None:
        return self.bundle.heads.get(GENERAL_HEAD)

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
            return super().cues(docs, outputs, lexicon_cues, head)
        no_bank, chosen = self.about_no_bank(docs), np.asarray(outputs)
        about_bank = super().cues(docs, np.where(no_bank, -1, chosen), lexicon_cues)
        about_none = super().cues(docs, np.where(no_bank, chosen, -1), lexicon_cues, general)
        return [n if flag else b for n, b, flag in zip(about_none, about_bank, no_bank.tolist(), strict=True)]

    def process(self, docs: Sequence[Doc]) -> None:
        super().process(docs)
        for doc in docs:
            if doc.analysis.sentiment == "positive" and doc.features.reading.sarcasm:
                doc.analysis.sentiment = "negative"
                doc.analysis.cues["sentiment"] = ["sarcasme", *doc.analysis.cues["sentiment"]][:4]
