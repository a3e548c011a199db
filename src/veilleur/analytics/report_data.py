"""The figures of a monthly report, gathered once and shared by the HTML page and the PNG charts.

What is measured, for a bank (with the regional banks of its network) over a period:

- volume per local day, split by sentiment, and against the previous period of the same length;
- e-reputation: net sentiment = (positive − negative) / all posts, in points, with a normal
  (Wald) interval at ``WatchSettings.confidence``: the variance of the difference of two shares
  of one multinomial sample is (p₊ + p₋ − (p₊ − p₋)²) / n; also weighted by reach (followers),
  and per week;
- share of voice against the competitors configured (``organisation.brands``, kind
  ``competitor``), by posts and by reach, overall and per topic;
- top topics with their net sentiment, trending terms by log-likelihood (Dunning's G²) against
  the previous period, or against the competitors' posts when there is no previous period;
- alerts and incidents of the period (``storage.watch_store``), opinion leaders (the
  ``watch.opinion_leaders`` list, and authors whose bio says journalist, analyst, investor or
  blogger and who have at least ``watch.leader_min_followers`` followers).

The measures are computed here from the posts of the period (``storage.feed``) rather than from
the watch's counters: a report reads one month once, and this keeps the page and its charts on
exactly the same posts. Imports ``core``, ``analytics.series`` (periods), ``analytics.text``
(terms), ``storage.feed``, ``storage.watch_store`` and the standard library.
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import NormalDist
from zoneinfo import ZoneInfo

from veilleur.analytics.series import Period, parse_period
from veilleur.analytics.text import terms, tokens
from veilleur.core.alert import Alert, Incident
from veilleur.storage import watch_store
from veilleur.storage.feed import AnalysedPost, posts_by_id

LEADER_WORDS = ("journaliste", "journalist", "rédact", "reporter", "analyste", "analyst", "investisseu", "investor",
                "blogueu", "blogger", "éditorialiste", "chroniqueu", "économiste")
MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
             "novembre", "décembre")
PAGE = 1000


@dataclass(slots=True)
class Reputation:
    """Net sentiment of a set of posts, in points (−100..100), with its interval."""

    posts: int
    positive: int
    negative: int
    net: float
    low: float
    high: float
    net_by_reach: float


@dataclass(slots=True)
class Leader:
    handle: str
    name: str | None
    followers: int
    posts: int
    net: float
    why: str
    url: str | None


@dataclass(slots=True)
class ReportFigures:
    """Everything a report shows; ``previous`` figures are None when the previous period has no post."""

    bank: str
    banks: list[str]
    competitors: list[str]
    period: Period
    period_label: str
    posts: int
    previous_posts: int
    daily: list[tuple[date, int, int, int]]  # day, positive, neutral (or unlabelled), negative
    reputation: Reputation
    previous_reputation: Reputation | None
    weekly: list[tuple[date, Reputation]]
    share_of_voice: list[tuple[str, int, int]]  # brand, posts, reach
    share_by_topic: dict[str, dict[str, int]]  # topic → brand → posts
    topics: list[tuple[str, int, float]]  # topic, posts, net
    trending: list[tuple[str, int, int, float]]  # term, count, baseline count, G²
    trending_baseline: str
    alerts: list[Alert] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)
    leaders: list[Leader] = field(default_factory=list)
    confidence: float = 0.95
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/Paris"))


def month_label(period: Period, zone: ZoneInfo) -> str:
    """'octobre 2026' for a month, else 'du 01/10/2026 au 15/10/2026'."""
    first = period.start.astimezone(zone).date()
    last = (period.end.astimezone(zone) - timedelta(seconds=1)).date()
    if first.day == 1 and (last + timedelta(days=1)).day == 1 and first.month == last.month:
        return f"{MONTHS_FR[first.month - 1]} {first.year}"
    return f"du {first:%d/%m/%Y} au {last:%d/%m/%Y}"


def reputation(posts: list[AnalysedPost], confidence: float) -> Reputation:
    n = len(posts)
    positive = sum(p.sentiment == "positive" for p in posts)
    negative = sum(p.sentiment == "negative" for p in posts)
    if n == 0:
        return Reputation(0, 0, 0, 0.0, 0.0, 0.0, 0.0)
    p_pos, p_neg = positive / n, negative / n
    net = p_pos - p_neg
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    half = z * math.sqrt(max(p_pos + p_neg - net * net, 0.0) / n)
    weights = [max(p.reach, 1) for p in posts]  # an author with no known followers still counts once
    signed = sum(w * ((p.sentiment == "positive") - (p.sentiment == "negative")) for w, p in zip(weights, posts,
                                                                                                   strict=True))
    return Reputation(n, positive, negative, round(100 * net, 1), round(100 * max(net - half, -1), 1),
                      round(100 * min(net + half, 1), 1), round(100 * signed / sum(weights), 1))


def posts_between(conn, start: datetime, end: datetime) -> list[AnalysedPost]:
    """Every analysed post created in [start, end), in id order."""
    ids = watch_store.post_ids_between(conn, start, end)
    found: list[AnalysedPost] = []
    for first in range(0, len(ids), PAGE):
        found += posts_by_id(conn, ids[first:first + PAGE])
    return found


def network(settings, bank: str) -> list[str]:
    """The bank and the brands that roll up to it (its regional banks)."""
    return [bank] + [b.name for b in settings.organisation.brands if b.network == bank and b.name != bank]


def competitors(settings, bank: str) -> list[str]:
    own = set(network(settings, bank))
    return [b.name for b in settings.organisation.brands
            if b.kind == "competitor" and b.network is None and b.name not in own]


def _brand_of(post: AnalysedPost, rollup: dict[str, str]) -> str | None:
    return rollup.get(post.bank or "")


def gather(conn, settings, bank: str, period_text: str) -> ReportFigures:
    """Compute the figures of ``bank`` over ``period_text`` ('2026-10', a day or 'D1..D2')."""
    zone = ZoneInfo(settings.watch.timezone)
    period = parse_period(period_text, zone)
    banks, rivals = network(settings, bank), competitors(settings, bank)
    rollup = {name: bank for name in banks}
    for rival in rivals:
        rollup.update({name: rival for name in network(settings, rival)})
    everything = posts_between(conn, period.start, period.end)
    own = [p for p in everything if p.bank in banks]
    before = [p for p in posts_between(conn, *_previous(period)) if p.bank in banks]
    confidence = settings.watch.confidence
    rival_posts = [p for p in everything if p.bank in rollup and p.bank not in banks]
    trending, baseline = trending_terms(own, before, rival_posts, brand_words(settings, list(rollup)))
    alerts = watch_store.alerts(conn, start=period.start, end=period.end, banks=banks)
    incidents = watch_store.incidents(conn, start=period.start, end=period.end, banks=banks)
    return ReportFigures(
        bank=bank, banks=banks, competitors=rivals, period=period, period_label=month_label(period, zone),
        posts=len(own), previous_posts=len(before), daily=daily(own, period, zone),
        reputation=reputation(own, confidence), previous_reputation=reputation(before, confidence) if before else None,
        weekly=weekly(own, zone, confidence), share_of_voice=share_of_voice(everything, rollup, [bank, *rivals]),
        share_by_topic=share_by_topic(everything, rollup), topics=top_topics(own), trending=trending,
        trending_baseline=baseline, alerts=alerts, incidents=incidents, leaders=leaders(own, settings.watch),
        confidence=confidence, zone=zone)


def _previous(period: Period) -> tuple[datetime, datetime]:
    previous = period.previous()
    return previous.start, previous.end


def daily(posts: list[AnalysedPost], period: Period, zone: ZoneInfo) -> list[tuple[date, int, int, int]]:
    counts: dict[date, Counter] = defaultdict(Counter)
    for p in posts:
        counts[p.created_at.astimezone(zone).date()][p.sentiment or "neutral"] += 1
    day, last = period.start.astimezone(zone).date(), (period.end.astimezone(zone) - timedelta(seconds=1)).date()
    rows = []
    while day <= last:
        c = counts.get(day, Counter())
        rows.append((day, c["positive"], sum(c.values()) - c["positive"] - c["negative"], c["negative"]))
        day += timedelta(days=1)
    return rows


def weekly(posts: list[AnalysedPost], zone: ZoneInfo, confidence: float) -> list[tuple[date, Reputation]]:
    weeks: dict[date, list[AnalysedPost]] = defaultdict(list)
    for p in posts:
        local = p.created_at.astimezone(zone).date()
        weeks[local - timedelta(days=local.weekday())].append(p)
    return [(week, reputation(weeks[week], confidence)) for week in sorted(weeks)]


def share_of_voice(posts: list[AnalysedPost], rollup: dict[str, str], brands: list[str]) -> list[tuple[str, int, int]]:
    count, reach = Counter(), Counter()
    for p in posts:
        brand = _brand_of(p, rollup)
        if brand:
            count[brand] += 1
            reach[brand] += p.reach
    return [(b, count[b], reach[b]) for b in brands]


def share_by_topic(posts: list[AnalysedPost], rollup: dict[str, str]) -> dict[str, dict[str, int]]:
    table: dict[str, Counter] = defaultdict(Counter)
    for p in posts:
        brand = _brand_of(p, rollup)
        for topic in p.topics if brand else ():
            table[topic][brand] += 1
    ranked = sorted(table, key=lambda t: -sum(table[t].values()))
    return {t: dict(table[t]) for t in ranked}


def top_topics(posts: list[AnalysedPost], limit: int = 8) -> list[tuple[str, int, float]]:
    by_topic: dict[str, list[AnalysedPost]] = defaultdict(list)
    for p in posts:
        for topic in p.topics:
            by_topic[topic].append(p)
    ranked = sorted(by_topic, key=lambda t: (-len(by_topic[t]), t))[:limit]
    return [(t, len(by_topic[t]), reputation(by_topic[t], 0.95).net) for t in ranked]


def g2(a: int, b: int, total_a: int, total_b: int) -> float:
    """Dunning's log-likelihood of a term seen ``a`` times in one corpus and ``b`` in the other."""
    expected_a = total_a * (a + b) / (total_a + total_b)
    expected_b = total_b * (a + b) / (total_a + total_b)
    value = (a * math.log(a / expected_a) if a else 0.0) + (b * math.log(b / expected_b) if b else 0.0)
    return 2 * value


