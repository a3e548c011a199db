"""The ``sentiment`` stage: negative, neutral or positive (labels.md), with scores and cues.

Sarcasm counts for what it means: the lexicon's irony cues ("bravo", "merci pour", 👏) are
features of the head, and one rule overrides it: praise words or applause next to waiting or
going without ("Bravo la banque, 3 jours sans carte 👏") are sarcasm, never praise; on the
team's training posts that pattern is negative four times out of five, and the head, a sum of
independent weights, cannot see the combination.

Posts about no bank (news, politics, daily life) are read by the bundle's ``sentiment_general``
head when it has one (``heads.DomainHeads``): the same features, with the weights trained for
general posts (see ``training.domain_softmax_heads``); a headline's style means something else
there than in a bank's customer care. Imports ``heads``.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from veilleur.pipeline.base import Doc
from veilleur.pipeline.heads import DomainHeads, SingleLabelStage


class Sentiment(DomainHeads, SingleLabelStage):
    name: ClassVar[str] = "sentiment"
    head_name = "sentiment"
    label = "sentiment"
    requires: ClassVar[frozenset[str]] = frozenset({"features", "bank"})
    assigns: ClassVar[frozenset[str]] = frozenset({"sentiment"})

    def process(self, docs: Sequence[Doc]) -> None:
        super().process(docs)
        for doc in docs:
            if doc.analysis.sentiment == "positive" and doc.features.reading.sarcasm:
                doc.analysis.sentiment = "negative"
                doc.analysis.cues["sentiment"] = ["sarcasme", *doc.analysis.cues["sentiment"]][:4]
