"""Rumour clusters: many authors posting the same or a paraphrased claim about a bank.

Three ways in, one subject per bank (``bank=X|rumor``, regional banks rolled up to their network):
- the ``rumor`` intent of the analysis (paraphrases included): at least ``min_authors`` distinct
  authors of rumour posts about the bank over ``window_minutes``;
- solvency claims (``CLAIMS``: failure, bank run, frozen withdrawals, "take your money out"),
  whatever intent the analysis gave: ``claim_min_authors`` distinct authors are enough, since
  such claims are rare in everyday posts and the most costly to notice late;
- near-duplicates: posts whose 64-bit SimHash differ by at most ``max_hamming`` bits join one
  cluster (candidates found by locality-sensitive hashing on four 16-bit bands); a cluster of
  ``copy_min_authors`` distinct authors is a copy campaign when at least half its posts are
  rumours or negative (copies of a praise are a buzz, not a rumour).
The firing gives the first post, the authors, and the spread speed (authors per hour since the first).

Imports ``analytics.signals.base``, ``analytics.settings``, ``core.alert`` and the standard library.
"""
from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field

from veilleur.analytics.settings import RumorSettings
from veilleur.analytics.signals.base import Firing, Observation, simhash
from veilleur.core.alert import AlertKind, Explanation, Severity

BANDS = 4
REFIRE_S = 300
# What made a rumour alert, in the words its explanation shows (French, as users read it).
RUMOR_POSTS = "messages de rumeur"
SOLVENCY_CLAIMS = "affirmations sur la solvabilité"
NEAR_COPIES = "copies quasi identiques"
ALARMING = ("faillite", "retir", "difficult", "bank run", "bloqu", "ferm", "pirat", "fuite", "faill")
CLAIMS = re.compile(
    r"faillite|en difficult|bank ?run|cessation de paiement|ge(?:l|le)r (?:les|vos|nos) (?:comptes|avoirs|epargne)"
    r"|retraits? (?:seront |vont etre |vont être |sont )?bloqu|bloquer les retraits|plus de liquidit"
    r"|(?:retirez|retirer|sortez|videz) (?:votre|vos|ton|tes|son|leur|leurs|tout|mon|notre) "
    r"(?:argent|epargne|épargne|economies|économies|comptes?)", re.IGNORECASE)


CLAIM_HINTS = ("faill", "difficult", "bank", "cessation", "gel", "bloqu", "liquidit", "retir", "sort", "vid")


def is_claim(text: str) -> bool:
    """Whether ``text`` makes a solvency claim (``CLAIMS``); cheap substring hints first, as most posts make none."""
    lowered = text.lower()
    return any(hint in lowered for hint in CLAIM_HINTS) and CLAIMS.search(text) is not None


@dataclass(slots=True)
class Cluster:
    fingerprint: int
    members: deque[Observation] = field(default_factory=deque)


class RumorDetector:
    def __init__(self, settings: RumorSettings, networks: dict[str, str] | None = None):
        self.settings = settings
        self.networks = networks or {}
        self.rumors: dict[str, deque[Observation]] = {}  # bank → rumour posts in the window
        self.bands: list[dict[int, list[Cluster]]] = [{} for _ in range(BANDS)]
        self.clusters: list[Cluster] = []
        self.last_fired: dict[str, float] = {}
        self._pruned_at = 0.0

    def observe(self, obs: Observation) -> list[Firing]:
        window_s = self.settings.window_minutes * 60
        self._prune(obs.ts - window_s)
        firings = []
        bank = self.networks.get(obs.bank, obs.bank) if obs.bank else None
        cluster = self._cluster(obs) if bank else None
        claim = bool(bank) and is_claim(obs.text)
        if bank and (obs.intent == "rumor" or claim):
            posts = self.rumors.setdefault(bank, deque())
            posts.append(obs)
            while posts[0].ts <= obs.ts - window_s:
                posts.popleft()
            claimants = {o.author for o in posts if is_claim(o.text)}
            if len(claimants) >= self.settings.claim_min_authors:
                firings.append(self._fire(obs, bank, list(posts), cluster, SOLVENCY_CLAIMS))
            elif len({o.author for o in posts}) >= self.settings.min_authors:
                firings.append(self._fire(obs, bank, list(posts), cluster, RUMOR_POSTS))
        if cluster is not None and not firings:
            members = list(cluster.members)
            if (len({o.author for o in members}) >= self.settings.copy_min_authors
                    and 2 * sum(o.intent == "rumor" or o.negative for o in members) >= len(members)):
                firings.append(self._fire(obs, bank, members, cluster, NEAR_COPIES))
        firings = [f for f in firings if obs.ts - self.last_fired.get(f.subject, -1e18) >= REFIRE_S]
        for f in firings:
            self.last_fired[f.subject] = obs.ts
        return firings

    def _cluster(self, obs: Observation) -> Cluster:
        """The near-duplicate cluster ``obs`` joins (a new one when nothing is close)."""
        fingerprint = simhash(obs.tokens)
        keys = [(fingerprint >> (16 * b)) & 0xFFFF for b in range(BANDS)]
        for band, key in enumerate(keys):
            for cluster in self.bands[band].get(key, ()):
                if (cluster.fingerprint ^ fingerprint).bit_count() <= self.settings.max_hamming:
                    cluster.members.append(obs)
                    return cluster
        cluster = Cluster(fingerprint, deque([obs]))
        self.clusters.append(cluster)
        for band, key in enumerate(keys):
            self.bands[band].setdefault(key, []).append(cluster)
        return cluster

    def _fire(self, obs: Observation, bank: str | None, posts: list[Observation], cluster: Cluster | None,
              why: str) -> Firing:
        s = self.settings
        first = posts[0]
        authors = len({o.author for o in posts})
        hours = max((obs.ts - first.ts) / 3600, 1 / 60)
        copies = len({o.author for o in cluster.members}) if cluster is not None else 0
        alarming = any(word in o.text.lower() for o in posts for word in ALARMING)
        big = authors >= 3 * s.min_authors or sum(o.reach for o in posts) >= 100_000
        severity = Severity.CRITICAL if (alarming and big) else Severity.WARNING
        threshold = {RUMOR_POSTS: s.min_authors, SOLVENCY_CLAIMS: s.claim_min_authors}.get(why, s.copy_min_authors)
        return Firing(
            kind=AlertKind.RUMOR_CLUSTER, subject=f"bank={bank}|rumor", bank=bank,
            entity=obs.entity if bank == obs.bank else None,
            severity=severity, title=f"Rumeur sur {bank} : {authors} auteurs ({why})",
            explanation=Explanation(
                observed=authors, expected=1, threshold=threshold, window_s=s.window_minutes * 60,
                measure=f"auteurs distincts ({why})",
                details={"first_post_id": first.post_id, "first_at": first.at.isoformat(),
                         "spread_authors_per_hour": round(authors / hours, 1), "posts": len(posts),
                         "largest_copy_cluster_authors": copies, "reach": sum(o.reach for o in posts)}),
            post_ids=[o.post_id for o in posts], at=obs.at, topic="rumor")

    def _prune(self, oldest: float) -> None:
        if oldest - self._pruned_at < 600:
            return
        self._pruned_at = oldest
        for cluster in self.clusters:
            while cluster.members and cluster.members[0].ts <= oldest:
                cluster.members.popleft()
        if any(not c.members for c in self.clusters):
            self.clusters = [c for c in self.clusters if c.members]
            for band in self.bands:
                for key in list(band):
                    band[key] = [c for c in band[key] if c.members]
                    if not band[key]:
                        del band[key]
