"""What the store gives back: plain result records, and ``utc`` for the times it reads. The implementation
is ``storage.sql.SqlStore``.

Imports the standard library only.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime


def utc(value: datetime | None) -> datetime | None:
    """An aware UTC time (SQLite gives naive UTC times back); ``None`` stays ``None``."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@dataclass(slots=True)
class DeadLetter:
    """Something that could not be stored or analysed, kept with the reason."""

    source: str
    raw: bytes
    reason: str
    location: str | None = None
    stage: str | None = None


@dataclass(slots=True)
class SaveResult:
    inserted: int = 0
    updated: int = 0
    dead: int = 0

    def __iadd__(self, other: SaveResult) -> SaveResult:
        self.inserted += other.inserted
        self.updated += other.updated
        self.dead += other.dead
        return self


@dataclass(slots=True)
class SearchHit:
    post_id: int
    platform: str
    external_id: str
    created_at: datetime
    text: str
    snippet: str
    bank: str | None
    score: float


@dataclass(slots=True)
class Stats:
    """The summary printed by ``veilleur stats`` and the demo. Days and hours are local time."""

    posts: int = 0
    analysed: int = 0
    authors: int = 0
    dead_letters: int = 0
    by_bank: dict[str, int] = field(default_factory=dict)
    by_platform: dict[str, int] = field(default_factory=dict)
    by_language: dict[str, int] = field(default_factory=dict)
    by_sentiment: dict[str, int] = field(default_factory=dict)
    by_intent: dict[str, int] = field(default_factory=dict)
    by_day: dict[str, int] = field(default_factory=dict)
    by_hour: dict[int, int] = field(default_factory=dict)
    dead_by_reason: dict[str, int] = field(default_factory=dict)
