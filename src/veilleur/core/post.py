"""Post, Author and Platform: what a connector produces and the store keeps.

Pure data, no I/O. Imports pydantic and the standard library only.
"""
from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator


class Platform(StrEnum):
    """The platforms veilleur knows. A record naming another one is a dead letter."""

    X = "x"
    FACEBOOK = "facebook"
    INSTAGRAM = "instagram"
    LINKEDIN = "linkedin"
    MASTODON = "mastodon"
    BLUESKY = "bluesky"
    YOUTUBE = "youtube"
    TIKTOK = "tiktok"
    REDDIT = "reddit"
    APP_STORE = "app_store"
    GOOGLE_PLAY = "google_play"
    TRUSTPILOT = "trustpilot"
    FORUM = "forum"
    NEWS = "news"
    OTHER = "other"  # a source veilleur has no connector for (e.g. a bare text given to `analyze`)


PLATFORM_ALIASES = {"twitter": Platform.X, "fb": Platform.FACEBOOK, "appstore": Platform.APP_STORE,
                    "ios": Platform.APP_STORE, "play": Platform.GOOGLE_PLAY, "googleplay": Platform.GOOGLE_PLAY}


def parse_platform(value: str) -> Platform:
    """Platform from a name, accepting usual aliases ("twitter" → x). Raises ValueError."""
    key = value.strip().lower().replace("-", "_")
    if key in PLATFORM_ALIASES:
        return PLATFORM_ALIASES[key]
    return Platform(key)


def _no_nul(value: object) -> object:
    # PostgreSQL text cannot hold NUL; the raw payload keeps the original bytes.
    return value.replace("\x00", "\ufffd") if isinstance(value, str) else value


class Author(BaseModel):
    """Who wrote a post, as the platform describes them."""

    model_config = ConfigDict(frozen=True)

    @field_validator("handle", "display_name", "bio", "url", mode="before")
    @classmethod
    def _clean(cls, value: object) -> object:
        return _no_nul(value)

    handle: str = Field(min_length=1, max_length=200)
    display_name: str | None = None
    followers: int | None = Field(default=None, ge=0)
    verified: bool = False
    bio: str | None = None
    url: str | None = None


class Post(BaseModel):
    """One message on a platform: a post, comment, reply or review.

    ``text`` is exactly what the platform gave (the analysis works on a cleaned copy); ``raw`` is
    the payload it came from, kept for audit and re-parsing.
    """

    model_config = ConfigDict(frozen=True)

    platform: Platform
    external_id: str = Field(min_length=1, max_length=200)
    text: str
    created_at: datetime
    url: str | None = None
    author: Author | None = None
    language: str | None = Field(default=None, description="the platform's own language tag, if any")
    conversation_id: str | None = None
    reply_to_id: str | None = None
    metrics: dict[str, int] = Field(default_factory=dict)
    raw: dict[str, Any] = Field(default_factory=dict, repr=False)

    @field_validator("text", "external_id", "url", "language", "conversation_id", "reply_to_id", mode="before")
    @classmethod
    def _clean(cls, value: object) -> object:
        return _no_nul(value)

    @field_validator("created_at")
    @classmethod
    def _aware_utc(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("created_at must carry a time zone (e.g. 2026-10-09T08:14:00+02:00)")
        return value.astimezone(UTC)

    @field_validator("metrics")
    @classmethod
    def _non_negative(cls, value: dict[str, int]) -> dict[str, int]:
        bad = [k for k, v in value.items() if v < 0]
        if bad:
            raise ValueError(f"metrics must be >= 0 ({', '.join(bad)})")
        return value

    @property
    def key(self) -> tuple[str, str]:
        """The identity of a post everywhere: (platform, external id)."""
        return (self.platform.value, self.external_id)
