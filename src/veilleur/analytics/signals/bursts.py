"""Volume bursts per bank and per bank+topic against a seasonal baseline.

The baseline knows the hour of the day and the day of the week: the expected posts per hour at
hour H are the mean, over the previous ``baseline_weeks`` weeks (the largest left out from three
weeks on), of each week's count at the same weekday and hour (the largest of the hour and its two
neighbours, which absorbs the change of time), never below ``floor_per_hour``. A
window of ``window_minutes`` is a burst when its count is beyond the negative-binomial tail
(mean = expected × window, size ``dispersion``, overdispersed as real traffic is) at ``alpha``, and
at least ``min_count`` posts by ``min_authors`` authors. A second, longer window
(``long_window_minutes``, at least ``long_min_count`` posts) catches what builds up slowly, such as
a phishing wave reported one person at a time. A topic's burst is a crisis only when both its
posts and the bank's whole conversation over the window lean negative: the sour comments on fees
under a welcomed sponsorship announcement are not a crisis. So a Monday 9:00 peak that comes every
Monday is expected, and the same count on a Saturday night is not.

Imports ``analytics.signals.base``, ``analytics.settings``, ``core.alert``, scipy and the standard library.
"""
from __future__ import annotations

from collections import deque
from functools import lru_cache

from scipy.stats import nbinom

from veilleur.analytics.settings import BurstSettings
from veilleur.analytics.signals.base import Firing, Observation, dominant_topic, mix_severity
from veilleur.core.alert import AlertKind, Explanation

WEEK_HOURS = 168
REFIRE_S = 300  # a subject that fired is re-checked at most every five minutes (merges do the rest)


@lru_cache(maxsize=4096)
def tail_threshold(mean: float, size: float, alpha: float) -> int:
    """The smallest count k with P(X ≥ k) ≤ alpha for a negative binomial of this mean and size."""
    p = size / (size + mean)
    return int(nbinom.isf(alpha, size, p)) + 1


class SeasonalCounts:
    """Posts per epoch hour of one subject, kept for the baseline weeks only."""

    __slots__ = ("hours",)

    def __init__(self) -> None:
        self.hours: dict[int, int] = {}

    def add(self, hour: int, n: int = 1) -> None:
        self.hours[hour] = self.hours.get(hour, 0) + n

    def expected_per_hour(self, hour: int, weeks: int, first_hour: int) -> float | None:
        """Posts expected at ``hour`` from past weeks; None without a full past week.

        Each past week gives the largest count of the same weekday's hour and its two neighbours
        (which absorbs the change of time and a peak a few minutes early or late); with three weeks
        or more the largest week is left out (a past crisis does not teach the baseline).
        """
        values = []
        for k in range(1, weeks + 1):
            same = hour - WEEK_HOURS * k
            if same - 1 < first_hour:
                break
            values.append(max(self.hours.get(same - 1, 0), self.hours.get(same, 0), self.hours.get(same + 1, 0)))
        if not values:
            return None
        if len(values) >= 3:
            values.remove(max(values))
        return sum(values) / len(values)

    def prune(self, before_hour: int) -> None:
        for hour in [h for h in self.hours if h < before_hour]:
            del self.hours[hour]


class BurstDetector:
    """Volume bursts per bank (``bank=X``) and per bank and topic (``bank=X|topic=T``)."""

    def __init__(self, settings: BurstSettings):
        self.settings = settings
        self.counts: dict[str, SeasonalCounts] = {}
        self.windows: dict[tuple[str, int], deque[Observation]] = {}
        self.spans = [(settings.window_minutes, settings.min_count),
                      (settings.long_window_minutes, settings.long_min_count)]
        self.last_fired: dict[str, float] = {}
        self.first_hour: int | None = None
        self._pruned_at = 0

    def subjects(self, obs: Observation) -> list[tuple[str, str | None]]:
        if not obs.bank:
            return []
        return [(f"bank={obs.bank}", None)] + [(f"bank={obs.bank}|topic={t}", t) for t in obs.topics]

    def warm(self, subject: str, hour: int, n: int) -> None:
        """Add ``n`` past posts at ``hour`` to the baseline (from the stored hourly counters)."""
        self.counts.setdefault(subject, SeasonalCounts()).add(hour, n)
        self.first_hour = hour if self.first_hour is None else min(self.first_hour, hour)

    def observe(self, obs: Observation) -> list[Firing]:
        if self.first_hour is None:
            self.first_hour = obs.hour
        self._prune(obs.hour)
        firings = []
        for subject, topic in self.subjects(obs):
            counts = self.counts.get(subject)
            if counts is None:
                counts = self.counts[subject] = SeasonalCounts()
            counts.add(obs.hour)
            fired = obs.ts - self.last_fired.get(subject, -1e18) < REFIRE_S
            for minutes, min_count in self.spans:
                window = self.windows.get((subject, minutes))
                if window is None:
                    window = self.windows[(subject, minutes)] = deque()
                window.append(obs)
                while window[0].ts <= obs.ts - minutes * 60:
                    window.popleft()
                if len(window) >= min_count and not fired:
                    firing = self._judge(subject, topic, obs, list(window), minutes, min_count)
                    if firing is not None:
                        self.last_fired[subject] = obs.ts
                        fired = True
                        firings.append(firing)
        return firings

    def _judge(self, subject: str, topic: str | None, obs: Observation, window: list[Observation], minutes: int,
               min_count: int) -> Firing | None:
        s = self.settings
        if len({o.author for o in window}) < s.min_authors:
            return None
        per_hour = self.counts[subject].expected_per_hour(obs.hour, s.baseline_weeks, self.first_hour or obs.hour)
        expected = max(per_hour or 0.0, s.floor_per_hour) * minutes / 60
        threshold = max(tail_threshold(round(expected, 2), s.dispersion, s.alpha), min_count)
        if len(window) < threshold:
            return None
        severity = mix_severity(window, len(window) / threshold)
        if topic is not None:  # a topic's tone is judged with the bank's whole conversation (see module doc)
            conversation = list(self.windows.get((f"bank={obs.bank}", minutes), window))
            severity = min(severity, mix_severity(conversation, len(window) / threshold), key=lambda v: v.rank)
        what = f"sujet « {topic} »" if topic else "volume"
        return Firing(
            kind=AlertKind.VOLUME_BURST, subject=subject, bank=obs.bank, entity=obs.entity, severity=severity,
            title=f"Pic de {what} sur {obs.bank} : {len(window)} posts en {minutes} min",
            explanation=Explanation(
                observed=len(window), expected=round(expected, 2), threshold=threshold,
                window_s=minutes * 60, measure=f"messages en {minutes} min",
                details={"baseline": "trimmed mean at this weekday and hour (±1 h) over past weeks"
                         if per_hour is not None else "no history yet: floor rate",
                         "baseline_weeks": s.baseline_weeks, "alpha": s.alpha, "dispersion": s.dispersion}),
            post_ids=[o.post_id for o in window], at=obs.at, topic=topic or dominant_topic(window))

    def _prune(self, hour: int) -> None:
        if hour - self._pruned_at < 24:
            return
        self._pruned_at = hour
        keep_from = hour - WEEK_HOURS * self.settings.baseline_weeks - 2
        for counts in self.counts.values():
            counts.prune(keep_from)
