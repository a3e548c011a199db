"""The ``features`` stage: one shared sparse feature matrix per batch for every analysis head.

Each doc keeps a reference to the batch matrix and its row, so heads score a whole batch with
one matrix product. Imports ``pipeline.base``, ``pipeline.bundle``, ``pipeline.features``.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from scipy import sparse

from veilleur.pipeline.base import Doc
from veilleur.pipeline.bundle import ModelBundle, load_bundle
from veilleur.pipeline.lexicon import Reading
from veilleur.settings import Settings


@dataclass(slots=True)
class FeatureRow:
    matrix: sparse.csr_matrix
    row: int
    reading: Reading


def batch_matrix(docs: Sequence[Doc]) -> sparse.csr_matrix:
    """The feature rows of ``docs`` as one matrix (no copy when they are one batch in order)."""
    first = docs[0].features.matrix
    rows = [d.features.row for d in docs]
    if all(d.features.matrix is first for d in docs) and rows == list(range(first.shape[0])):
        return first
    return sparse.vstack([d.features.matrix[d.features.row] for d in docs], format="csr")


class Featurize:
    """Assign ``features`` (on the doc, not the stored analysis)."""

    name: ClassVar[str] = "features"
    version: ClassVar[str] = "1"
    requires: ClassVar[frozenset[str]] = frozenset({"clean_text"})
    assigns: ClassVar[frozenset[str]] = frozenset({"features"})

    def __init__(self, bundle: ModelBundle | None = None):
        self.bundle = bundle or load_bundle()
        _ = self.bundle.featurizer.speller  # built now (0.1 s), not in the first batch: start-up is loading

    @classmethod
    def from_settings(cls, settings: Settings) -> Featurize:
        folder = settings.pipeline.models
        return cls(load_bundle(str(folder) if folder else None))

    def process(self, docs: Sequence[Doc]) -> None:
        matrix, readings = self.bundle.featurizer.transform_with_cues([d.analysis.clean_text or "" for d in docs])
        for i, doc in enumerate(docs):
            doc.features = FeatureRow(matrix, i, readings[i])
