"""An alert of the watch and the explanation it carries. Pure data, no I/O; standard library only.

The watch (``analytics.signals``, ``analytics.alerts``) makes them, delivery
(``analytics.notify``) sends them, the API and the reports show them. An alert explains itself:
what was observed against what was expected, the threshold crossed and the window looked at, and
the posts behind it.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """0 for info, 1 for warning, 2 for critical: to compare and take the highest."""
        return _SEVERITY_RANK[self.value]

    @property
    def is_crisis(self) -> bool:
        """Warning and critical alerts are crisis alerts (delivered, counted); info ones are for the record."""
        return self.rank >= 1


_SEVERITY_RANK = {"info": 0, "warning": 1, "critical": 2}


class AlertKind(StrEnum):
    VOLUME_BURST = "volume_burst"
    SENTIMENT_SHIFT = "sentiment_shift"
    EMERGING_TERM = "emerging_term"
    RUMOR_CLUSTER = "rumor_cluster"
    PHISHING_WAVE = "phishing_wave"
    CASE_FLAGGED = "case_flagged"  # an inbox routing rule with the ``alert`` action (press, fraud in progress…)


class AlertState(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    CLOSED = "closed"


@dataclass(slots=True)
class Explanation:
    """Why an alert fired: observed against expected over a window, and the threshold crossed."""

    observed: float
    expected: float
    threshold: float
    window_s: int
    measure: str  # in French, as users read it: "messages en 15 min", "part de messages négatifs"
    details: dict[str, Any] = field(default_factory=dict)

    def sentence(self) -> str:
        """The explanation in French, as alerts, messages and reports show it."""
        if self.details.get("reason"):  # a rule fired, not a measure crossing a threshold
            return f"{self.measure} : {self.details['reason']}"
        return (f"{self.measure} : {self.observed:g} observé contre {self.expected:g} attendu "
                f"(seuil {self.threshold:g}, fenêtre de {self.window_s // 60} min)")


@dataclass(slots=True)
class Alert:
    """One alert on one subject (bank + kind + key, e.g. a topic, a term or a rumour cluster)."""

    kind: AlertKind
    subject: str  # what merges repeated firings: "bank=Banque Hélios|topic=digital"
    bank: str | None
    entity: str | None
    severity: Severity
    title: str
    explanation: Explanation
    post_ids: list[int] = field(default_factory=list)
    opened_at: datetime | None = None
    updated_at: datetime | None = None
    state: AlertState = AlertState.OPEN
    id: int | None = None
    incident_id: int | None = None
    fired: int = 1  # how many firings merged into this alert
    closed_at: datetime | None = None
    handled_by: str | None = None  # who acknowledged or closed it

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("opened_at", "updated_at", "closed_at"):
            data[key] = data[key].isoformat() if data[key] else None
        data["why"] = self.explanation.sentence()
        return data


class IncidentState(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


@dataclass(slots=True)
class TimelineEntry:
    """One dated line of an incident's timeline: an alert that joined, a first post, a decision."""

    at: datetime
    what: str
    alert_id: int | None = None
    post_id: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"at": self.at.isoformat(), "what": self.what, "alert_id": self.alert_id, "post_id": self.post_id}


@dataclass(slots=True)
class Incident:
    """One crisis: its alerts and posts, a timeline, and a holding statement (a draft to approve)."""

    bank: str | None
    entity: str | None
    topic: str | None
    title: str
    severity: Severity
    opened_at: datetime
    updated_at: datetime
    holding_statement: str
    statement_status: str = "draft"  # "draft": needs approval before anyone publishes it
    alert_ids: list[int] = field(default_factory=list)
    post_ids: list[int] = field(default_factory=list)
    timeline: list[TimelineEntry] = field(default_factory=list)
    state: IncidentState = IncidentState.OPEN
    closed_at: datetime | None = None
    id: int | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("opened_at", "updated_at", "closed_at"):
            data[key] = data[key].isoformat() if data[key] else None
        data["timeline"] = [entry.to_json() for entry in self.timeline]
        return data
