"""The feed of analysed posts, in the order they were stored, for the rooms that follow it.

The inbox (cases) and the watch (series, detectors) each keep a cursor: the id of the last post
they handled, committed with what they made of it. ``analysed_posts(conn, after_id, limit)``
gives the next page: every post with its author and its labels, already masked (what the store
keeps). Following ids rather than rescanning history makes both rooms incremental and safe to
restart: a crash replays at most the page that was not committed.

Imports ``storage.tables``, ``storage.base`` and SQLAlchemy only.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from veilleur.storage.base import utc
from veilleur.storage.tables import analyses, authors, posts


@dataclass(slots=True)
class AnalysedPost:
    """One stored post with its author and labels, as the rooms read it (text masked)."""

    id: int
    platform: str
    external_id: str
    url: str | None
    text: str
    created_at: datetime
    conversation_id: str | None
    reply_to_id: str | None
    metrics: dict[str, Any]
    author_handle: str | None = None
    author_name: str | None = None
    author_followers: int | None = None
    author_verified: bool = False
    author_bio: str | None = None
    language: str | None = None
    bank: str | None = None
    entity: str | None = None
    sentiment: str | None = None
    intent: str | None = None
    topics: list[str] = field(default_factory=list)
    abusive: bool | None = None
    urgency: str | None = None
    pii: list[str] = field(default_factory=list)
    clean_text: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def reach(self) -> int:
        """Followers of the author (0 when unknown): the weight of a post in reach measures."""
        return self.author_followers or 0


def _query():
    return (select(posts.c.id, posts.c.platform, posts.c.external_id, posts.c.url, posts.c.text,
                   posts.c.created_at, posts.c.conversation_id, posts.c.reply_to_id, posts.c.metrics,
                   authors.c.handle, authors.c.display_name, authors.c.followers, authors.c.verified,
                   authors.c.bio, analyses.c.language, analyses.c.bank, analyses.c.entity,
                   analyses.c.sentiment, analyses.c.intent, analyses.c.topics, analyses.c.abusive,
                   analyses.c.urgency, analyses.c.pii, analyses.c.clean_text, analyses.c.details)
            .join(analyses, analyses.c.post_id == posts.c.id)
            .join(authors, authors.c.id == posts.c.author_id, isouter=True))


def _row(r) -> AnalysedPost:
    return AnalysedPost(
        id=r.id, platform=r.platform, external_id=r.external_id, url=r.url, text=r.text,
        created_at=utc(r.created_at), conversation_id=r.conversation_id, reply_to_id=r.reply_to_id,
        metrics=r.metrics or {}, author_handle=r.handle, author_name=r.display_name,
        author_followers=r.followers, author_verified=bool(r.verified), author_bio=r.bio,
        language=r.language, bank=r.bank, entity=r.entity, sentiment=r.sentiment, intent=r.intent,
        topics=list(r.topics or []), abusive=r.abusive, urgency=r.urgency, pii=list(r.pii or []),
        clean_text=r.clean_text, details=r.details or {})


def analysed_posts(conn: Connection, after_id: int = 0, limit: int = 1000) -> list[AnalysedPost]:
    """The next ``limit`` analysed posts whose id is above ``after_id``, in id order."""
    query = _query().where(posts.c.id > after_id).order_by(posts.c.id).limit(limit)
    return [_row(r) for r in conn.execute(query)]


def posts_by_id(conn: Connection, ids: list[int]) -> list[AnalysedPost]:
    """The analysed posts with these ids, in id order (missing ids are skipped)."""
    if not ids:
        return []
    return [_row(r) for r in conn.execute(_query().where(posts.c.id.in_(ids)).order_by(posts.c.id))]


def last_post_id(conn: Connection) -> int:
    """The highest post id stored (0 when there is none)."""
    return conn.execute(select(posts.c.id).order_by(posts.c.id.desc()).limit(1)).scalar() or 0
