"""The ``Connector`` protocol (after Rasa's channels and minet's collectors) and what it yields.

A connector ``fetch``es pages of raw records from its source, each page carrying the checkpoint
that comes after it, and ``parse``s one raw record into posts, purely, raising
``MalformedPayload`` with a reason a person understands. Whoever drives it stores a page's posts
and its checkpoint in one transaction, so a restart resumes from the last stored page.

Imports ``core`` and ``errors`` only.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import ClassVar, Protocol, runtime_checkable

from pydantic import BaseModel

from veilleur.core.post import Post


@dataclass(slots=True)
class RawRecord:
    """One payload as received: exact bytes, and where it came from ("posts.jsonl:12")."""

    raw: bytes
    location: str


@dataclass(slots=True)
class Page:
    """Records fetched together, and the checkpoint to store once they are stored."""

    records: list[RawRecord]
    checkpoint: str
    notes: list[str] = field(default_factory=list)


@runtime_checkable
class Connector(Protocol):
    """A source of posts."""

    name: ClassVar[str]
    Config: ClassVar[type[BaseModel]]

    @property
    def source(self) -> str:
        """A stable name for this source, under which its checkpoint is kept."""
        ...

    def fetch(self, since: str | None) -> Iterator[Page]:
        """Pages of raw records after checkpoint ``since`` (None: from the beginning)."""
        ...

    def parse(self, record: RawRecord) -> list[Post]:
        """Posts in one raw record. Raises ``MalformedPayload``."""
        ...
