"""The ``sentiment`` stage: negative, neutral or positive (labels.md), with scores and cues.

Sarcasm counts for what it means: the lexicon's irony cues ("bravo", "merci pour", 👏) next to
negative evidence are features the head has learned to read as negative. Imports ``heads``.
"""
from __future__ import annotations

from typing import ClassVar

from veilleur.pipeline.heads import SingleLabelStage


class Sentiment(SingleLabelStage):
    name: ClassVar[str] = "sentiment"
    head_name = "sentiment"
    label = "sentiment"
    requires: ClassVar[frozenset[str]] = frozenset({"features"})
    assigns: ClassVar[frozenset[str]] = frozenset({"sentiment"})
