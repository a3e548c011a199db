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
        columns, values, rows = _allowed_entries(x, allowed)
        chosen = outputs[rows]
        weights = self.weights[columns, np.maximum(chosen, 0)]
        if self.kind == "softmax":
            weights = weights - self._class_mean()[columns]
        push = np.where(chosen >= 0, values * weights, 0.0)
        # the k strongest positive pushes of each row, strongest first, for the whole batch with
        # one sort rather than one per row
        positive = np.flatnonzero(push > 0)
        order = positive[np.lexsort((-push[positive], rows[positive]))]
        sorted_rows, sorted_push = rows[order], push[order]
        starts = np.searchsorted(sorted_rows, sorted_rows)
        kept = order[np.arange(len(order)) - starts < k]
        found: list[list[int]] = [[] for _ in range(x.shape[0])]
        for row, column in zip(rows[kept].tolist(), columns[kept].tolist(), strict=True):
            found[row].append(column)
        # equal pushes (features that always came together in training have equal weights) keep the
        # order a per-row ``argsort`` gives them, as the cues always had
        tied = (sorted_rows[1:] == sorted_rows[:-1]) & (sorted_push[1:] == sorted_push[:-1])
        bounds = np.searchsorted(rows, np.arange(x.shape[0] + 1)).tolist()
        for row in np.unique(sorted_rows[1:][tied]).tolist():
            segment = push[bounds[row]:bounds[row + 1]]
            found[row] = [int(columns[bounds[row] + j]) for j in np.argsort(-segment)[:k] if segment[j] > 0]
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


_last_entries: tuple = (None, None, None)


def _allowed_entries(x: sparse.csr_matrix, allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(columns, values, rows) of the allowed entries of ``x``, a tenth of a row (no character n-grams,
    no vector dimensions). Every head explains the same batch matrix: the last answer is kept."""
    global _last_entries
    last_x, last_allowed, entries = _last_entries
    if last_x is x and last_allowed is allowed:
        return entries
    mask = allowed[x.indices]
    counts = np.diff(np.concatenate(([0], np.cumsum(mask)))[x.indptr])
    entries = x.indices[mask], x.data[mask], np.repeat(np.arange(x.shape[0]), counts)
    _last_entries = (x, allowed, entries)
    return entries
