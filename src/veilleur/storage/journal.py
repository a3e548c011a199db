"""The journal's SQL and its hash chain: append, read in id order, purge runs and their anchors.

Each entry's ``hash`` is the SHA-256 of the canonical JSON (keys sorted, compact, UTF-8) of its
fields ``id, at, actor, action, record_type, subject, details, prev_hash``, where ``prev_hash``
is the previous entry's hash (64 zeros for the first). The id is inside the hash, so renumbering
or reordering entries breaks it. Appenders lock the one ``journal_head`` row first, so entries
are chained one writer at a time on both back ends; the head also keeps the last id and hash,
so that deleting the tail shows. ``at`` is hashed as UTC with microseconds ("…T08:00:00.000000Z"),
which both back ends give back exactly; ``details`` is hashed as it reads back from the database
(JSON round trip done before hashing).

What is verified, exported and purged (the rules) lives in ``compliance.journal``; this module
holds the SQL. Imports SQLAlchemy, orjson and ``storage.tables``.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection

from veilleur.storage.base import utc
from veilleur.storage.bulk import executemany
from veilleur.storage.tables import journal, journal_anchors, journal_head

GENESIS = "0" * 64
HEAD = "journal"
CHUNK = 5_000


@dataclass(slots=True)
class NewEntry:
    """An entry to append: who did what, of which record type, on what, with which details."""

    actor: str
    action: str
    record_type: str
    subject: str | None
    details: dict[str, Any]


@dataclass(slots=True)
class Entry:
    """An entry as stored."""

    id: int
    at: datetime
    actor: str
    action: str
    record_type: str
    subject: str | None
    details: dict[str, Any]
    prev_hash: str
    hash: str

    def fields(self) -> dict[str, Any]:
        """What the hash covers."""
        return {"id": self.id, "at": iso(self.at), "actor": self.actor, "action": self.action,
                "record_type": self.record_type, "subject": self.subject, "details": self.details,
                "prev_hash": self.prev_hash}

    def computed_hash(self, as_id: int | None = None) -> str:
        """The hash of the entry's fields (with another id if ``as_id`` is given)."""
        fields = self.fields()
        if as_id is not None:
            fields["id"] = as_id
        return digest(fields)

    def to_json(self) -> dict[str, Any]:
        return {**self.fields(), "hash": self.hash}


@dataclass(slots=True)
class Anchor:
    """Consecutive entries ``first_id..last_id`` deleted by a purge, and the hashes around them."""

    first_id: int
    last_id: int
    prev_hash: str
    last_hash: str
    count: int
    purged_at: datetime | None = None


def iso(at: datetime) -> str:
    """A time as hashed and exported: UTC, microseconds, 'Z' (a naive time is taken as UTC)."""
    return utc(at).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(fields: dict[str, Any]) -> bytes:
    return orjson.dumps(fields, option=orjson.OPT_SORT_KEYS)


def digest(fields: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(fields)).hexdigest()


def normalise(details: dict[str, Any]) -> dict[str, Any]:
    """``details`` as it will read back from a JSON column (dates as text, keys as strings)."""
    return orjson.loads(orjson.dumps(details, option=orjson.OPT_NON_STR_KEYS))


# -- writing -----------------------------------------------------------------------------------
def append(conn: Connection, entries: Sequence[NewEntry], now: datetime | None = None) -> list[Entry]:
    """Chain and insert ``entries`` in the caller's transaction (one bulk insert)."""
    if not entries:
        return []
    last_id, prev = lock_head(conn)
    at = (now or datetime.now(UTC)).astimezone(UTC)
    at_text = iso(at)  # the same for every entry: formatted once
    written, rows = [], []
    for new in entries:
        last_id += 1
        details = normalise(new.details)
        # Entry.fields(), built here directly (``computed_hash`` gives the same hash)
        entry_hash = digest({"id": last_id, "at": at_text, "actor": new.actor, "action": new.action,
                             "record_type": new.record_type, "subject": new.subject, "details": details,
                             "prev_hash": prev})
        written.append(Entry(last_id, at, new.actor, new.action, new.record_type, new.subject, details, prev,
                             entry_hash))
        rows.append({"id": last_id, "at": at, "actor": new.actor, "action": new.action,
                     "record_type": new.record_type, "subject": new.subject, "details": details,
                     "prev_hash": prev, "hash": entry_hash})
        prev = entry_hash
    executemany(conn, insert(journal), rows, key="journal_append")
    conn.execute(update(journal_head).where(journal_head.c.name == HEAD)
                 .values(last_id=last_id, last_hash=prev, updated_at=at))
    return written


