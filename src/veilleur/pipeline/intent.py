"""The ``intent`` stage: what the author wants (labels.md), which decides what the bank does.

Imports ``heads``.
"""
from __future__ import annotations

from typing import ClassVar

from veilleur.pipeline.heads import SingleLabelStage


class Intent(SingleLabelStage):
    name: ClassVar[str] = "intent"
    head_name = "intent"
    label = "intent"
    requires: ClassVar[frozenset[str]] = frozenset({"features"})
    assigns: ClassVar[frozenset[str]] = frozenset({"intent"})
