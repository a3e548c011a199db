"""What detectors share: the observation of a post, the firing they return, and severity rules.

Imports ``core.alert``, ``analytics.text``, numpy and the standard library.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime
from hashlib import blake2b
from typing import Any

import numpy as np

from veilleur.analytics.text import terms, tokens
from veilleur.core.alert import AlertKind, Explanation, Severity

HOUR = 3600
DAY = 86400
NEGATIVE_INTENTS = frozenset({"complaint", "rumor", "abuse"})


@dataclass(slots=True)
class Observation:
    """A post as the detectors see it: labels, author, times as epoch seconds, words once."""

    post_id: int
    ts: float
    bank: str | None
    entity: str | None
    topics: tuple[str, ...]
    sentiment: str | None
    intent: str | None
    author: str
    reach: int
    words: list[str]  # content words, hashtags and phrases (``analytics.text.terms``)
    text: str
    tokens: list[str]  # every folded word, for SimHash

    @property
    def hour(self) -> int:
        return int(self.ts // HOUR)

    @property
    def day(self) -> int:
        return int(self.ts // DAY)

    @property
    def at(self) -> datetime:
        return datetime.fromtimestamp(self.ts, UTC)

    @property
    def negative(self) -> bool:
        return self.sentiment == "negative" or self.intent in NEGATIVE_INTENTS


def observe(post: Any) -> Observation:
    """An ``Observation`` of an analysed post (``storage.feed.AnalysedPost`` or alike)."""
    text = post.clean_text or post.text
    author = f"{post.platform}:{post.author_handle or post.external_id}"
    words = tokens(text)
    return Observation(post.id, post.created_at.timestamp(), post.bank, post.entity, tuple(post.topics),
                       post.sentiment, post.intent, author, post.reach, terms(text, words=words), text, words)


@dataclass(slots=True)
class Firing:
    """One detector's verdict at one moment: what it saw, why it is unusual, which posts."""

    kind: AlertKind
    subject: str
    bank: str | None
    entity: str | None
    severity: Severity
    title: str
    explanation: Explanation
    post_ids: list[int]
    at: datetime
    topic: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


def mix_severity(window: list[Observation], ratio: float) -> Severity:
    """Severity of a burst from its posts: mostly negative is a crisis, mostly positive is news.

    ``ratio`` is observed / threshold; a negative burst far beyond its threshold is critical.
    """
    negative = sum(1 for o in window if o.negative)
    positive = sum(1 for o in window if o.sentiment == "positive" or o.intent == "praise")
    share = negative / len(window)
    if share >= 0.5 and negative > positive:
        return Severity.CRITICAL if ratio >= 2.5 and share >= 0.6 else Severity.WARNING
    return Severity.INFO


def dominant_topic(window: list[Observation]) -> str | None:
    counts: dict[str, int] = {}
    for o in window:
        for topic in o.topics:
            counts[topic] = counts.get(topic, 0) + 1
    return max(counts, key=counts.__getitem__) if counts else None


_FEATURE_HASHES: dict[str, bytes] = {}


def _feature_hash(feature: str) -> bytes:
    """blake2b-64 of a word or pair, remembered (words repeat; the memory is bounded)."""
    found = _FEATURE_HASHES.get(feature)
    if found is None:
        if len(_FEATURE_HASHES) > 500_000:
            _FEATURE_HASHES.clear()
        found = _FEATURE_HASHES[feature] = blake2b(feature.encode(), digest_size=8).digest()
    return found


def simhash(words: list[str]) -> int:
    """64-bit SimHash of ``words`` and their pairs (numpy: bit counts over blake2b hashes).

    Written here rather than taken from ``datasketch`` because 64-bit SimHash on short posts is
    twenty lines of numpy and the watch needs no other sketch.
    """
    features = words + [f"{a} {b}" for a, b in itertools.pairwise(words)]
    if not features:
        return 0
    digests = b"".join(map(_feature_hash, features))
    bits = np.unpackbits(np.frombuffer(digests, dtype=np.uint8)).reshape(len(features), 64)
    majority = bits.sum(axis=0) * 2 > len(features)
    return int.from_bytes(np.packbits(majority).tobytes(), "big")
