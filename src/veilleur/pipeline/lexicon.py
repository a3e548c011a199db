"""Hand-written French lexicons (``resources/fr/``) turned into a few dense features and cues.

Sentiment terms (single words and expressions, -3..+3), emoji, negators, intensifiers, irony
cues and abusive terms carry knowledge of French that a few thousand training posts cannot;
``general_polarity.tsv`` (derived from two published lexicons, see its README) adds the valence of
some 10,000 everyday words for posts on subjects the hand-written list does not cover;
the trained heads weigh these features against the n-grams. Matching is on the folded model
text, longest expression first; a term within three tokens after a negator counts reversed
and halved ("pas terrible" is an expression of its own, so it is not reversed twice).

Imports ``pipeline.text`` and the standard library only (``features`` imports this module).
"""
from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from veilleur.pipeline.text import fold

TOKEN = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?|\d+|[!?]")
ELISION = re.compile(r"\b([cdjlmnst]|qu|jusqu|lorsqu|puisqu)'")
MAX_TERM_TOKENS = 5
NEGATION_WINDOW = 3  # a negator reverses what comes within this many tokens after it
# Waiting and going without: "3 jours sans carte", "toujours pas", "depuis deux semaines". Rarely
# said in praise, they are what turns a "bravo" or a 👏 into sarcasm.
WAITING = re.compile(
    r"\b(?:\d+|une?|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|quinze|plusieurs)\s+"
    r"(?:jours?|semaines?|mois|heures?|h|j)\s+(?:sans|que j' ?attends|d' ?attente|a attendre)\b"
    r"|\btoujours (?:pas|rien|aucune?)\b"
    r"|\b(?:depuis|ca fait) (?:\d+|une?|deux|trois|quatre|cinq|six|plusieurs) (?:jours?|semaines?|mois)\b")
WAITING_WEIGHT = 1.5


def tokens(text: str) -> list[str]:
    return TOKEN.findall(ELISION.sub(r"\1' ", text))


def _key(term: str) -> str:
    return " ".join(tokens(fold(term.strip())))


def _rows(name: str) -> list[list[str]]:
    path = resources.files("veilleur.pipeline.resources.fr").joinpath(name)
    if not path.is_file():
        return []
    text = path.read_text(encoding="utf-8")
    if name.endswith(".txt"):
        return [[line.strip()] for line in text.splitlines() if line.strip() and not line.startswith("#")]
    reader = csv.reader(text.splitlines()[1:], delimiter="\t")
    return [row for row in reader if row and row[0].strip() and not row[0].startswith("#")]


@dataclass(slots=True)
class Reading:
    """What the lexicons see in one text."""

    positive: float = 0.0
    negative: float = 0.0
    strong_negative: float = 0.0
    negated_positive: float = 0.0
    negated_negative: float = 0.0
    emoji_positive: float = 0.0
    emoji_negative: float = 0.0
    irony: float = 0.0
    abuse: float = 0.0
    threat: float = 0.0
    waiting: float = 0.0
    cues: list[str] = field(default_factory=list)

    @property
    def sarcasm(self) -> bool:
        """Praise words or applause next to waiting or going without ("bravo, 3 jours sans carte 👏")."""
        return bool(self.irony and self.waiting)


IRONY_CUE = "ironie ?"
"""The cue of the ``irony`` features: shown only when they pushed the label (see ``heads``)."""
IRONY_FEATURES = frozenset({"irony", "irony_negative"})


