"""Shared features of the analysis heads: word and character n-gram TF-IDF, plus lexicon scores.

One vectorisation per batch serves every head (sentiment, intent, topics, abusive, urgency).
The analyzers and the TF-IDF arithmetic are written here rather than taken from scikit-learn's
``TfidfVectorizer`` because importing scikit-learn costs a second at start-up (the budget is
three for everything) and because training and inference must share the very same analyzer
functions; training still uses scikit-learn for the classifiers (``pipeline.training``).
The arithmetic is scikit-learn's: sublinear tf (1 + log count), smoothed idf, L2 per block.

Model files are JSON and ``.npy`` arrays (no pickle). Imports ``pipeline.text``,
``pipeline.lexicon``, numpy and scipy.
"""
from __future__ import annotations

import itertools
import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
from scipy import sparse

from veilleur.pipeline.lexicon import Lexicon
from veilleur.pipeline.text import fold

TOKEN = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?|\d+|[!?]|[\U0001F000-\U0001FAFF\u2600-\u27bf]")
ELISION = re.compile(r"\b([cdjlmnst]|qu|jusqu|lorsqu|puisqu)'", re.IGNORECASE)
HANDLE_TOKEN = re.compile(r"@\w+")
NEGATION_WINDOW = 3


def model_text(clean_text: str) -> str:
    """The text the heads see: folded (lower case, no accents), handles generalised."""
    return HANDLE_TOKEN.sub(" @user ", fold(clean_text))


def words(text: str) -> list[str]:
    """Tokens of a model text, with elisions split ("l'appli" → "l'", "appli")."""
    return TOKEN.findall(ELISION.sub(r"\1' ", text))


def word_features(text: str, negators: frozenset[str]) -> list[str]:
    """Unigrams, bigrams, and NEG_-marked words within three tokens after a negator."""
    tokens = words(text)
    out = list(tokens)
    out.extend(f"{a} {b}" for a, b in itertools.pairwise(tokens))
    left = 0
    for token in tokens:
        if token in negators:
            left = NEGATION_WINDOW
        elif left:
            out.append("NEG_" + token)
            left -= 1
    return out


def char_features(text: str, low: int = 2, high: int = 5) -> list[str]:
    """Character n-grams inside word boundaries (scikit-learn's ``char_wb``)."""
    out = []
    for word in text.split():
        padded = f" {word} "
        size = len(padded)
        for n in range(low, high + 1):
            if size <= n:
                out.append(padded)
                break
            out.extend(padded[i:i + n] for i in range(size - n + 1))
    return out


class Vocabulary:
    """Terms → column, with smoothed idf weights."""

    def __init__(self, terms: dict[str, int], idf: np.ndarray):
        self.terms = terms
        self.idf = idf.astype(np.float32)

    @classmethod
    def fit(cls, documents: Iterable[list[str]], min_df: int, max_terms: int) -> Vocabulary:
        df: Counter[str] = Counter()
        n = 0
        for features in documents:
            df.update(set(features))
            n += 1
        kept = sorted((t for t, c in df.items() if c >= min_df), key=lambda t: (-df[t], t))[:max_terms]
        kept.sort()
        idf = np.array([math.log((1 + n) / (1 + df[t])) + 1 for t in kept], dtype=np.float64)
        return cls({t: i for i, t in enumerate(kept)}, idf)

    def row(self, features: list[str]) -> tuple[list[int], list[float]]:
        counts = Counter(f for f in features if f in self.terms)
        if not counts:
            return [], []
        cols = [self.terms[f] for f in counts]
        vals = [(1.0 + math.log(c)) * float(self.idf[j]) for c, j in zip(counts.values(), cols, strict=True)]
        norm = math.sqrt(sum(v * v for v in vals))
        return cols, [v / norm for v in vals]

    def __len__(self) -> int:
        return len(self.terms)


class Featurizer:
    """Texts → one sparse matrix: [word TF-IDF | char TF-IDF | lexicon scores]."""

    def __init__(self, words_vocab: Vocabulary, chars_vocab: Vocabulary, lexicon: Lexicon):
        self.words, self.chars, self.lexicon = words_vocab, chars_vocab, lexicon
        self.offset_chars = len(words_vocab)
        self.offset_lexicon = self.offset_chars + len(chars_vocab)
        self.width = self.offset_lexicon + len(lexicon.FEATURES)
        self._names: list[str] | None = None

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        indptr, indices, data = [0], [], []
        for text in texts:
            cols, vals = self.words.row(word_features(text, self.lexicon.negators))
            indices.extend(cols)
            data.extend(vals)
            cols, vals = self.chars.row(char_features(text))
            indices.extend(c + self.offset_chars for c in cols)
            data.extend(vals)
            for j, value in enumerate(self.lexicon.features(text)):
                if value:
                    indices.append(self.offset_lexicon + j)
                    data.append(value)
            indptr.append(len(indices))
        return sparse.csr_matrix((np.asarray(data, dtype=np.float32), np.asarray(indices, dtype=np.int32),
                                  np.asarray(indptr, dtype=np.int32)), shape=(len(texts), self.width))

    def name(self, column: int) -> str:
        """A readable name for a column: the word n-gram, "chars:…", or the lexicon feature."""
        if self._names is None:
            names = [""] * self.width
            for term, j in self.words.terms.items():
                names[j] = term
            for term, j in self.chars.terms.items():
                names[self.offset_chars + j] = f"chars:{term}"
            for j, feature in enumerate(self.lexicon.FEATURES):
                names[self.offset_lexicon + j] = f"lexicon:{feature}"
            self._names = names
        return self._names[column]

    def save(self, folder: Path) -> None:
        for name, vocab in (("words", self.words), ("chars", self.chars)):
            (folder / f"{name}.json").write_text(json.dumps(sorted(vocab.terms, key=vocab.terms.get),
                                                            ensure_ascii=False), encoding="utf-8")
            np.save(folder / f"{name}_idf.npy", vocab.idf)

    @classmethod
    def load(cls, folder: Path, lexicon: Lexicon) -> Featurizer:
        vocabs = []
        for name in ("words", "chars"):
            terms = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
            vocabs.append(Vocabulary({t: i for i, t in enumerate(terms)}, np.load(folder / f"{name}_idf.npy")))
        return cls(vocabs[0], vocabs[1], lexicon)
