"""The ``topics`` stage: zero or more of the twelve topics of labels.md.

One sigmoid per topic with its own threshold (chosen on cross-validated training predictions).
Posts about no bank are read by the ``topics_general`` head when the bundle has one
(``heads.DomainHeads``): a general post rarely has a topic, and a "découvert" in a novel or a job in
a newspaper means less there. When the bundle has a ``topics_interplay`` head, the topics of a post
about a bank are decided on a second reading that weighs every topic's first score
(``pipeline.interplay``); the scores shown are then the second reading's, the cues still the words
that drove the first.
Imports ``heads``, ``interplay`` and ``linear``.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import numpy as np

from veilleur.pipeline.base import Doc
from veilleur.pipeline.heads import DomainHeads, HeadStage
from veilleur.pipeline.interplay import HEAD_SUFFIX, interplay_features
from veilleur.pipeline.linear import LinearHead


class Topics(DomainHeads, HeadStage):
    name: ClassVar[str] = "topics"
    head_name = "topics"
    requires: ClassVar[frozenset[str]] = frozenset({"features", "bank"})
    assigns: ClassVar[frozenset[str]] = frozenset({"topics"})

    @property
    def interplay_head(self) -> LinearHead | None:
        return self.bundle.heads.get(f"{self.head_name}{HEAD_SUFFIX}")

    def process(self, docs: Sequence[Doc]) -> None:
        if not docs:
            return
        probabilities = self.scores(docs)
        # thresholds in the scores' own precision (float32), as a comparison with one Python float is
        thresholds = np.tile(np.asarray(self.head.thresholds or [0.5] * len(self.head.classes),
                                        dtype=probabilities.dtype), (len(docs), 1))
        interplay = self.interplay_head
        about_bank = np.flatnonzero(~self.about_no_bank(docs)) if interplay is not None else []
        if len(about_bank):
            probabilities[about_bank] = interplay.scores(interplay_features(probabilities[about_bank]))
            thresholds[about_bank] = interplay.thresholds
        chosen = []
        for doc, p, on_of_doc in zip(docs, probabilities, probabilities >= thresholds, strict=True):
            on = sorted(np.flatnonzero(on_of_doc).tolist(), key=lambda i: -p[i])
            doc.analysis.topics = [self.head.classes[i] for i in on]
            doc.analysis.scores["topics"] = dict(zip(self.head.classes, np.round(p, 3).tolist(), strict=True))
            chosen.append(on)
        for rank in (0, 1):  # cues of the two main topics
            outputs = [on[rank] if len(on) > rank else -1 for on in chosen]
            for doc, cues in zip(docs, self.cues(docs, outputs, lexicon_cues=False), strict=True):
                doc.analysis.cues["topics"] = (doc.analysis.cues.get("topics", []) if rank else []) + cues[:2]
