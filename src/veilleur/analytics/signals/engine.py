"""The watcher: every enabled detector over one stream of posts, in time order.

Imports the detectors of ``analytics.signals``, ``analytics.settings`` and the standard library.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from veilleur.analytics.settings import WatchSettings
from veilleur.analytics.signals.base import Firing, observe
from veilleur.analytics.signals.bursts import BurstDetector
from veilleur.analytics.signals.emerging import EmergingTermDetector
from veilleur.analytics.signals.phishing import PhishingDetector
from veilleur.analytics.signals.rumours import RumorDetector
from veilleur.analytics.signals.sentiment import SentimentShiftDetector


class Watcher:
    """Runs the detectors enabled in ``WatchSettings`` over posts given one at a time.

    ``networks`` (bank → network, ``analytics.banks.networks``) rolls regional banks up for rumours;
    ``official`` (``analytics.banks.official_handles``) are the banks' own accounts, never counted as reporters.
    """

    def __init__(self, settings: WatchSettings, networks: dict[str, str] | None = None,
                 official: frozenset[str] = frozenset()):
        self.bursts = BurstDetector(settings.bursts)
        self.shifts = SentimentShiftDetector(settings.sentiment_shift)
        self.terms = EmergingTermDetector(settings.emerging_terms)
        self.rumors = RumorDetector(settings.rumors, networks)
        self.phishing = PhishingDetector(settings.phishing, networks, official)
        enabled = [(settings.bursts.enabled, self.bursts), (settings.sentiment_shift.enabled, self.shifts),
                   (settings.emerging_terms.enabled, self.terms), (settings.rumors.enabled, self.rumors),
                   (settings.phishing.enabled, self.phishing)]
        self.detectors = [detector for on, detector in enabled if on]

    def observe(self, post: Any) -> list[Firing]:
        """Feed one analysed post (``storage.feed.AnalysedPost`` or alike); returns what fired."""
        obs = observe(post)
        firings: list[Firing] = []
        for detector in self.detectors:
            firings.extend(detector.observe(obs))
        return firings

    def run(self, posts: Iterable[Any]) -> list[Firing]:
        """Feed posts in order; every firing, in order."""
        firings: list[Firing] = []
        for post in posts:
            firings.extend(self.observe(post))
        return firings