def brand_words(settings, brands: list[str]) -> frozenset[str]:
    """The words of the banks' names, handles and hashtags: a bank's own name is no trend."""
    words: set[str] = set()
    for brand in settings.organisation.brands:
        if brand.name in brands:
            for alias in [brand.name, *brand.exact_aliases, *brand.handles, *brand.hashtags]:
                words.update(w.lstrip("#@") for w in tokens(alias))
    return frozenset(w for w in words if len(w) > 2)


def trending_terms(posts: list[AnalysedPost], previous: list[AnalysedPost], others: list[AnalysedPost],
                   ignored: frozenset[str] = frozenset(), limit: int = 15,
                   min_count: int = 3) -> tuple[list[tuple[str, int, int, float]], str]:
    """Terms said more than usual (G² ≥ 3.84, p < 0.05), against the previous period or the competitors.

    Terms holding a word of ``ignored`` (the banks' own names) are left out.
    """
    baseline, label = (previous, "la période précédente") if len(previous) >= 50 else (others, "les concurrents")
    seen = Counter(t for p in posts for t in terms(p.clean_text or p.text))
    usual = Counter(t for p in baseline for t in terms(p.clean_text or p.text))
    total_a, total_b = max(sum(seen.values()), 1), max(sum(usual.values()), 1)
    found = []
    for term, count in seen.items():
        if any(word.lstrip("#") in ignored for word in term.split()):
            continue
        if count >= min_count and count / total_a > usual[term] / total_b:
            score = g2(count, usual[term], total_a, total_b)
            if score >= 3.84:
                found.append((term, count, usual[term], round(score, 1)))
    found.sort(key=lambda row: (-row[3], row[0]))
    return found[:limit], label


def _shorten(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit].rsplit(" ", 1)[0] + "…"


def leaders(posts: list[AnalysedPost], watch, limit: int = 10) -> list[Leader]:
    listed = {h.lower().lstrip("@") for h in watch.opinion_leaders}
    by_author: dict[str, list[AnalysedPost]] = defaultdict(list)
    for p in posts:
        if p.author_handle:
            by_author[p.author_handle].append(p)
    found = []
    for handle, written in by_author.items():
        last = written[-1]
        bio = (last.author_bio or "").lower()
        if handle.lower().lstrip("@") in listed:
            why = "liste des leaders d'opinion"
        elif last.reach >= watch.leader_min_followers and any(w in bio for w in LEADER_WORDS):
            why = "profil : " + _shorten(last.author_bio or "", 110)
        else:
            continue
        found.append(Leader(handle, last.author_name, last.reach, len(written),
                            reputation(written, 0.95).net, why, last.url))
    return sorted(found, key=lambda leader: (-leader.followers, leader.handle))[:limit]
