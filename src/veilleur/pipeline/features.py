"""Shared features of the analysis heads: word and character n-gram TF-IDF, plus lexicon scores.

One vectorisation per batch serves every head (sentiment, intent, topics, abusive, urgency).
The analyzers and the TF-IDF arithmetic are written here rather than taken from scikit-learn's
``TfidfVectorizer`` because importing scikit-learn costs a second at start-up (the budget is
three for everything) and because training and inference must share the very same analyzer
functions; training still uses scikit-learn for the classifiers (``pipeline.training``).
The arithmetic is scikit-learn's: sublinear tf (1 + log count), smoothed idf, L2 per block.

Before the n-grams and the lexicon read a post, ``pipeline.spelling`` mends one-letter typos in
words no vocabulary knows ("virmeent" → "virement").

Model files are JSON and ``.npy`` arrays (no pickle). Imports ``pipeline.text``,
``pipeline.lexicon``, ``pipeline.spelling``, ``pipeline.vectors``, numpy and scipy.
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

from veilleur.pipeline.lexicon import NEGATION_WINDOW, Lexicon, Reading
from veilleur.pipeline.spelling import Speller
from veilleur.pipeline.text import fold
from veilleur.pipeline.vectors import POLARITY_FEATURES, WordVectors

TOKEN = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?|\d+|[!?]|[\U0001F000-\U0001FAFF\u2600-\u27bf]")
ELISION = re.compile(r"\b([cdjlmnst]|qu|jusqu|lorsqu|puisqu)'", re.IGNORECASE)
HANDLE_TOKEN = re.compile(r"@\w+")
CHAR_CACHE_WORDS = 100_000
# Layout punctuation (the colon of "Titre : sous-titre", quotes, brackets, dashes, slashes) is how
# a post is set out, not what it feels or is about; left in the character n-grams it taught the
# heads that a headline's colon means "neutral". Character n-grams are read with it blanked out;
# "?", "!", apostrophes and the rest stay.
LAYOUT = str.maketrans({c: " " for c in ':;"()[]{}«»“”„|/\\-–—_*•'})


def char_words(text: str) -> list[str]:
    """The words whose character n-grams are features: the text split on spaces and layout punctuation."""
    return text.translate(LAYOUT).split()


# "pourquoi ?" (French typography, often with a narrow no-break space) and "pourquoi?" are the same
# question: the mark always stands apart, so the word's character n-grams do not depend on it
MARK_AFTER_WORD = re.compile(r"(?<=[^\s?!])(?=[?!])")


def model_text(clean_text: str) -> str:
    """The text the heads see: folded (lower case, no accents), handles generalised, ? and ! apart."""
    return MARK_AFTER_WORD.sub(" ", HANDLE_TOKEN.sub(" @user ", fold(clean_text)))


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


def word_char_features(word: str, low: int = 2, high: int = 5) -> list[str]:
    """Character n-grams of one word padded with spaces (scikit-learn's ``char_wb``)."""
    out: list[str] = []
    padded = f" {word} "
    size = len(padded)
    for n in range(low, high + 1):
        if size <= n:
            out.append(padded)
            break
        out += [padded[i:i + n] for i in range(size - n + 1)]
    return out


def char_features(text: str) -> list[str]:
    """Character n-grams inside word boundaries, word by word."""
    out: list[str] = []
    for word in char_words(text):
        out += word_char_features(word)
    return out


def exact_norm(values: np.ndarray) -> float:
    """The L2 norm, exactly rounded: a SIMD or BLAS sum may depend on memory alignment, and the
    features (hence the trained models) must be the same bytes on every run."""
    return math.hypot(*values.tolist())


EMPTY_COLS = np.zeros(0, dtype=np.int32)
EMPTY_VALS = np.zeros(0, dtype=np.float32)


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

    def ids(self, features: list[str]) -> list[int]:
        return [i for i in map(self.terms.get, features) if i is not None]

    def row(self, features: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Columns and L2-normalised sublinear TF-IDF values of one document."""
        return self.row_of_ids(self.ids(features))

    def row_of_ids(self, ids: list[int]) -> tuple[np.ndarray, np.ndarray]:
        if not ids:
            return EMPTY_COLS, EMPTY_VALS
        cols, counts = np.unique(np.array(ids, dtype=np.int32), return_counts=True)
        vals = (1.0 + np.log(counts, dtype=np.float32)) * self.idf[cols]
        return cols, vals / np.float32(exact_norm(vals))

    def rows_of_ids(self, ids_per_doc: Sequence[list[int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``row_of_ids`` for many documents at once: (doc index, column, value) of every entry.

        One sort of the whole batch instead of one ``np.unique`` per document (whose fixed cost
        dominated); the values are the same bytes (element-wise float32 arithmetic, one norm per
        document computed as ``exact_norm`` does), ordered by document then column.
        """
        sizes = np.fromiter(map(len, ids_per_doc), dtype=np.int64, count=len(ids_per_doc))
        if not sizes.sum():
            return EMPTY_COLS, EMPTY_COLS, EMPTY_VALS
        docs = np.repeat(np.arange(len(ids_per_doc), dtype=np.int64), sizes)
        keys = docs * len(self.terms) + np.fromiter(itertools.chain.from_iterable(ids_per_doc), dtype=np.int64,
                                                    count=int(sizes.sum()))
        unique, counts = np.unique(keys, return_counts=True)
        rows, cols = np.divmod(unique, len(self.terms))
        cols = cols.astype(np.int32)
        vals = (1.0 + np.log(counts, dtype=np.float32)) * self.idf[cols]
        bounds = np.searchsorted(rows, np.arange(len(ids_per_doc) + 1)).tolist()
        flat = vals.tolist()
        norms = np.array([math.hypot(*flat[a:b]) if b > a else 1.0 for a, b in itertools.pairwise(bounds)],
                         dtype=np.float32)
        return rows, cols, vals / norms[rows]

    def __len__(self) -> int:
        return len(self.terms)


class Featurizer:
    """Clean texts → one sparse matrix: [word TF-IDF | char TF-IDF | lexicon scores | mean word vector]."""

    def __init__(self, words_vocab: Vocabulary, chars_vocab: Vocabulary, lexicon: Lexicon,
                 vectors: WordVectors | None = None):
        self.words, self.chars, self.lexicon, self.vectors = words_vocab, chars_vocab, lexicon, vectors
        self.offset_chars = len(words_vocab)
        self.offset_lexicon = self.offset_chars + len(chars_vocab)
        self.offset_polarity = self.offset_lexicon + len(lexicon.FEATURES)
        self.offset_vectors = self.offset_polarity + len(POLARITY_FEATURES)
        self.width = self.offset_vectors + (vectors.width if vectors else 0)
        self._names: list[str] | None = None
        self._readable: np.ndarray | None = None
        self._speller: Speller | None = None
        self._char_ids: dict[str, list[int]] = {}  # word → its known character n-grams: words repeat a lot

    def char_ids(self, text: str) -> list[int]:
        ids: list[int] = []
        cache = self._char_ids
        for word in char_words(text):
            known = cache.get(word)
            if known is None:
                known = self.chars.ids(word_char_features(word))
                if len(cache) >= CHAR_CACHE_WORDS:
                    cache.clear()
                cache[word] = known
            ids += known
        return ids

    @property
    def speller(self) -> Speller:
        """Mends typos into the words of the heads' vocabulary; the vectors' and lexicon's words are known."""
        if self._speller is None:
            vocabulary = {t: float(self.words.idf[i]) for t, i in self.words.terms.items()
                          if " " not in t and not t.startswith("NEG_")}
            known = [*(self.vectors.row if self.vectors else ()), *self.lexicon.sentiment, *self.lexicon.abuse]
            self._speller = Speller(vocabulary, known)
        return self._speller

    def model_texts(self, clean_texts: Sequence[str]) -> list[str]:
        mend = self.speller.mend
        return [mend(model_text(clean)) for clean in clean_texts]

    def transform(self, clean_texts: Sequence[str]) -> sparse.csr_matrix:
        return self.transform_with_cues(clean_texts)[0]

    def transform_with_cues(self, clean_texts: Sequence[str]) -> tuple[sparse.csr_matrix, list[Reading]]:
        """The feature matrix, and for each text the lexicon's reading (read once, used by every head).

        Built for the whole batch at once: each block (word n-grams, character n-grams, lexicon,
        vectors) as (row, column, value) arrays, then one stable sort by row puts each row's
        entries in column order, as a row-by-row build would.
        """
        n = len(clean_texts)
        texts = self.model_texts(clean_texts)
        negators = self.lexicon.negators
        word_rows, word_cols, word_vals = self.words.rows_of_ids(
            [self.words.ids(word_features(text, negators)) for text in texts])
        char_rows, char_cols, char_vals = self.chars.rows_of_ids([self.char_ids(text) for text in texts])
        readings, dense = [], []
        for text in texts:
            reading, lexicon_vals = self.lexicon.features_and_reading(text)
            readings.append(reading)
            dense.append(lexicon_vals)
        if self.vectors:
            vector_docs, means, polarity = self.vectors.read_many([HANDLE_TOKEN.sub(" ", c) for c in clean_texts])
        else:
            vector_docs, means, polarity = EMPTY_COLS, np.zeros((0, 0), dtype=np.float32), [[0.0] * 3] * n
        lexicon_cols = np.arange(self.offset_lexicon, self.offset_vectors, dtype=np.int32)  # with polarity
        vector_cols = np.arange(self.offset_vectors, self.width, dtype=np.int32)
        dense_vals = np.asarray([d + p for d, p in zip(dense, polarity, strict=True)], dtype=np.float32)
        rows = np.concatenate([word_rows, char_rows, np.repeat(np.arange(n), len(lexicon_cols)),
                               np.repeat(vector_docs, len(vector_cols))]).astype(np.int64)
        order = np.argsort(rows, kind="stable")
        indices = np.concatenate([word_cols, char_cols + self.offset_chars, np.tile(lexicon_cols, n),
                                  np.tile(vector_cols, len(vector_docs))]).astype(np.int32)[order]
        data = np.concatenate([word_vals, char_vals, dense_vals.reshape(-1), means.reshape(-1)]
                              ).astype(np.float32)[order]
        indptr = np.searchsorted(rows[order], np.arange(n + 1)).astype(np.int32)
        return sparse.csr_matrix((data, indices, indptr), shape=(n, self.width)), readings

    @property
    def readable(self) -> np.ndarray:
        """Columns a person can read as a cue: word n-grams and lexicon scores (one array, kept)."""
        if self._readable is None:
            mask = np.zeros(self.width, dtype=bool)
            mask[:self.offset_chars] = True
            mask[self.offset_lexicon:self.offset_vectors] = True
            mask.flags.writeable = False
            self._readable = mask
        return self._readable

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
            for j, feature in enumerate(POLARITY_FEATURES):
                names[self.offset_polarity + j] = f"lexicon:{feature}"
            for j in range(self.offset_vectors, self.width):
                names[j] = f"vector:{j - self.offset_vectors}"
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
            vocabs.append(Vocabulary({t: i for i, t in enumerate(terms)},
                                     np.load(folder / f"{name}_idf.npy", allow_pickle=False)))
        vectors = WordVectors.load(folder) if (folder / "vectors_rows.npy").exists() else None
        return cls(vocabs[0], vocabs[1], lexicon, vectors)
