"""From a flat record (a JSON object, a mapped CSV row) to a ``Post``, with clear reasons.

The record format of veilleur's files (JSON Lines), also the target of CSV column mappings::

    {"platform": "x", "id": "184…", "text": "…", "created_at": "2026-10-09T08:14:00+02:00",
     "url": "…", "lang": "fr", "author": {"handle": "…", "name": "…", "followers": 12,
     "verified": false, "bio": "…"}, "conversation_id": "…", "reply_to": "…",
     "metrics": {"likes": 3, "shares": 0, "replies": 1, "views": 120}}

``external_id`` may stand for ``id``, ``language`` for ``lang``, ``reply_to_id`` for
``reply_to``; ``author`` may be a bare handle. Unknown extra fields are kept in ``raw``.
Imports ``core`` and ``errors`` only.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ValidationError

from veilleur.core.post import Author, Post, parse_platform
from veilleur.errors import MalformedPayload, UnknownPlatform


def _first(record: dict[str, Any], *names: str) -> Any:
    for name in names:
        if record.get(name) is not None:
            return record[name]
    return None


def _author(value: Any) -> Author | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return Author(handle=value)
    if not isinstance(value, dict):
        raise MalformedPayload(f"author must be an object or a handle, not {type(value).__name__}")
    return Author(handle=_first(value, "handle", "username", "screen_name") or "",
                  display_name=_first(value, "name", "display_name"), followers=value.get("followers"),
                  verified=bool(value.get("verified", False)), bio=value.get("bio"), url=value.get("url"))


def _created_at(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not value.strip():
        raise MalformedPayload("created_at is missing")
    try:
        return datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise MalformedPayload(f"created_at {value!r} is not an ISO 8601 date-time") from exc


def record_to_post(record: Any) -> Post:
    """A ``Post`` from one record, or ``MalformedPayload`` saying what is wrong."""
    if not isinstance(record, dict):
        raise MalformedPayload(f"expected a JSON object, got {type(record).__name__}")
    platform_name = record.get("platform")
    if not isinstance(platform_name, str) or not platform_name:
        raise MalformedPayload("platform is missing")
    try:
        platform = parse_platform(platform_name)
    except ValueError as exc:
        raise UnknownPlatform(f"unknown platform {platform_name!r}") from exc
    external_id = _first(record, "id", "external_id")
    if external_id is None or external_id == "":
        raise MalformedPayload("id is missing")
    text = record.get("text")
    if text is None:
        raise MalformedPayload("text is missing")
    if not isinstance(text, str):
        raise MalformedPayload(f"text must be a string, not {type(text).__name__}")
    try:
        return Post(
            platform=platform, external_id=str(external_id), text=text,
            created_at=_created_at(record.get("created_at")), url=record.get("url"),
            author=_author(record.get("author")), language=_first(record, "lang", "language"),
            conversation_id=_str_or_none(record.get("conversation_id")),
            reply_to_id=_str_or_none(_first(record, "reply_to", "reply_to_id")),
            metrics=record.get("metrics") or {}, raw=record)
    except ValidationError as exc:
        raise MalformedPayload(_explain(exc)) from exc


def _str_or_none(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _explain(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        key = ".".join(str(p) for p in error["loc"])
        parts.append(f"{key}: {error['msg']} (got {error.get('input')!r})"[:300])
    return "; ".join(parts)
