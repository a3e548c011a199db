"""E-reputation: the balance of positive and negative conversations, its interval, change and trend.

Formulas (also given in every result's ``formula`` field):

- net sentiment  N = (P − Q) / n, where P positive, Q negative and n all posts (neutral included);
  between −1 (all negative) and +1 (all positive);
- reach-weighted Nw = (reach of positive − reach of negative) / reach of all, reach being the
  author's followers (0 when unknown);
- interval: N ± z·√(V/n) with V = p + q − (p − q)², p = P/n, q = Q/n (the variance of the
  difference of two proportions of one multinomial sample, normal approximation); z from the
  confidence level (1.96 at 95 %). Nw gets no interval: a few big accounts carry it;
- change between two periods: d = N₁ − N₂, z = d / √(V₁/n₁ + V₂/n₂); significant when |z| ≥ z(level);
- trend: the weekly (or daily for a period under two weeks) N with their intervals, and the
  direction: the change test between the period's first and second half.

Counts come from the watch's counters (``storage.watch_store``), never from rescanning posts.
Imports ``analytics.series``, ``storage.watch_store``, scipy and the standard library.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from scipy.stats import norm
from sqlalchemy.engine import Connection

from veilleur.analytics.series import Period
from veilleur.storage import watch_store

FORMULA = ("net = (positive - negative) / all; interval = net ± z·sqrt((p + q - (p - q)²) / n) with p, q the "
           "shares of positive and negative posts; reach-weighted net = (reach positive - reach negative) / reach all; "
           "change significant when |d| / sqrt(V1/n1 + V2/n2) ≥ z")


@dataclass(slots=True)
class Balance:
    """Positive, negative and all posts (and their reach) over one span."""

    positive: int = 0
    negative: int = 0
    posts: int = 0
    reach_positive: int = 0
    reach_negative: int = 0
    reach: int = 0

    @property
    def net(self) -> float | None:
        return (self.positive - self.negative) / self.posts if self.posts else None

    @property
    def net_weighted(self) -> float | None:
        return (self.reach_positive - self.reach_negative) / self.reach if self.reach else None

    @property
    def variance(self) -> float | None:
        """V of the module docstring (per post); V / n is the variance of the net."""
        if not self.posts:
            return None
        p, q = self.positive / self.posts, self.negative / self.posts
        return max(p + q - (p - q) ** 2, 0.0)

    def interval(self, z: float) -> tuple[float, float] | None:
        if not self.posts:
            return None
        half = z * math.sqrt(self.variance / self.posts)
        return (round(max(-1.0, self.net - half), 4), round(min(1.0, self.net + half), 4))


@dataclass(slots=True)
class Change:
    difference: float
    z: float
    significant: bool


@dataclass(slots=True)
class Reputation:
    bank: str | None
    period: str
    start: datetime
    end: datetime
    level: float
    balance: Balance
    net: float | None
    interval: tuple[float, float] | None
    net_weighted: float | None
    previous_net: float | None
    change: Change | None
    trend: list[dict[str, Any]] = field(default_factory=list)
    direction: str = "flat"
    formula: str = FORMULA

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["start"], data["end"] = self.start.isoformat(), self.end.isoformat()
        return data


def z_of(level: float) -> float:
    return float(norm.ppf(0.5 + level / 2))


def compare(later: Balance, earlier: Balance, z: float) -> Change | None:
    """The change test of the module docstring (None when a side has no post)."""
    if not later.posts or not earlier.posts:
        return None
    d = later.net - earlier.net
    se = math.sqrt(later.variance / later.posts + earlier.variance / earlier.posts)
    score = d / se if se > 0 else (0.0 if d == 0 else math.copysign(math.inf, d))
    return Change(round(d, 4), round(score, 2) if math.isfinite(score) else score, abs(score) >= z)


def balance(conn: Connection, start: datetime, end: datetime, banks: list[str] | None, topic: str | None = None,
            grain: str = "hour") -> Balance:
    """Counts of one span from the counters (``topic``: that topic's posts only)."""
    if topic is None:
        rows = watch_store.totals(conn, grain, start, end, "sentiment", banks)
        by_sentiment = {}
        for (_bank, sentiment), (n, r) in rows.items():
            a, b = by_sentiment.get(sentiment, (0, 0))
            by_sentiment[sentiment] = (a + n, b + r)
    else:
        rows = watch_store.totals(conn, grain, start, end, "topic_sentiment", banks)
        by_sentiment = {}
        for (_bank, value), (n, r) in rows.items():
            name, _, sentiment = value.partition("|")
            if name == topic:
                a, b = by_sentiment.get(sentiment, (0, 0))
                by_sentiment[sentiment] = (a + n, b + r)
    pos, neg = by_sentiment.get("positive", (0, 0)), by_sentiment.get("negative", (0, 0))
    return Balance(pos[0], neg[0], sum(n for n, _ in by_sentiment.values()), pos[1], neg[1],
                   sum(r for _, r in by_sentiment.values()))


def reputation(conn: Connection, period: Period, banks: list[str] | None, *, bank: str | None = None,
               level: float = 0.95, topic: str | None = None) -> Reputation:
    """The e-reputation of ``banks`` (a bank and its regional banks; None = every post) over ``period``."""
    z = z_of(level)
    now = balance(conn, period.start, period.end, banks, topic)
    before = period.previous()
    earlier = balance(conn, before.start, before.end, banks, topic)
    step = timedelta(days=7) if period.end - period.start >= timedelta(days=14) else timedelta(days=1)
    trend, cursor = [], period.start
    while cursor < period.end:
        stop = min(cursor + step, period.end)
        part = balance(conn, cursor, stop, banks, topic)
        trend.append({"start": cursor.isoformat(), "posts": part.posts,
                      "net": None if part.net is None else round(part.net, 4), "interval": part.interval(z)})
        cursor = stop
    middle = period.start + (period.end - period.start) / 2
    halves = compare(balance(conn, middle, period.end, banks, topic), balance(conn, period.start, middle, banks, topic),
                     z)
    direction = "flat" if halves is None or not halves.significant else ("up" if halves.difference > 0 else "down")
    return Reputation(bank=bank, period=period.label, start=period.start, end=period.end, level=level, balance=now,
                      net=None if now.net is None else round(now.net, 4), interval=now.interval(z),
                      net_weighted=None if now.net_weighted is None else round(now.net_weighted, 4),
                      previous_net=None if earlier.net is None else round(earlier.net, 4),
                      change=compare(now, earlier, z), trend=trend, direction=direction)
