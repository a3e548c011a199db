"""``veilleur rules test``: which routing rule fires for each post of a file, and why.

Input: JSON Lines in the format of labels.md (``text`` and label fields: ``intent``, ``topics``,
``urgency``, ``sentiment``, ``abusive``, ``pii``, ``bank``), optionally with ``platform``,
``author`` (``{"handle", "followers", "verified"}``), ``entity``, ``language``, ``reply_to_id`` and
the author facts ``journalist``, ``known_customer``, ``repeat_complainer``. Lines without an
``intent`` are analysed by the pipeline first (their other labels then come from it too).

Imports ``core``, ``pipeline`` (lazily), ``inbox`` and ``errors``.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson

from veilleur.errors import MalformedPayload
from veilleur.inbox.crm import StaticCrmLink
from veilleur.inbox.routing import Router, Subject
from veilleur.pipeline.text import HANDLE


def read_lines(lines: Iterable[str]) -> list[dict[str, Any]]:
    """The JSON objects of the file, each with its line number. Raises ``MalformedPayload``."""
    rows = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            data = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            raise MalformedPayload(f"not valid JSON: {exc}", f"line {number}") from exc
        if not isinstance(data, dict) or not isinstance(data.get("text"), str):
            raise MalformedPayload("expected an object with a 'text' string", f"line {number}")
        rows.append({"_line": number, **data})
    return rows


def _analyse_missing(rows: list[dict[str, Any]], settings: Any) -> None:
    """Fill the labels of rows without an intent with the pipeline's."""
    missing = [r for r in rows if r.get("intent") is None]
    if not missing:
        return
    from veilleur.pipeline.analyze import analyze_lines
    from veilleur.pipeline.factory import build_pipeline

    pipeline = build_pipeline(settings)
    lines = [orjson.dumps({"text": r["text"], "platform": r.get("platform", "other")}).decode() for r in missing]
    for row, found in zip(missing, analyze_lines(lines, pipeline, settings.pipeline.max_analysis_chars), strict=True):
        if found.get("error"):
            raise MalformedPayload(found["error"], f"line {row['_line']}")
        for name in ("sentiment", "intent", "topics", "abusive", "urgency", "pii", "bank"):
            row.setdefault(name, found.get(name))
        row.setdefault("entity", found["details"].get("entity"))
        row.setdefault("language", found["details"].get("language"))
        row["_analysed"] = True


def subject_of(row: dict[str, Any], settings: Any, crm: StaticCrmLink) -> Subject:
    author = row.get("author") if isinstance(row.get("author"), dict) else {}
    handle = str(author.get("handle") or "").lstrip("@")
    platform = str(row.get("platform") or "x")
    owned = settings.organisation.owned_handles()
    press = {h.lstrip("@").lower() for h in [*settings.inbox.journalists, *settings.inbox.analysts]}
    brand_entity = {e.brand: e.id for e in settings.organisation.entities if e.brand}
    addressed = any((platform, h.lower()) in owned for h in HANDLE.findall(row["text"])) or bool(row.get("reply_to_id"))
    return Subject(
        text=row["text"], platform=platform, intent=row.get("intent"), topics=list(row.get("topics") or []),
        urgency=row.get("urgency"), sentiment=row.get("sentiment"), abusive=row.get("abusive"),
        pii=list(row.get("pii") or []), language=row.get("language"), bank=row.get("bank"),
        entity=row.get("entity") or brand_entity.get(row.get("bank") or ""), author_handle=handle or None,
        followers=author.get("followers"), verified=bool(author.get("verified")),
        addressed=bool(row.get("addressed", addressed)),
        journalist=bool(row.get("journalist", handle.lower() in press)),
        known_customer=bool(row.get("known_customer", bool(handle) and crm.lookup(handle, platform) is not None)),
        repeat_complainer=bool(row.get("repeat_complainer", False)))


def explain(lines: Iterable[str], settings: Any) -> list[dict[str, Any]]:
    """Per post: its line, text, labels used, and the routing (rule fired, why, placement)."""
    rows = read_lines(lines)
    _analyse_missing(rows, settings)
    router, crm = Router(settings.inbox), StaticCrmLink.from_settings(settings.inbox)
    results = []
    for row in rows:
        subject = subject_of(row, settings, crm)
        routing = router.route(subject)
        results.append({"line": row["_line"], "id": row.get("id"), "text": row["text"],
                        "analysed": bool(row.get("_analysed")),
                        "labels": {"intent": subject.intent, "topics": subject.topics, "urgency": subject.urgency,
                                   "abusive": subject.abusive, "pii": subject.pii, "addressed": subject.addressed},
                        **routing.to_dict(), "why": routing.explain()})
    return results
