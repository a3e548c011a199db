"""Ingest: a connector's pages → parse → pipeline → store, one transaction per page.

Each page's posts, analyses, dead letters and checkpoint commit together (``SqlStore.save``),
so a killed ingest resumes after its last committed page with no loss and no duplicate. A bad
record (unparsable, unknown platform, duplicate id in the same run, a stage that fails on it)
becomes a dead letter with its reason and location; its neighbours go on. Each stored post gets
a ``post_received`` and an ``analysis`` journal entry, written in the page's transaction.

Imports ``connectors``, ``pipeline``, ``storage``, ``compliance.journal`` and ``errors``.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import orjson

from veilleur.compliance.journal import SYSTEM_INGEST, Journal
from veilleur.connectors.base import Connector, Page
from veilleur.core.post import Post
from veilleur.errors import MalformedPayload
from veilleur.pipeline.base import Failure, Pipeline, long_lived_frozen
from veilleur.storage.base import DeadLetter, SaveResult
from veilleur.storage.sql import SqlStore


@dataclass(slots=True)
class IngestReport:
    """What an ingest did: records read, posts inserted or updated, dead letters, time."""

    source: str
    records: int = 0
    saved: SaveResult = field(default_factory=SaveResult)
    pages: int = 0
    seconds: float = 0.0
    resumed_from: str | None = None

    @property
    def posts_per_second(self) -> float:
        return (self.saved.inserted + self.saved.updated) / self.seconds if self.seconds else 0.0


@dataclass(slots=True)
class _Seen:
    """Posts already met in this run: a second copy of an id is a dead letter, not a new post."""

    where: dict[tuple[str, str], tuple[str, bytes]] = field(default_factory=dict)

    def duplicate(self, post: Post, location: str, raw: bytes) -> str | None:
        first = self.where.get(post.key)
        if first is None:
            self.where[post.key] = (location, raw)
            return None
        same = "identical copy" if first[1] == raw else "different content, first kept"
        return f"duplicate id {post.external_id!r} on {post.platform.value} (first at {first[0]}; {same})"


def ingest(connector: Connector, pipeline: Pipeline, store: SqlStore, *, max_chars: int | None = None,
           on_page: Callable[[Page, IngestReport], None] | None = None, actor: str = SYSTEM_INGEST) -> IngestReport:
    """Read everything new from ``connector`` into ``store``. Returns what happened."""
    source = connector.source
    journal = Journal(store)

    def record(conn, stored) -> None:
        journal.record_ingest(conn, stored, source, actor)

    since = store.checkpoint(source)
    report = IngestReport(source=source, resumed_from=since)
    seen = _Seen()
    started = time.perf_counter()
    with long_lived_frozen():  # the models and everything alive now are not walked by every collection
        for page in connector.fetch(since):
            _ingest_page(page, connector, pipeline, store, seen, report, max_chars, record)
            if on_page:
                on_page(page, report)
    report.seconds = time.perf_counter() - started
    return report


def _ingest_page(page: Page, connector: Connector, pipeline: Pipeline, store: SqlStore, seen: _Seen,
                 report: IngestReport, max_chars: int | None, record) -> None:
    """Parse, analyse and store one page (one transaction), counting it in ``report``."""
    source = report.source
    posts, locations, dead = _parse_page(connector, page, seen, source)
    docs, failures = [], []
    for batch_docs, batch_failures in pipeline.stream(posts, max_chars):
        docs.extend(batch_docs)
        failures.extend(batch_failures)
    dead.extend(_failure_letter(f, source, locations) for f in failures)
    report.saved += store.save(docs, source=source, checkpoint=page.checkpoint, dead=dead, journal=record)
    report.records += len(page.records)
    report.pages += 1


def _parse_page(connector: Connector, page: Page, seen: _Seen, source: str
                ) -> tuple[list[Post], dict[tuple[str, str], str], list[DeadLetter]]:
    posts: list[Post] = []
    locations: dict[tuple[str, str], str] = {}
    dead: list[DeadLetter] = []
    for record in page.records:
        try:
            parsed = connector.parse(record)
        except MalformedPayload as exc:
            dead.append(DeadLetter(source, record.raw, exc.reason, record.location, "parse"))
            continue
        for post in parsed:
            reason = seen.duplicate(post, record.location, record.raw)
            if reason:
                dead.append(DeadLetter(source, record.raw, reason, record.location, "parse"))
                continue
            posts.append(post)
            locations[post.key] = record.location
    return posts, locations, dead


def _failure_letter(failure: Failure, source: str, locations: dict[tuple[str, str], str]) -> DeadLetter:
    post = failure.doc.post
    raw = orjson.dumps(post.raw or post.model_dump(mode="json", exclude={"raw"}))
    return DeadLetter(source, raw, failure.reason, locations.get(post.key), failure.stage)
