"""Time series of the watch: counters per bucket, computed as posts arrive.

A post adds 1 (and its reach, the author's followers) to one counter per grain (minute, hour, day,
week, month) and per dimension: "all" (the bank's total), entity, topic, platform, language,
sentiment, and topic×sentiment ("digital|negative", which gives the e-reputation per topic).
Minute counters keep only the dimensions a live chart needs (``MINUTE_DIMENSIONS``: all, topic,
sentiment), which halves the rows written per post. Minutes and hours are cut in UTC; days,
weeks (from Monday) and months are local to ``WatchSettings.timezone`` (Europe/Paris), so a French
day is a French day across the change of time. Counters only ever grow by upsert
(``storage.watch_store.add_counters``): adding posts later gives the same series as adding them
all at once, and history is never rescanned.

Imports ``storage.feed`` (the post record), the standard library and ``analytics.errors``.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from veilleur.analytics.errors import BadPeriod
from veilleur.storage.feed import AnalysedPost

GRAINS = ("minute", "hour", "day", "week", "month")
DIMENSIONS = ("all", "entity", "topic", "platform", "language", "sentiment", "topic_sentiment")
MINUTE_DIMENSIONS = frozenset({"all", "topic", "sentiment"})
NO_BANK = ""


@dataclass(frozen=True, slots=True)
class CounterKey:
    grain: str
    bucket: datetime  # UTC instant where the bucket starts
    bank: str
    dimension: str
    value: str


@dataclass(frozen=True, slots=True)
class Point:
    """One bucket of a series: its start (UTC), the posts counted and their summed reach."""

    bucket: datetime
    posts: int
    reach: int


def bucket_start(at: datetime, grain: str, tz: ZoneInfo) -> datetime:
    """The UTC start of the ``grain`` bucket holding ``at``."""
    at = at.astimezone(UTC)
    if grain == "minute":
        return at.replace(second=0, microsecond=0)
    if grain == "hour":
        return at.replace(minute=0, second=0, microsecond=0)
    local = at.astimezone(tz).date()
    if grain == "week":
        local -= timedelta(days=local.weekday())
    elif grain == "month":
        local = local.replace(day=1)
    elif grain != "day":
        raise ValueError(f"unknown grain {grain!r} (one of {', '.join(GRAINS)})")
    return local_midnight(local, tz)


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC)


def dimension_values(post: AnalysedPost) -> list[tuple[str, str]]:
    """The (dimension, value) pairs a post counts in (besides its grain and bank)."""
    pairs = [("all", "*"), ("platform", post.platform), ("language", post.language or ""),
             ("sentiment", post.sentiment or "")]
    if post.entity:
        pairs.append(("entity", post.entity))
    for topic in dict.fromkeys(post.topics):
        pairs.append(("topic", topic))
        pairs.append(("topic_sentiment", f"{topic}|{post.sentiment or ''}"))
    return pairs


def increments(posts: Iterable[AnalysedPost], tz: ZoneInfo) -> dict[CounterKey, tuple[int, int]]:
    """What ``posts`` add to the counters: key → (posts, reach), summed over the batch."""
    counts: Counter[CounterKey] = Counter()
    reach: Counter[CounterKey] = Counter()
    local_buckets: dict[date, tuple[datetime, datetime, datetime]] = {}  # local day → day, week, month starts
    for post in posts:
        at = post.created_at.astimezone(UTC)
        day = at.astimezone(tz).date()
        if day not in local_buckets:
            local_buckets[day] = tuple(bucket_start(at, grain, tz) for grain in ("day", "week", "month"))
        starts = (at.replace(second=0, microsecond=0), at.replace(minute=0, second=0, microsecond=0),
                  *local_buckets[day])
        pairs = dimension_values(post)
        bank = post.bank or NO_BANK
        for grain, start in zip(GRAINS, starts, strict=True):
            for dimension, value in pairs:
                if grain == "minute" and dimension not in MINUTE_DIMENSIONS:
                    continue
                key = CounterKey(grain, start, bank, dimension, value)
                counts[key] += 1
                reach[key] += post.reach
    return {key: (n, reach[key]) for key, n in counts.items()}


@dataclass(frozen=True, slots=True)
class Period:
    """A half-open UTC interval [start, end) with the label the user gave."""

    start: datetime
    end: datetime
    label: str

    def previous(self) -> Period:
        """The period of the same length just before this one."""
        length = self.end - self.start
        return Period(self.start - length, self.start, f"before {self.label}")


def parse_period(text: str, tz: ZoneInfo) -> Period:
    """'2026-10' (a month), '2026-10-09' (a day) or '2026-10-01..2026-10-15' (days, inclusive), local time."""
    try:
        if ".." in text:
            first, last = (date.fromisoformat(part) for part in text.split("..", 1))
            if last < first:
                raise BadPeriod(f"period {text!r}: the end is before the start")
            return Period(local_midnight(first, tz), local_midnight(last + timedelta(days=1), tz), text)
        if len(text) == 7:
            first = date.fromisoformat(f"{text}-01")
            following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
            return Period(local_midnight(first, tz), local_midnight(following, tz), text)
        day = date.fromisoformat(text)
        return Period(local_midnight(day, tz), local_midnight(day + timedelta(days=1), tz), text)
    except ValueError as exc:
        raise BadPeriod(f"period {text!r} is not YYYY-MM, YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD") from exc
