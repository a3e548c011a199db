"""Analyse arbitrary lines (JSON posts, ``{"text": …}`` objects or bare texts) without storing them.

This is what ``veilleur analyze`` and ``veilleur eval`` run: one result per input line, in the
same order, whose top-level fields are the input's ``id`` (when it has one) and exactly the
label names of labels.md, plus ``details``. A line that cannot be read gets the same fields
with null labels and an ``error``. Imports ``connectors.records``, ``core`` and ``pipeline``.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

import orjson
from pydantic import ValidationError

from veilleur.connectors.records import record_to_post
from veilleur.core.labels import LABEL_NAMES
from veilleur.core.post import Platform, Post, parse_platform
from veilleur.errors import MalformedPayload
from veilleur.pipeline.base import Pipeline, make_doc

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def line_to_post(line: str, number: int) -> tuple[Any, Post]:
    """(input id, post) for one input line. Raises ``MalformedPayload``."""
    data = _decode(line, number)
    return _input_id(data), _to_post(data, number)


def _decode(line: str, number: int) -> Any:
    """The JSON value of a line that looks like JSON, else the line itself (a bare text)."""
    stripped = line.strip()
    if stripped[:1] in '{["':
        try:
            return orjson.loads(stripped)
        except orjson.JSONDecodeError as exc:
            if stripped[:1] == "{":
                raise MalformedPayload(f"not valid JSON: {exc}", f"line {number}") from exc
    return stripped


def _input_id(data: Any) -> Any:
    return data.get("id") if isinstance(data, dict) else None


def _to_post(data: Any, number: int) -> Post:
    where = f"line {number}"
    if isinstance(data, str):
        return Post(platform=Platform.OTHER, external_id=str(number), text=data, created_at=EPOCH)
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        raise MalformedPayload("expected a text or an object with a 'text' string", where)
    ident = data.get("id")
    if {"platform", "created_at"} <= data.keys():
        try:
            named = ident is not None or data.get("external_id") is not None
            return record_to_post(data if named else {**data, "id": number})
        except MalformedPayload as exc:
            raise MalformedPayload(exc.reason, where) from exc
    platform = Platform.OTHER
    if isinstance(data.get("platform"), str):
        try:
            platform = parse_platform(data["platform"])
        except ValueError:
            platform = Platform.OTHER
    language = data.get("lang", data.get("language"))
    external_id = str(ident) if ident is not None and 0 < len(str(ident)) <= 200 else str(number)
    try:
        return Post(platform=platform, external_id=external_id,
                    text=data["text"], created_at=EPOCH, language=language if isinstance(language, str) else None,
                    raw=data)
    except ValidationError as exc:
        raise MalformedPayload("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()),
                               where) from exc


def result(ident: Any, labels: dict[str, Any] | None, details: dict[str, Any] | None,
           error: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"id": ident} if ident is not None else {}
    out.update(labels or dict.fromkeys(LABEL_NAMES))
    out["details"] = details or {}
    if error:
        out["error"] = error
    return out


def analyze_lines(lines: Iterable[str], pipeline: Pipeline, max_chars: int | None = None
                  ) -> Iterator[dict[str, Any]]:
    """One result per non-blank line, in order, batch by batch."""
    batch: list[tuple[Any, Post | None, str | None]] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        ident = None
        try:
            data = _decode(line, number)
            ident = _input_id(data)
            batch.append((ident, _to_post(data, number), None))
        except MalformedPayload as exc:  # the line's id, when it has one, still labels its result
            batch.append((ident, None, str(exc)))
        if len(batch) >= pipeline.batch_size:
            yield from _run(batch, pipeline, max_chars)
            batch = []
    yield from _run(batch, pipeline, max_chars)


def _run(batch, pipeline: Pipeline, max_chars: int | None) -> Iterator[dict[str, Any]]:
    docs = {i: make_doc(post, max_chars) for i, (_, post, _) in enumerate(batch) if post is not None}
    failures = {id(f.doc): f for f in pipeline.run(list(docs.values()))}
    for i, (ident, _, error) in enumerate(batch):
        doc = docs.get(i)
        if doc is None:
            yield result(ident, None, None, error)
        elif id(doc) in failures:
            failure = failures[id(doc)]
            yield result(ident, None, None, f"stage {failure.stage}: {failure.reason}")
        else:
            yield result(ident, doc.analysis.labels(), doc.analysis.details())
