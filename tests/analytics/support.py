"""Builders for the watch's tests: labelled posts saved into the test store, or kept in memory."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

from veilleur.core.post import Author, Post
from veilleur.pipeline.base import Doc
from veilleur.storage.feed import AnalysedPost

MONDAY = datetime(2026, 9, 7, tzinfo=UTC)  # a Monday, 00:00 UTC (02:00 in Paris)
_ids = count(1)


def doc(at: datetime, text: str = "message", *, bank: str | None = "Banque Hélios", sentiment: str = "neutral",
        intent: str = "other", topics: list[str] | None = None, handle: str | None = None, followers: int = 10,
        abusive: bool = False, entity: str | None = None, bio: str | None = None, reply_to: str | None = None,
        platform: str = "x") -> Doc:
    n = next(_ids)
    post = Post(platform=platform, external_id=f"t{n}", text=text, created_at=at, reply_to_id=reply_to,
                author=Author(handle=handle or f"user{n}", followers=followers, bio=bio))
    d = Doc(post)
    a = d.analysis
    a.bank, a.entity, a.sentiment, a.intent, a.topics, a.abusive, a.language = (
        bank, entity, sentiment, intent, topics or [], abusive, "fr")
    return d


def post(at: datetime, text: str = "message", **labels: Any) -> AnalysedPost:
    """An in-memory analysed post for the detectors (no store)."""
    n = next(_ids)
    return AnalysedPost(id=n, platform=labels.pop("platform", "x"), external_id=f"m{n}", url=None, text=text,
                        created_at=at, conversation_id=None, reply_to_id=None, metrics={},
                        author_handle=labels.pop("handle", f"user{n}"), author_followers=labels.pop("followers", 10),
                        language="fr", bank=labels.pop("bank", "Banque Hélios"), entity=labels.pop("entity", None),
                        sentiment=labels.pop("sentiment", "neutral"), intent=labels.pop("intent", "other"),
                        topics=labels.pop("topics", []), abusive=labels.pop("abusive", False))


def every(start: datetime, minutes: float, n: int) -> list[datetime]:
    return [start + timedelta(minutes=minutes * i) for i in range(n)]