def lock_head(conn: Connection) -> tuple[int, str]:
    """Lock the head row (creating it if needed) and return the last id and hash."""
    # A no-op UPDATE takes the row lock on PostgreSQL and the write lock on SQLite before the read.
    locked = conn.execute(update(journal_head).where(journal_head.c.name == HEAD)
                          .values(last_id=journal_head.c.last_id))
    if locked.rowcount == 0:
        last_id, last_hash = _tip(conn)
        conn.execute(insert(journal_head).values(name=HEAD, last_id=last_id, last_hash=last_hash,
                                                 updated_at=datetime.now(UTC)))
    row = conn.execute(select(journal_head.c.last_id, journal_head.c.last_hash)
                       .where(journal_head.c.name == HEAD)).one()
    return int(row.last_id), row.last_hash


def _tip(conn: Connection) -> tuple[int, str]:
    """The last entry written, kept or purged (for a head that was never created)."""
    last = conn.execute(select(journal.c.id, journal.c.hash).order_by(journal.c.id.desc()).limit(1)).first()
    anchor = conn.execute(select(journal_anchors.c.last_id, journal_anchors.c.last_hash)
                          .order_by(journal_anchors.c.last_id.desc()).limit(1)).first()
    candidates = [(int(r[0]), r[1]) for r in (last, anchor) if r is not None]
    return max(candidates) if candidates else (0, GENESIS)


# -- reading -----------------------------------------------------------------------------------
def head(conn: Connection) -> tuple[int, str] | None:
    row = conn.execute(select(journal_head.c.last_id, journal_head.c.last_hash)
                       .where(journal_head.c.name == HEAD)).first()
    return (int(row.last_id), row.last_hash) if row else None


def entries(conn: Connection, start: datetime | None = None, end: datetime | None = None,
            after_id: int = 0) -> Iterator[Entry]:
    """Entries in id order (``start <= at < end`` when given), read in chunks."""
    while True:
        query = select(journal).where(journal.c.id > after_id).order_by(journal.c.id).limit(CHUNK)
        if start is not None:
            query = query.where(journal.c.at >= start)
        if end is not None:
            query = query.where(journal.c.at < end)
        rows = conn.execute(query).all()
        for r in rows:
            yield Entry(int(r.id), utc(r.at), r.actor, r.action, r.record_type, r.subject, r.details,
                        r.prev_hash, r.hash)
        if len(rows) < CHUNK:
            return
        after_id = int(rows[-1].id)


def latest(conn: Connection, record_type: str) -> Entry | None:
    """The newest entry of a record type."""
    r = conn.execute(select(journal).where(journal.c.record_type == record_type)
                     .order_by(journal.c.id.desc()).limit(1)).first()
    if r is None:
        return None
    return Entry(int(r.id), utc(r.at), r.actor, r.action, r.record_type, r.subject, r.details, r.prev_hash, r.hash)


def count(conn: Connection) -> int:
    return conn.execute(select(func.count()).select_from(journal)).scalar_one()


def anchors(conn: Connection) -> list[Anchor]:
    rows = conn.execute(select(journal_anchors).order_by(journal_anchors.c.first_id))
    return [Anchor(int(r.first_id), int(r.last_id), r.prev_hash, r.last_hash, int(r.count), utc(r.purged_at))
            for r in rows]


def expired(conn: Connection, cutoffs: dict[str, datetime], default_cutoff: datetime,
            up_to_id: int) -> list[tuple[int, str, str, str]]:
    """(id, record type, prev_hash, hash) of the entries older than their type's cutoff, by id."""
    found = []
    for record_type, cutoff in cutoffs.items():
        found += conn.execute(select(journal.c.id, journal.c.record_type, journal.c.prev_hash, journal.c.hash)
                              .where(journal.c.record_type == record_type, journal.c.at < cutoff,
                                     journal.c.id <= up_to_id)).all()
    found += conn.execute(select(journal.c.id, journal.c.record_type, journal.c.prev_hash, journal.c.hash)
                          .where(journal.c.record_type.not_in(list(cutoffs)), journal.c.at < default_cutoff,
                                 journal.c.id <= up_to_id)).all()
    return sorted((int(i), t, p, h) for i, t, p, h in found)


def delete_runs(conn: Connection, runs: Sequence[Anchor]) -> int:
    """Delete the entries of each run (consecutive ids, all present)."""
    deleted = 0
    for run in runs:
        deleted += conn.execute(delete(journal).where(journal.c.id.between(run.first_id, run.last_id))).rowcount
    return deleted


def replace_anchors(conn: Connection, merged: Sequence[Anchor]) -> None:
    """Put ``merged`` (every anchor, old ones merged with new runs) in place of the old anchors."""
    conn.execute(delete(journal_anchors))
    if merged:
        conn.execute(insert(journal_anchors), [
            {"first_id": a.first_id, "last_id": a.last_id, "prev_hash": a.prev_hash, "last_hash": a.last_hash,
             "count": a.count, "purged_at": a.purged_at} for a in merged])
