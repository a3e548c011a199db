"""Phishing waves: distinct authors reporting the same kind of fraudulent message about one bank.

Customers see a phishing campaign before the bank does: « reçu un SMS "votre compte est suspendu",
le lien a l'air bizarre », « attention arnaque », « faux conseiller ». Such reports are rare in
everyday posts and each hour of delay means more people typing their codes into a fake site, so
``min_authors`` distinct reporters about one bank within ``window_minutes`` are enough (two by
default), whatever topic or intent the analysis gave. A report is a message channel (SMS, mail,
appel, lien…) together with a fraud cue (suspendu, cliquez, arnaque, hameçonnage, faux…), or an
explicit word for it (phishing, hameçonnage, smishing). The alert turns critical once many authors
report it or someone says they gave their codes. Subject: ``bank=X|phishing`` (networks rolled up).

Imports ``analytics.signals.base``, ``analytics.settings``, ``core.alert`` and the standard library.
"""
from __future__ import annotations

import re
from collections import deque

from veilleur.analytics.settings import PhishingSettings
from veilleur.analytics.signals.base import Firing, Observation
from veilleur.core.alert import AlertKind, Explanation, Severity

REFIRE_S = 300
NAMED = re.compile(r"phishing|hame[cç]onnage|smishing|vishing", re.IGNORECASE)
# "message" alone is too broad: debunks of a viral rumour ("FAUX : le message viral…") are not phishing.
CHANNEL = re.compile(r"\b(?:sms|texto|mail|e-?mail|courriel|appel|appel[ée]e?|lien|site)\b", re.IGNORECASE)
CUE = re.compile(r"suspendu|bloqu|cliqu|arnaque|escroc|frauduleu|faux|fausse|bizarre|louche|usurp|pi[eè]ge"
                 r"|(?:confirmer|v[ée]rifier|mettre [àa] jour) (?:vos|ses|tes) (?:informations|coordonn|donn)",
                 re.IGNORECASE)
GAVE_CODES = re.compile(r"j'ai cliqu|a cliqu|ont cliqu|(?:mis|rentr[ée]|donn[ée]|saisi) (?:mon|mes|son|ses|sa) "
                        r"(?:code|identifiant|num[ée]ro de carte|carte)", re.IGNORECASE)
HINTS = ("sms", "mail", "courriel", "appel", "lien", "site", "texto", "phish", "hame", "smish", "vish")


def is_report(text: str) -> bool:
    """Whether ``text`` reports a fraudulent message (cheap substring hints first: most posts report none)."""
    lowered = text.lower()
    if not any(hint in lowered for hint in HINTS):
        return False
    return NAMED.search(text) is not None or (CHANNEL.search(text) is not None and CUE.search(text) is not None)


class PhishingDetector:
    def __init__(self, settings: PhishingSettings, networks: dict[str, str] | None = None,
                 official: frozenset[str] = frozenset()):
        self.settings = settings
        self.networks = networks or {}
        self.official = official  # the banks' own accounts: their warnings are not reports
        self.reports: dict[str, deque[Observation]] = {}  # bank → reports in the window
        self.last_fired: dict[str, float] = {}

    def observe(self, obs: Observation) -> list[Firing]:
        if not obs.bank or obs.intent == "praise" or not is_report(obs.text):
            return []
        if obs.author.partition(":")[2].lstrip("@").lower() in self.official:
            return []
        bank = self.networks.get(obs.bank, obs.bank)
        posts = self.reports.setdefault(bank, deque())
        posts.append(obs)
        while posts[0].ts <= obs.ts - self.settings.window_minutes * 60:
            posts.popleft()
        authors = {o.author for o in posts}
        subject = f"bank={bank}|phishing"
        if len(authors) < self.settings.min_authors or obs.ts - self.last_fired.get(subject, -1e18) < REFIRE_S:
            return []
        self.last_fired[subject] = obs.ts
        return [self._fire(obs, bank, list(posts), len(authors), subject)]

    def _fire(self, obs: Observation, bank: str, posts: list[Observation], authors: int, subject: str) -> Firing:
        s = self.settings
        victims = sum(1 for o in posts if GAVE_CODES.search(o.text))
        severity = Severity.CRITICAL if (victims or authors >= s.critical_authors) else Severity.WARNING
        return Firing(
            kind=AlertKind.PHISHING_WAVE, subject=subject, bank=bank,
            entity=obs.entity if bank == obs.bank else None, severity=severity,
            title=f"Vague de phishing visant {bank} : {authors} signalements"
                  + (f", {victims} victime(s) déclarée(s)" if victims else ""),
            explanation=Explanation(
                observed=authors, expected=0, threshold=s.min_authors, window_s=s.window_minutes * 60,
                measure="auteurs distincts signalant un message frauduleux",
                details={"first_post_id": posts[0].post_id, "first_at": posts[0].at.isoformat(),
                         "declared_victims": victims, "reach": sum(o.reach for o in posts)}),
            post_ids=[o.post_id for o in posts], at=obs.at, topic="fraud_security")
