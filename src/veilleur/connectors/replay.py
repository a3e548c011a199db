"""The replay connector: plays a recorded file as if it were a live stream, at N× speed.

Records are released when their ``created_at`` comes due on a clock that runs ``speed`` times
faster than real time from the first record, in small pages, so that downstream stages (the
watch, the inbox) see posts arrive the way they did. Checkpoints are the wrapped file
connector's: a stopped replay resumes with the next record, paced from there. Records without
a readable ``created_at`` are released at once (their parse will say what is wrong).

The clock and sleep are injected so tests run in no time. Imports ``connectors`` only.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import ClassVar

import orjson
from pydantic import BaseModel, ConfigDict, Field

from veilleur.connectors.base import Page, RawRecord
from veilleur.connectors.files import JsonLinesConfig, JsonLinesConnector
from veilleur.core.post import Post


class ReplayConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    path: Path
    speed: float = Field(default=60.0, gt=0, description="1 = real time, 60 = one hour a minute")
    page_size: int = Field(default=100, ge=1)


def _timestamp(record: RawRecord) -> float | None:
    try:
        value = orjson.loads(record.raw).get("created_at")
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except (orjson.JSONDecodeError, AttributeError, TypeError, ValueError):
        return None


class ReplayConnector:
    """A JSON Lines file replayed at ``speed``× in order of the file."""

    name: ClassVar[str] = "replay"
    Config: ClassVar[type[BaseModel]] = ReplayConfig

    def __init__(self, config: ReplayConfig, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        self.config = config
        self.files = JsonLinesConnector(JsonLinesConfig(path=config.path, page_size=1))
        self.clock, self.sleep = clock, sleep

    @property
    def source(self) -> str:
        return f"replay:{self.config.path.resolve()}"

    def fetch(self, since: str | None = None) -> Iterator[Page]:
        start_wall: float | None = None
        start_post: float | None = None
        batch: list[RawRecord] = []
        checkpoint = since
        for page in self.files.fetch(since):
            for record in page.records:
                posted = _timestamp(record)
                if posted is not None:
                    if start_post is None:
                        start_wall, start_post = self.clock(), posted
                    due = start_wall + (posted - start_post) / self.config.speed
                    wait = due - self.clock()
                    if wait > 0 and batch:  # deliver what is due before waiting
                        yield Page(batch, checkpoint)
                        batch = []
                    if wait > 0:
                        self.sleep(wait)
                batch.append(record)
                checkpoint = page.checkpoint
                if len(batch) >= self.config.page_size:
                    yield Page(batch, checkpoint)
                    batch = []
        if batch:
            yield Page(batch, checkpoint)

    def parse(self, record: RawRecord) -> list[Post]:
        return self.files.parse(record)
