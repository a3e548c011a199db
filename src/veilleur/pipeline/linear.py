"""Linear heads over the shared features, stored as ``.npy`` arrays and JSON (no pickle).

A head is a weight matrix (features × outputs) and a bias: softmax over exclusive classes
(sentiment, intent) or independent sigmoids with per-output thresholds (topics, abusive,
urgency). ``explain`` gives the features that pushed one output most, for the cues shown
beside a post. Imports numpy and scipy only.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse


@dataclass
class LinearHead:
    """One classifier head: ``scores(X)`` gives an (n × outputs) array of probabilities."""

    name: str
    classes: list[str]
    weights: np.ndarray  # features × outputs, float32
    bias: np.ndarray  # outputs, float32
    kind: str = "softmax"  # or "sigmoid"
    thresholds: list[float] | None = None  # sigmoid heads: an output is on at or above its threshold

    def scores(self, x: sparse.csr_matrix) -> np.ndarray:
        z = np.asarray(x @ self.weights) + self.bias
        if self.kind == "sigmoid":
            return 1.0 / (1.0 + np.exp(-z))
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def explain(self, x: sparse.csr_matrix, outputs: np.ndarray, allowed: np.ndarray, k: int = 4
                ) -> list[list[int]]:
        """For each row, the (at most ``k``) allowed columns that pushed its output up most.

        ``outputs`` gives the output to explain per row (-1: none). For a softmax head the push
        is measured against the mean of the classes: what favours this class over the others.
        """
        # only the allowed entries (a tenth of a row: no character n-grams, no vector dimensions)
        mask = allowed[x.indices]
        indptr = np.concatenate(([0], np.cumsum(mask)))[x.indptr]
        columns, values = x.indices[mask], x.data[mask]
        rows = np.repeat(np.arange(x.shape[0]), np.diff(indptr))
        chosen = outputs[rows]
        weights = self.weights[columns, np.maximum(chosen, 0)]
        if self.kind == "softmax":
            weights = weights - self._class_mean()[columns]
        push = np.where(chosen >= 0, values * weights, 0.0)
        found = []
        for i in range(x.shape[0]):
            start, end = indptr[i], indptr[i + 1]
            segment = push[start:end]
            best = np.argsort(-segment)[:k]
            found.append([int(columns[start + j]) for j in best if segment[j] > 0])
        return found

    def _class_mean(self) -> np.ndarray:
        if getattr(self, "_mean", None) is None:
            self._mean = self.weights.mean(axis=1)
        return self._mean

    def meta(self) -> dict[str, Any]:
        return {"classes": self.classes, "kind": self.kind, "thresholds": self.thresholds}

    def save(self, folder: Path) -> None:
        np.save(folder / f"head_{self.name}_weights.npy", self.weights.astype(np.float32))
        np.save(folder / f"head_{self.name}_bias.npy", self.bias.astype(np.float32))

    @classmethod
    def load(cls, folder: Path, name: str, meta: dict[str, Any]) -> LinearHead:
        return cls(name=name, classes=list(meta["classes"]), kind=meta["kind"], thresholds=meta.get("thresholds"),
                   weights=np.load(folder / f"head_{name}_weights.npy", allow_pickle=False),
                   bias=np.load(folder / f"head_{name}_bias.npy", allow_pickle=False))
