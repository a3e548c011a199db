"""Sentiment shift: the share of negative posts about a bank rising beyond its usual band.

The usual share p0 is the bank's share of negative posts over the previous ``baseline_days`` days
(smoothed towards 0.4 with 20 pseudo-posts so that a young history does not give 0 or 1). Over the
last ``window_minutes``, n posts of which k negative give p = k / n; a shift is
p − p0 ≥ ``min_delta`` and z = (p − p0) / √(p0 (1 − p0) / n) ≥ ``z`` with n ≥ ``min_posts``.

Imports ``analytics.signals.base``, ``analytics.settings``, ``core.alert`` and the standard library.
"""
from __future__ import annotations

import math
from collections import deque

from veilleur.analytics.settings import SentimentShiftSettings
from veilleur.analytics.signals.base import Firing, Observation, dominant_topic
from veilleur.core.alert import AlertKind, Explanation, Severity

PRIOR_SHARE, PRIOR_WEIGHT = 0.4, 20
REFIRE_S = 600


class SentimentShiftDetector:
    def __init__(self, settings: SentimentShiftSettings):
        self.settings = settings
        self.days: dict[str, dict[int, list[int]]] = {}  # bank → day → [negative, all]
        self.windows: dict[str, deque[Observation]] = {}
        self.last_fired: dict[str, float] = {}

    def warm(self, bank: str, day: int, negative: int, total: int) -> None:
        counts = self.days.setdefault(bank, {}).setdefault(day, [0, 0])
        counts[0] += negative
        counts[1] += total

    def usual_share(self, bank: str, day: int) -> float:
        negative = total = 0
        for d, (k, n) in self.days.get(bank, {}).items():
            if day - self.settings.baseline_days <= d < day:
                negative += k
                total += n
        return (negative + PRIOR_SHARE * PRIOR_WEIGHT) / (total + PRIOR_WEIGHT)

    def observe(self, obs: Observation) -> list[Firing]:
        if not obs.bank:
            return []
        self.warm(obs.bank, obs.day, int(obs.sentiment == "negative"), 1)
        window = self.windows.setdefault(obs.bank, deque())
        window.append(obs)
        while window[0].ts <= obs.ts - self.settings.window_minutes * 60:
            window.popleft()
        s = self.settings
        if len(window) < s.min_posts or obs.ts - self.last_fired.get(obs.bank, -1e18) < REFIRE_S:
            return []
        negative = sum(1 for o in window if o.sentiment == "negative")
        share, usual = negative / len(window), self.usual_share(obs.bank, obs.day)
        z = (share - usual) / math.sqrt(usual * (1 - usual) / len(window))
        if share - usual < s.min_delta or z < s.z:
            return []
        self.last_fired[obs.bank] = obs.ts
        band = usual + max(s.min_delta, s.z * math.sqrt(usual * (1 - usual) / len(window)))
        severity = Severity.CRITICAL if share >= 0.8 and len(window) >= 2 * s.min_posts else Severity.WARNING
        return [Firing(
            kind=AlertKind.SENTIMENT_SHIFT, subject=f"bank={obs.bank}|sentiment", bank=obs.bank, entity=obs.entity,
            severity=severity, title=f"{obs.bank} : {share:.0%} de posts négatifs (d'habitude {usual:.0%})",
            explanation=Explanation(
                observed=round(share, 3), expected=round(usual, 3), threshold=round(band, 3),
                window_s=s.window_minutes * 60, measure="part de messages négatifs",
                details={"posts": len(window), "negative": negative, "z": round(z, 2),
                         "baseline_days": s.baseline_days}),
            post_ids=[o.post_id for o in window if o.sentiment == "negative"], at=obs.at,
            topic=dominant_topic(list(window)))]
