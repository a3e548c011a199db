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


class AlertKind(StrEnum):
    VOLUME_BURST = "volume_burst"
    SENTIMENT_SHIFT = "sentiment_shift"
    EMERGING_TERM = "emerging_term"
    RUMOR_CLUSTER = "rumor_cluster"


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
    measure: str  # e.g. "posts per 15 min", "share of negative posts"
    details: dict[str, Any] = field(default_factory=dict)

    def sentence(self) -> str:
        return (f"{self.measure}: {self.observed:g} observed against {self.expected:g} expected "
                f"(threshold {self.threshold:g}, window {self.window_s // 60} min)")


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

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("opened_at", "updated_at"):
            data[key] = data[key].isoformat() if data[key] else None
        data["why"] = self.explanation.sentence()
        return data
