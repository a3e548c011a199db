"""File connectors: JSON Lines and CSV (with a column mapping), resumable by byte offset.

Each record keeps its file and line number ("posts.jsonl:12") so that every error names where it
is. The checkpoint is the byte offset after the last record of a page with the file's identity
(a hash of the first kilobytes already read): a grown file resumes where it
stopped, a replaced one starts again (upserts make that harmless). Invalid UTF-8 on a line makes
that line, and only it, a dead letter with its exact bytes.

Imports ``connectors.base``, ``connectors.records``, ``core`` and ``errors``.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import orjson
from pydantic import BaseModel, ConfigDict, Field

from veilleur.connectors.base import Page, RawRecord
from veilleur.connectors.records import record_to_post
from veilleur.core.post import Platform, Post
from veilleur.errors import MalformedPayload

HEAD_BYTES = 4096


def file_identity(path: Path, length: int) -> str:
    """A hash of the file's first ``length`` bytes: the part already read, which appending keeps."""
    with path.open("rb") as handle:
        return hashlib.sha256(handle.read(length)).hexdigest()[:16]


def _resume_offset(path: Path, since: str | None) -> tuple[int, int]:
    """(byte offset, line number) to resume from, or the start if the file is not the same."""
    if not since:
        return 0, 0
    state = json.loads(since)
    offset = int(state.get("offset", 0))
    if offset > path.stat().st_size or state.get("file") != file_identity(path, min(offset, HEAD_BYTES)):
        return 0, 0
    return offset, int(state["line"])


def _checkpoint(path: Path, offset: int, line: int) -> str:
    return json.dumps({"file": file_identity(path, min(offset, HEAD_BYTES)), "offset": offset, "line": line})


class JsonLinesConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    path: Path
    page_size: int = Field(default=500, ge=1)


class JsonLinesConnector:
    """A JSON Lines file of veilleur records (see ``connectors.records``)."""

    name: ClassVar[str] = "jsonl"
    Config: ClassVar[type[BaseModel]] = JsonLinesConfig

    def __init__(self, config: JsonLinesConfig):
        self.config = config
        self.path = config.path

    @property
    def source(self) -> str:
        return f"file:{self.path.resolve()}"

    def fetch(self, since: str | None = None) -> Iterator[Page]:
        offset, line_no = _resume_offset(self.path, since)
        records: list[RawRecord] = []
        with self.path.open("rb") as handle:
            handle.seek(offset)
            for raw in handle:
                line_no += 1
                offset += len(raw)
                if raw.strip():
                    records.append(RawRecord(raw.rstrip(b"\r\n"), f"{self.path.name}:{line_no}"))
                if len(records) >= self.config.page_size:
                    yield Page(records, _checkpoint(self.path, offset, line_no))
                    records = []
        if records or since is None:
            yield Page(records, _checkpoint(self.path, offset, line_no))

    def parse(self, record: RawRecord) -> list[Post]:
        try:
            text = record.raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MalformedPayload(f"invalid UTF-8 at byte {exc.start}", record.location) from exc
        try:
            data = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            raise MalformedPayload(f"not valid JSON: {exc}", record.location) from exc
        try:
            return [record_to_post(data)]
        except MalformedPayload as exc:
            raise type(exc)(exc.reason, record.location) from exc


class CsvMapping(BaseModel):
    """Which CSV column holds each field of a record; lists of columns are joined by a newline."""

    model_config = ConfigDict(extra="forbid")
    id: str = "id"
    text: str | list[str] = "text"
    created_at: str = "created_at"
    platform: str | None = "platform"
    default_platform: Platform | None = None
    author: str | None = "author"
    url: str | None = None
    language: str | None = None
    metrics: dict[str, str] = Field(default_factory=dict)


class CsvConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    path: Path
    mapping: CsvMapping = Field(default_factory=CsvMapping)
    delimiter: str = ","
    page_size: int = Field(default=500, ge=1)


class CsvConnector:
    """A CSV file whose columns map onto veilleur records."""

    name: ClassVar[str] = "csv"
    Config: ClassVar[type[BaseModel]] = CsvConfig

    def __init__(self, config: CsvConfig):
        self.config = config
        self.path = config.path
        self._header: list[str] | None = None

    @property
    def source(self) -> str:
        return f"file:{self.path.resolve()}"

    def _read_header(self, handle: io.BufferedReader) -> tuple[list[str], int]:
        first = handle.readline()
        try:
            header = next(csv.reader([first.decode("utf-8-sig")], delimiter=self.config.delimiter))
        except (UnicodeDecodeError, StopIteration) as exc:
            raise MalformedPayload("the CSV header is missing or not UTF-8", f"{self.path.name}:1") from exc
        return [h.strip() for h in header], len(first)

    def fetch(self, since: str | None = None) -> Iterator[Page]:
        with self.path.open("rb") as handle:
            self._header, header_end = self._read_header(handle)
            offset, line_no = _resume_offset(self.path, since)
            offset, line_no = max(offset, header_end), max(line_no, 1)
            handle.seek(offset)
            records: list[RawRecord] = []
            pending, start_line = b"", line_no + 1
            for raw in handle:
                line_no += 1
                offset += len(raw)
                pending += raw
                if pending.count(b'"') % 2:  # a quoted field goes on to the next line
                    continue
                if pending.strip():
                    records.append(RawRecord(pending, f"{self.path.name}:{start_line}"))
                pending, start_line = b"", line_no + 1
                if len(records) >= self.config.page_size:
                    yield Page(records, _checkpoint(self.path, offset, line_no))
                    records = []
            if pending.strip():
                records.append(RawRecord(pending, f"{self.path.name}:{start_line}"))
            if records or since is None:
                yield Page(records, _checkpoint(self.path, offset, line_no))

    def parse(self, record: RawRecord) -> list[Post]:
        if self._header is None:
            with self.path.open("rb") as handle:
                self._header, _ = self._read_header(handle)
        try:
            text = record.raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MalformedPayload(f"invalid UTF-8 at byte {exc.start}", record.location) from exc
        rows = list(csv.reader(io.StringIO(text), delimiter=self.config.delimiter))
        if len(rows) != 1 or len(rows[0]) != len(self._header):
            got = len(rows[0]) if rows else 0
            raise MalformedPayload(f"expected {len(self._header)} columns, found {got}", record.location)
        try:
            return [record_to_post(self._to_record(dict(zip(self._header, rows[0], strict=True))))]
        except MalformedPayload as exc:
            raise type(exc)(exc.reason, record.location) from exc

    def _to_record(self, row: dict[str, str]) -> dict[str, Any]:
        m = self.config.mapping
        texts = [m.text] if isinstance(m.text, str) else m.text
        for column in [m.id, m.created_at, *texts]:
            if column not in row:
                raise MalformedPayload(f"column {column!r} is not in the file")
        platform = row.get(m.platform) if m.platform else None
        metrics = {}
        for name, column in m.metrics.items():
            value = row.get(column, "").strip()
            if value:
                if not value.isdigit():
                    raise MalformedPayload(f"{column} must be a whole number, got {value!r}")
                metrics[name] = int(value)
        return {
            "id": row[m.id], "created_at": row[m.created_at],
            "text": "\n".join(row[c].strip() for c in texts if row[c].strip()),
            "platform": platform or (m.default_platform.value if m.default_platform else None),
            "author": row.get(m.author) if m.author else None, "url": row.get(m.url) if m.url else None,
            "lang": row.get(m.language) if m.language else None, "metrics": metrics, "csv": row,
        }
