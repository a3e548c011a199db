"""Alerts from firings: merge with the open alert on the same subject, cool-down after closing.

A firing on a subject whose latest alert is open (or acknowledged) and was updated less than
``merge_hours`` ago merges into it (posts added, the firing counted, severity only rises, and
the title and explanation become the firing's when it observed at least as much); a firing
less than ``cooldown_hours`` after the subject's alert was closed is dropped unless it is more
severe; anything else opens a new alert. The book works in memory (the replay) or over the
store (``analytics.watch``), through ``latest``: a function giving the subject's latest alert.

Imports ``core.alert``, ``analytics.settings``, ``analytics.signals.base`` and the standard library.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from veilleur.analytics.settings import WatchSettings
from veilleur.analytics.signals.base import Firing
from veilleur.core.alert import Alert, AlertState, Severity

MAX_POSTS = 500  # posts listed on one alert; the oldest (the first posts) are kept


class AlertBook:
    """Turns firings into new or merged alerts; remembers the alerts it touched."""

    def __init__(self, settings: WatchSettings, latest: Callable[[str], Alert | None] | None = None):
        self.merge = timedelta(hours=settings.merge_hours)
        self.cooldown = timedelta(hours=settings.cooldown_hours)
        self._latest = latest
        self.by_subject: dict[str, Alert] = {}
        self.touched: dict[int, Alert] = {}  # id(alert) → alert changed since the last ``drain``
        self.suppressed = 0

    def latest(self, subject: str) -> Alert | None:
        if subject not in self.by_subject and self._latest is not None:
            found = self._latest(subject)
            if found is not None:
                self.by_subject[subject] = found
        return self.by_subject.get(subject)

    def fire(self, firing: Firing) -> tuple[Alert, bool] | None:
        """The alert this firing opened (True) or merged into (False); None when the cool-down holds it."""
        current = self.latest(firing.subject)
        if current is not None and current.state != AlertState.CLOSED and current.updated_at is not None \
                and firing.at - current.updated_at <= self.merge:
            self._merge(current, firing)
            return current, False
        if current is not None and current.state == AlertState.CLOSED and current.closed_at is not None \
                and firing.at - current.closed_at < self.cooldown and firing.severity.rank <= current.severity.rank:
            self.suppressed += 1
            return None
        if firing.topic and "topic" not in firing.explanation.details:
            firing.explanation.details["topic"] = firing.topic
        alert = Alert(kind=firing.kind, subject=firing.subject, bank=firing.bank, entity=firing.entity,
                      severity=firing.severity, title=firing.title, explanation=firing.explanation,
                      post_ids=list(firing.post_ids[:MAX_POSTS]), opened_at=firing.at, updated_at=firing.at)
        self.by_subject[firing.subject] = alert
        self.touched[id(alert)] = alert
        return alert, True

    def _merge(self, alert: Alert, firing: Firing) -> None:
        known = set(alert.post_ids)
        alert.post_ids.extend(p for p in firing.post_ids if p not in known)
        del alert.post_ids[MAX_POSTS:]
        alert.fired += 1
        alert.updated_at = firing.at
        if firing.severity.rank > alert.severity.rank:
            alert.severity = Severity(firing.severity)
        if firing.explanation.observed >= alert.explanation.observed:  # the title says what the explanation says
            alert.explanation, alert.title = firing.explanation, firing.title
        self.touched[id(alert)] = alert

    def drain(self) -> list[Alert]:
        """The alerts opened or changed since the last call."""
        changed = list(self.touched.values())
        self.touched.clear()
        return changed
