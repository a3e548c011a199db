"""The ``urgency`` stage: high, normal or low, following labels.md's rule.

``low`` exactly for the intents that need no answer (praise, information, other, abuse);
rumours and suggestions are ``normal``; a question or complaint is ``high`` when the head says
money is at risk or access is blocked now (fraud in progress, card blocked abroad, salary not
credited), else ``normal``. Imports ``core.labels`` and ``heads``.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from veilleur.core.labels import NO_ANSWER_INTENTS, Intent
from veilleur.pipeline.base import Doc
from veilleur.pipeline.heads import HeadStage

MAY_BE_HIGH = {Intent.QUESTION.value, Intent.COMPLAINT.value}


class Urgency(HeadStage):
    name: ClassVar[str] = "urgency"
    head_name = "urgency"
    requires: ClassVar[frozenset[str]] = frozenset({"features", "intent"})
    assigns: ClassVar[frozenset[str]] = frozenset({"urgency"})

    def process(self, docs: Sequence[Doc]) -> None:
        if not docs:
            return
        probabilities = self.scores(docs)[:, 0]
        threshold = (self.head.thresholds or [0.5])[0]
        high = [doc.analysis.intent in MAY_BE_HIGH and p >= threshold for doc, p in zip(docs, probabilities,
                                                                                          strict=True)]
        reasons = self.cues(docs, [0 if h else -1 for h in high], lexicon_cues=False)
        for doc, p, is_high, why in zip(docs, probabilities, high, reasons, strict=True):
            intent = doc.analysis.intent
            if intent in NO_ANSWER_INTENTS:
                doc.analysis.urgency, cues = "low", [f"intention {intent} : pas de réponse attendue"]
            elif is_high:
                doc.analysis.urgency, cues = "high", why
            else:
                doc.analysis.urgency, cues = "normal", [f"intention {intent}"]
            doc.analysis.scores["urgency"] = round(float(p), 3)
            doc.analysis.cues["urgency"] = cues
