"""Emerging terms: a word or hashtag absent from the baseline that suddenly appears, or bursts.

A term (content word or hashtag of ``analytics.text.terms``, no two-word phrases here) is
*emerging* when, over the last ``window_minutes``, at least ``min_count`` posts by ``min_authors``
authors use it and the previous ``baseline_days`` days had at most ``max_baseline`` of them; a
known term *bursts* when its window count is ``burst_ratio`` times its usual rate. All the terms of
one bank merge into one subject (``bank=X|terms``), so a crisis's vocabulary makes one alert.
Its severity is judged on the posts using the term *and* on the whole conversation about the
bank over the window (the lesser of the two, at most warning): six people repeating one sour
joke under a welcomed sponsorship is not a crisis, the same word in a bank-wide wave of
complaints is. The bank's own name (its words and its hashtag) is not a term of its posts: a
burst of the name is a volume burst, which ``bursts`` judges with its seasonal baseline.

Imports ``analytics.signals.base``, ``analytics.settings``, ``core.alert`` and the standard library.
"""
from __future__ import annotations

from collections import Counter, deque

from veilleur.analytics.settings import EmergingTermSettings
from veilleur.analytics.signals.base import DAY, Firing, Observation, dominant_topic, mix_severity
from veilleur.analytics.text import tokens
from veilleur.core.alert import AlertKind, Explanation, Severity

REFIRE_S = 600


class EmergingTermDetector:
    def __init__(self, settings: EmergingTermSettings):
        self.settings = settings
        self.days: dict[str, Counter[int]] = {}  # term → day → posts
        self.windows: dict[str, deque[Observation]] = {}
        self.last_fired: dict[str, float] = {}
        self.banks: dict[str, deque[Observation]] = {}  # bank → its posts over the window
        self.names: dict[str | None, frozenset[str]] = {None: frozenset()}  # bank → the words of its name
        self._pruned_day = 0

    def baseline(self, term: str, day: int) -> int:
        counts = self.days.get(term)
        if not counts:
            return 0
        return sum(n for d, n in counts.items() if day - self.settings.baseline_days <= d < day)

    def observe(self, obs: Observation) -> list[Firing]:
        s = self.settings
        day = obs.day
        self._prune(day)
        firings = []
        if obs.bank:
            conversation = self.banks.setdefault(obs.bank, deque())
            conversation.append(obs)
            while conversation[0].ts <= obs.ts - s.window_minutes * 60:
                conversation.popleft()
        name = self.names.get(obs.bank)
        if name is None:
            words = tokens(obs.bank)
            name = self.names[obs.bank] = frozenset([*words, "#" + "".join(words)])
        for term in obs.words:
            if " " in term or (len(term) < s.min_length and not term.startswith("#")) or term in name:
                continue
            counts = self.days.get(term)
            if counts is None:
                counts = self.days[term] = Counter()
            counts[day] += 1
            window = self.windows.get(term)
            if window is None:
                window = self.windows[term] = deque()
            window.append(obs)
            while window[0].ts <= obs.ts - s.window_minutes * 60:
                window.popleft()
            if len(window) >= s.min_count and obs.bank and obs.ts - self.last_fired.get(term, -1e18) >= REFIRE_S:
                firing = self._judge(term, obs, list(window))
                if firing is not None:
                    self.last_fired[term] = obs.ts
                    firings.append(firing)
        return firings

    def _judge(self, term: str, obs: Observation, window: list[Observation]) -> Firing | None:
        s = self.settings
        if len({o.author for o in window}) < s.min_authors:
            return None
        past = self.baseline(term, obs.day)
        expected = past / (s.baseline_days * DAY) * s.window_minutes * 60
        emerging = past <= s.max_baseline
        if not emerging and len(window) < s.burst_ratio * max(expected, 0.1):
            return None
        threshold = s.min_count if emerging else round(s.burst_ratio * max(expected, 0.1), 2)
        return Firing(
            kind=AlertKind.EMERGING_TERM, subject=f"bank={obs.bank}|terms", bank=obs.bank, entity=obs.entity,
            severity=min(mix_severity(list(self.banks[obs.bank]), 1.0), mix_severity(window, 1.0), Severity.WARNING,
                         key=lambda v: v.rank),
            title=f"Terme {'émergent' if emerging else 'en forte hausse'} « {term} » ({obs.bank})",
            explanation=Explanation(
                observed=len(window), expected=round(expected, 3), threshold=threshold,
                window_s=s.window_minutes * 60, measure=f"messages avec « {term} » en {s.window_minutes} min",
                details={"term": term, "baseline_posts": past, "baseline_days": s.baseline_days,
                         "emerging": emerging}),
            post_ids=[o.post_id for o in window], at=obs.at, topic=dominant_topic(window))

    def _prune(self, day: int) -> None:
        if day - self._pruned_day < 7:
            return
        self._pruned_day = day
        oldest = day - self.settings.baseline_days - 1
        for term in list(self.days):
            counts = self.days[term]
            for d in [d for d in counts if d < oldest]:
                del counts[d]
            if not counts and not self.windows.get(term):
                del self.days[term]
                self.windows.pop(term, None)
