"""Trending terms and phrases: what is said more than usual, per bank, by log-likelihood.

For each term (content word, hashtag or two-word phrase of ``analytics.text.terms``, stop words
left out), a = posts using it in the period, b = in the baseline period (by default the period of
the same length just before), N₁ and N₂ the term occurrences of each side. With the expected
E₁ = N₁(a + b)/(N₁ + N₂) and E₂ = N₂(a + b)/(N₁ + N₂), Dunning's log-likelihood
G² = 2·(a·ln(a/E₁) + b·ln(b/E₂)) (a zero term counts 0). Terms said relatively more in the period
(a/N₁ > b/N₂) and by at least ``min_count`` posts are ranked by G²; G² ≥ 10.83 is p < 0.001.

Imports ``analytics.authors`` (posts of a period), ``analytics.text``, ``analytics.series`` and the standard library.
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy.engine import Connection

from veilleur.analytics.authors import posts_in
from veilleur.analytics.series import Period
from veilleur.analytics.text import terms

FORMULA = "G² = 2·(a·ln(a/E1) + b·ln(b/E2)), E1 = N1(a+b)/(N1+N2), E2 = N2(a+b)/(N1+N2) (Dunning 1993)"


@dataclass(slots=True)
class Trending:
    term: str
    posts: int
    baseline_posts: int
    g2: float
    ratio: float  # relative frequency in the period / in the baseline (inf-safe: +1 smoothing)


def log_likelihood(a: int, b: int, n1: int, n2: int) -> float:
    """Dunning's G² for a term seen ``a`` times out of ``n1`` against ``b`` out of ``n2``."""
    total = n1 + n2
    if total == 0 or a + b == 0:
        return 0.0
    e1, e2 = n1 * (a + b) / total, n2 * (a + b) / total
    return 2 * ((a * math.log(a / e1) if a else 0.0) + (b * math.log(b / e2) if b else 0.0))


def term_counts(conn: Connection, period: Period, banks: list[str] | None) -> Counter[str]:
    counts: Counter[str] = Counter()
    for post in posts_in(conn, period, banks):
        counts.update(terms(post.clean_text or post.text))
    return counts


def rank(now: Counter[str], before: Counter[str], min_count: int = 3, top: int = 20) -> list[Trending]:
    """Terms over-used in ``now`` against ``before``, by G² (highest first)."""
    n1, n2 = sum(now.values()), sum(before.values())
    found = []
    for term, a in now.items():
        b = before.get(term, 0)
        if a < min_count or (n2 and a / n1 <= b / n2):
            continue
        ratio = (a / max(n1, 1)) / ((b + 1) / max(n2 + 1, 1))
        found.append(Trending(term, a, b, round(log_likelihood(a, b, n1, n2), 2), round(ratio, 2)))
    return sorted(found, key=lambda t: (-t.g2, t.term))[:top]


def trending(conn: Connection, period: Period, banks: list[str] | None, baseline: Period | None = None,
             min_count: int = 3, top: int = 20) -> dict[str, Any]:
    """Trending terms of ``banks`` over ``period`` against ``baseline`` (default: the period before)."""
    baseline = baseline or period.previous()
    found = rank(term_counts(conn, period, banks), term_counts(conn, baseline, banks), min_count, top)
    return {"period": period.label, "baseline": baseline.label, "formula": FORMULA,
            "terms": [asdict(t) for t in found]}