class Lexicon:
    """The lexicons of ``resources/fr``, compiled for matching."""

    FEATURES = ("positive", "negative", "strong_negative", "negated_positive", "negated_negative",
                "emoji_positive", "emoji_negative", "irony", "irony_negative", "abuse", "threat",
                "question", "exclamation", "general_positive", "general_negative", "general_negated_positive",
                "general_negated_negative", "general_balance")

    def __init__(self) -> None:
        self.sentiment = {_key(r[0]): int(r[1]) for r in _rows("sentiment.tsv") if len(r) > 1 and _key(r[0])}
        self.emoji = {r[0].strip(): int(r[1]) for r in _rows("emoji.tsv") if len(r) > 1}
        self.negators = frozenset(_key(r[0]) for r in _rows("negation.txt")) or frozenset(
            {"pas", "jamais", "rien", "aucun", "aucune", "ni", "plus", "sans"})
        self.intensifiers = {_key(r[0]): float(r[1]) for r in _rows("intensifiers.tsv") if len(r) > 1}
        self.irony = {_key(r[0]) for r in _rows("irony.txt")}
        self.abuse = {_key(r[0]): r[1].strip() for r in _rows("abuse.tsv") if len(r) > 1 and _key(r[0])}
        self.general = {r[0].strip(): float(r[1]) for r in _rows("general_polarity.tsv") if len(r) > 1}
        # the longest expression starting with each word: most words start none, and are looked up once
        self.reach: dict[str, int] = {}
        for term in (*self.sentiment, *self.abuse):
            parts = term.split()
            size = min(len(parts), MAX_TERM_TOKENS)
            self.reach[parts[0]] = max(self.reach.get(parts[0], 1), size)
        cues = sorted((c for c in self.irony if c), key=len, reverse=True)
        self.irony_re = re.compile(r"(?<!\S)(?:" + "|".join(map(re.escape, cues)) + r")(?!\S)") if cues else None
        faces = sorted(self.emoji, key=len, reverse=True)
        self.emoji_re = re.compile("|".join(map(re.escape, faces))) if faces else None

    def read(self, text: str, toks: list[str] | None = None) -> Reading:
        """Scores and cues of a folded model text (``toks``: its ``tokens``, when already split)."""
        r = Reading()
        toks = tokens(text) if toks is None else toks
        self._terms(r, toks)
        for match in WAITING.finditer(text):
            r.negative += WAITING_WEIGHT
            r.waiting += 1
            if not any(match.group(0) in cue for cue in r.cues):
                r.cues.append(f"'{match.group(0)}'")
        self._emoji(r, text)
        if self.irony_re is not None and self.irony_re.search(" ".join(toks)):
            r.irony = 1.0
            r.cues.append(IRONY_CUE)
        return r

    def _terms(self, r: Reading, toks: list[str]) -> None:
        """Score the lexicon's terms, longest first, with the negation and intensifier before them.

        ``_longest_match`` inlined: this loop runs for every token of every post.
        """
        reach_of, sentiment, abuse = self.reach.get, self.sentiment, self.abuse
        negators, intensifiers = self.negators, self.intensifiers
        i, n, negated, boost = 0, len(toks), 0, 1.0
        while i < n:
            word, term, size = toks[i], None, 1
            reach = reach_of(word)
            if reach is not None:
                for size in range(min(reach, n - i), 0, -1):
                    candidate = " ".join(toks[i:i + size]) if size > 1 else word
                    if candidate in sentiment or candidate in abuse:
                        term = candidate
                        break
            if term is None:
                if word in negators:
                    negated = NEGATION_WINDOW
                else:
                    if word in intensifiers:
                        boost = intensifiers[word]
                    if negated:
                        negated -= 1
                i += 1
                continue
            self._score(r, term, negated > 0 and term.split()[0] not in negators, boost)
            boost, negated, i = 1.0, 0, i + size

    def _longest_match(self, toks: list[str], i: int) -> tuple[int, str | None]:
        reach = self.reach.get(toks[i])
        if reach is None:
            return 1, None
        for size in range(min(reach, len(toks) - i), 0, -1):
            candidate = " ".join(toks[i:i + size]) if size > 1 else toks[i]
            if candidate in self.sentiment or candidate in self.abuse:
                return size, candidate
        return 1, None

    def _score(self, r: Reading, term: str, negated: bool, boost: float) -> None:
        if term in self.abuse:
            kind = self.abuse[term]
            if kind == "threat":
                r.threat += 1
            else:
                r.abuse += 1
            r.cues.append(f"'{term}' ({'menace' if kind == 'threat' else 'injure'})")
        polarity = self.sentiment.get(term, -2 if term in self.abuse else 0) * boost
        if not polarity:
            return
        if negated:
            if polarity > 0:
                r.negated_positive += polarity
            else:
                r.negated_negative -= polarity
            r.cues.append(f"'{term}' nié")
        elif polarity > 0:
            r.positive += polarity
            r.cues.append(f"'{term}' +")
        else:
            r.negative -= polarity
            r.strong_negative += 1 if polarity <= -3 else 0
            r.cues.append(f"'{term}' −")

    def _emoji(self, r: Reading, text: str) -> None:
        if self.emoji_re is None:
            return
        for face in dict.fromkeys(self.emoji_re.findall(text)):  # first-seen order: the same cues on every run
            polarity = self.emoji[face]
            if polarity > 0:
                r.emoji_positive += polarity
            elif polarity < 0:
                r.emoji_negative -= polarity
            if polarity:
                r.cues.append(face)

    def general_polarity(self, toks: list[str]) -> list[float]:
        """Valence of the general lexicon's words: positive, negative, each when negated (within three
        tokens after a negator), and the balance. No cues: these words are weak evidence alone."""
        general, negators = self.general, self.negators
        sums = [0.0, 0.0, 0.0, 0.0]  # positive, negative, negated positive, negated negative
        left = 0
        for token in toks:
            if token in negators:
                left = NEGATION_WINDOW
                continue
            value = general.get(token)
            if value is not None:
                sums[(2 if left else 0) + (0 if value > 0 else 1)] += abs(value)
            if left:
                left -= 1
        return [x / (1.0 + x) for x in sums] + [math.tanh(sums[0] - sums[1])]

    def features(self, text: str) -> list[float]:
        """The dense features, squashed to [0, 1): x / (1 + x)."""
        return self.features_and_reading(text)[1]

    def features_and_reading(self, text: str) -> tuple[Reading, list[float]]:
        toks = tokens(text)
        r = self.read(text, toks)
        negative_evidence = r.negative + r.negated_positive + r.emoji_negative
        raw = [r.positive, r.negative, r.strong_negative, r.negated_positive, r.negated_negative,
               r.emoji_positive, r.emoji_negative, r.irony, r.irony * (1.0 if negative_evidence else 0.0),
               r.abuse, r.threat, float(text.count("?")), float(text.count("!"))]
        return r, [x / (1.0 + x) for x in raw] + self.general_polarity(toks)


@cache
def default_lexicon() -> Lexicon:
    return Lexicon()
