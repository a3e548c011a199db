"""The journal a regulator can trust: who did what, when, on what — append-only and hash-chained.

Every post received, every analysis, every reply and private message sent, every case action,
every unmasking, every setting change and every GDPR request is one entry. Each entry carries the
hash of the previous one (``storage.journal`` gives the exact rule), so ``verify`` sees any
changed, deleted, inserted or reordered entry and says which. ``export`` writes a period as JSON
Lines with a manifest of hashes for an external archive: kept elsewhere, the manifests are what
proves that the database itself was not rewritten wholesale (a hash chain kept in one database
can be recomputed by whoever can write to all of it). ``purge`` deletes the entries past their
record type's retention and records each run of deleted entries as an anchor (the hashes before
and after it), so that verification still walks the whole chain.

An entry must hold no personal data beyond identifiers of records (post ids, author ids, a
pseudonym): a GDPR erasure leaves the journal as it is, and it must then say nothing of the
person. Callers pass ids and labels, never texts, handles or names.

Imports ``storage``, ``compliance.storage_settings`` and ``errors``.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy.engine import Connection

from veilleur.compliance.storage_settings import RECORD_TYPES
from veilleur.errors import VeilleurError
from veilleur.storage import journal as chain
from veilleur.storage.journal import GENESIS, Anchor, Entry, NewEntry
from veilleur.storage.sql import SqlStore, StoredPost

REORDER_WINDOW = 64  # how far from its place a moved entry is looked for
MAX_PROBLEMS = 1_000
SYSTEM_INGEST = "system:ingest"


class JournalError(VeilleurError):
    """The journal cannot do what was asked (unknown record type, broken chain before a purge)."""


@dataclass(slots=True)
class Problem:
    """Where the chain breaks: the entry id, what kind of break, and a sentence."""

    id: int
    kind: str  # changed, hash_changed, rewritten, missing, reordered, head, anchor
    message: str


@dataclass(slots=True)
class Verification:
    """What ``verify`` found."""

    checked: int = 0
    first_id: int | None = None
    last_id: int | None = None
    last_hash: str = GENESIS
    anchors: int = 0
    problems: list[Problem] = field(default_factory=list)
    more_problems: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, problem: Problem) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)
        else:
            self.more_problems += 1


@dataclass(slots=True)
class ExportReport:
    path: Path
    manifest: Path
    count: int
    first_id: int | None
    last_id: int | None
    first_hash: str | None
    last_hash: str | None
    sha256: str


@dataclass(slots=True)
class PurgeReport:
    deleted: int = 0
    by_type: dict[str, int] = field(default_factory=dict)
    anchors: list[Anchor] = field(default_factory=list)


class Journal:
    """The journal of one store."""

    def __init__(self, store: SqlStore):
        self.store = store

    # -- writing -------------------------------------------------------------------------------
    def append(self, actor: str, action: str, record_type: str, subject: str | None,
               details: dict[str, Any] | None = None, conn: Connection | None = None) -> Entry:
        """Append one entry; in the caller's transaction when ``conn`` is given."""
        return self.append_many([NewEntry(actor, action, record_type, subject, details or {})], conn)[0]

    def append_many(self, entries: Sequence[NewEntry], conn: Connection | None = None) -> list[Entry]:
        """Append entries in order, hashed in one pass and inserted at once."""
        for entry in entries:
            if entry.record_type not in RECORD_TYPES:
                raise JournalError(f"unknown record type {entry.record_type!r} (known: {', '.join(RECORD_TYPES)})")
        if conn is not None:
            return chain.append(conn, entries)
        with self.store.engine.begin() as own:
            return chain.append(own, entries)

    def record_ingest(self, conn: Connection, stored: Sequence[StoredPost], source: str | None,
                      actor: str = SYSTEM_INGEST) -> list[Entry]:
        """A ``post_received`` and an ``analysis`` entry per stored post (``SqlStore.save``'s hook)."""
        return chain.append(conn, ingest_entries(stored, source, actor))

    # -- checking ------------------------------------------------------------------------------
    def verify(self) -> Verification:
        """Walk the whole chain; every break is located (entry id) and explained."""
        with self.store.engine.connect() as conn:
            walker = _Walker(chain.anchors(conn), chain.head(conn))
            for entry in chain.entries(conn):
                walker.step(entry)
            return walker.finish()

    # -- archiving -----------------------------------------------------------------------------
    def export(self, start: date | datetime, end: date | datetime, path: str | Path) -> ExportReport:
        """Write the entries with ``start <= at`` and ``at`` before ``end`` (a date: to the end of that
        day, UTC) as JSON Lines, and a manifest beside it (``<file>.manifest.json``)."""
        path = Path(path)
        low, high = _moment(start), _moment(end, end_of_day=True)
        verified = self.verify()
        sha = hashlib.sha256()
        count, first, last = 0, None, None
        gaps, prev = [], None
        with self.store.engine.connect() as conn, path.open("wb") as handle:
            for entry in chain.entries(conn, low, high):
                line = orjson.dumps(entry.to_json(), option=orjson.OPT_SORT_KEYS) + b"\n"
                handle.write(line)
                sha.update(line)
                count += 1
                first = first or entry
                if prev is not None and entry.prev_hash != prev.hash:
                    gaps.append({"after_id": prev.id, "before_id": entry.id})
                prev = last = entry
        manifest = {
            "journal": "veilleur", "from": low.isoformat(), "to": high.isoformat(), "file": path.name,
            "count": count, "first_id": first.id if first else None, "last_id": last.id if last else None,
            "first_prev_hash": first.prev_hash if first else None,
            "first_hash": first.hash if first else None, "last_hash": last.hash if last else None,
            "sha256": sha.hexdigest(), "gaps": gaps, "chain_verified": verified.ok,
            "exported_at": datetime.now(UTC).isoformat(),
            "hash_rule": "each line's hash is the SHA-256 of the line's JSON without its 'hash' key, keys "
                         "sorted, no spaces, UTF-8; prev_hash is the previous entry's hash ('0'*64 for the first)",
        }
        manifest_path = path.with_name(path.name + ".manifest.json")
        manifest_path.write_bytes(orjson.dumps(manifest, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS))
        return ExportReport(path, manifest_path, count, manifest["first_id"], manifest["last_id"],
                            manifest["first_hash"], manifest["last_hash"], manifest["sha256"])

    # -- retention -----------------------------------------------------------------------------
    def purge(self, now: datetime | None = None, actor: str = "system:retention") -> PurgeReport:
        """Delete the entries past their record type's retention (``compliance_storage``).

        Refuses to run on a broken chain (a purge must not launder a tampering). Each run of
        consecutive deleted entries becomes an anchor, merged with the anchors beside it, and the
        purge itself is journaled. Everything happens in one transaction.
        """
        now = _moment(now or datetime.now(UTC))
        found = self.verify()
        if not found.ok:
            raise JournalError("the journal does not verify, nothing purged: " + found.problems[0].message)
        settings = self.store.compliance
        cutoffs = {t: now - timedelta(days=settings.retention_for(t)) for t in RECORD_TYPES}
        default_cutoff = now - timedelta(days=settings.default_retention_days)
        report = PurgeReport()
        with self.store.engine.begin() as conn:
            last_id, _ = chain.lock_head(conn)
            expired = chain.expired(conn, cutoffs, default_cutoff, last_id)
            if not expired:
                return report
            runs = _runs(expired, now)
            report.deleted = chain.delete_runs(conn, runs)
            for _, record_type, _, _ in expired:
                report.by_type[record_type] = report.by_type.get(record_type, 0) + 1
            report.anchors = _merge([*chain.anchors(conn), *runs])
            chain.replace_anchors(conn, report.anchors)
            chain.append(conn, [NewEntry(actor, "purge", "journal_purge", None, {
                "deleted": report.deleted, "by_type": report.by_type,
                "runs": [{"first_id": r.first_id, "last_id": r.last_id, "last_hash": r.last_hash} for r in runs],
                "now": now.isoformat()})], now=datetime.now(UTC))
        return report


def ingest_entries(stored: Iterable[StoredPost], source: str | None, actor: str = SYSTEM_INGEST) -> list[NewEntry]:
    """The journal entries of an ingested page: what was received, and what the analysis said.

    No text and no author: the post's id, platform and platform id, and the labels.
    """
    entries = []
    for doc, post_id, inserted in stored:
        post, a = doc.post, doc.analysis
        subject = f"post:{post_id}"
        entries.append(NewEntry(actor, "received" if inserted else "received_again", "post_received", subject,
                                {"platform": post.platform.value, "external_id": post.external_id,
                                 "source": source}))
        entries.append(NewEntry(actor, "analysed", "analysis", subject, {
            "language": a.language, "bank": a.bank, "entity": a.entity, "sentiment": a.sentiment,
            "intent": a.intent, "topics": a.topics, "abusive": a.abusive, "urgency": a.urgency, "pii": a.pii,
            "versions": a.versions}))
    return entries


def verify_export(path: str | Path) -> list[str]:
    """Check an exported file against its manifest and its own hashes; the problems found (none: intact)."""
    path = Path(path)
    manifest = orjson.loads(path.with_name(path.name + ".manifest.json").read_bytes())
    data = path.read_bytes()
    problems = []
    if hashlib.sha256(data).hexdigest() != manifest["sha256"]:
        problems.append("the file's SHA-256 is not the manifest's")
    lines = [orjson.loads(line) for line in data.splitlines() if line]
    if len(lines) != manifest["count"]:
        problems.append(f"{len(lines)} entries, the manifest says {manifest['count']}")
    gaps = {(g["after_id"], g["before_id"]) for g in manifest.get("gaps", [])}
    previous = None
    for entry in lines:
        fields = {k: v for k, v in entry.items() if k != "hash"}
        if chain.digest(fields) != entry["hash"]:
            problems.append(f"entry {entry['id']}: its content does not match its hash")
        if previous and entry["prev_hash"] != previous["hash"] and (previous["id"], entry["id"]) not in gaps:
            problems.append(f"entry {entry['id']} does not follow entry {previous['id']}")
        previous = entry
    if lines and (lines[0]["hash"], lines[-1]["hash"]) != (manifest["first_hash"], manifest["last_hash"]):
        problems.append("the first or last hash is not the manifest's")
    return problems


class _Walker:
    """The state of a verification walking the entries in id order."""

    def __init__(self, anchors: list[Anchor], head: tuple[int, str] | None):
        self.anchors = {a.first_id: a for a in anchors}
        self.used: set[int] = set()
        self.head = head
        self.result = Verification()
        self.last = 0
        self.expected = {GENESIS}
        self.pending: tuple[Entry, str] | None = None  # an entry whose hash did not match, judged by the next
        self.explained: set[str] = set()  # hashes of entries found moved: links to them are explained

    def step(self, entry: Entry) -> None:
        r = self.result
        r.checked += 1
        r.first_id = entry.id if r.first_id is None else r.first_id
        self._cross_anchors(entry.id)
        self._judge_pending(entry)
        computed = entry.computed_hash()
        moved_from = self._moved_from(entry) if computed != entry.hash else None
        if entry.id != self.last + 1:
            r.add(Problem(self.last + 1, "missing", _missing(self.last + 1, entry.id - 1)
                          + f": entry {entry.id} follows entry {self.last or 'none'} and no purge anchor covers them"))
        elif entry.prev_hash not in self.expected and entry.prev_hash not in self.explained and moved_from is None:
            r.add(Problem(entry.id, "rewritten", f"entry {entry.id} does not link to entry {self.last}: "
                          f"entry {self.last} was rewritten with a new hash, or entry {entry.id}'s prev_hash changed"))
        if moved_from is not None:
            r.add(Problem(entry.id, "reordered", f"entry {entry.id} holds the entry written as {moved_from}: "
                          "entries were reordered or renumbered"))
            self.explained.add(entry.hash)
            self.expected = {entry.hash}
        elif computed != entry.hash:
            self.pending = (entry, computed)
            self.expected = {entry.hash, computed}
        else:
            self.expected = {entry.hash}
        self.last = entry.id
        r.last_id, r.last_hash = entry.id, entry.hash

    def finish(self) -> Verification:
        r = self.result
        self._cross_anchors(None)
        if self.pending is not None:
            entry, computed = self.pending
            kind = "hash_changed" if self.head and self.head[1] == computed else "changed"
            r.add(Problem(entry.id, kind, _changed(entry.id, kind)))
        if self.head is None:
            if r.checked or self.anchors:
                r.add(Problem(self.last + 1, "head", "the journal head (last id and hash) is missing: deleted?"))
        elif self.head[0] > self.last:
            r.add(Problem(self.last + 1, "missing", _missing(self.last + 1, self.head[0])
                          + f": the journal's head says it ends at entry {self.head[0]}"))
        elif self.head[0] < self.last:
            r.add(Problem(self.head[0] + 1, "head", f"entries {self.head[0] + 1}..{self.last} come after the "
                          "journal's head: written outside veilleur"))
        elif self.head[1] not in self.expected and not r.problems:
            r.add(Problem(self.last, "head", f"the last entry ({self.last}) is not the one the head recorded: "
                          "rewritten"))
        for first_id, anchor in self.anchors.items():
            if first_id not in self.used:
                r.add(Problem(first_id, "anchor", f"the purge anchor of entries {first_id}..{anchor.last_id} "
                              "does not fit the chain"))
        r.anchors = len(self.used)
        return r

    def _cross_anchors(self, next_id: int | None) -> None:
        """Walk across purged runs that start right after the last entry seen."""
        while (anchor := self.anchors.get(self.last + 1)) is not None and (next_id is None or anchor.last_id < next_id):
            if anchor.prev_hash not in self.expected and anchor.prev_hash not in self.explained:
                self.result.add(Problem(anchor.first_id, "anchor", f"the purge anchor of entries {anchor.first_id}.."
                                        f"{anchor.last_id} does not link to entry {self.last}"))
            self.used.add(anchor.first_id)
            self.expected = {anchor.last_hash}
            self.last = anchor.last_id

    def _judge_pending(self, entry: Entry) -> None:
        """A previous entry's hash did not match: this entry's link tells whether its content or its hash changed."""
        if self.pending is None:
            return
        previous, computed = self.pending
        kind = "hash_changed" if entry.prev_hash == computed and entry.prev_hash != previous.hash else "changed"
        self.result.add(Problem(previous.id, kind, _changed(previous.id, kind)))
        self.pending = None

    def _moved_from(self, entry: Entry) -> int | None:
        """The id this entry was written with, if it sits at another place (nearby)."""
        for delta in range(1, REORDER_WINDOW + 1):
            for candidate in (entry.id - delta, entry.id + delta):
                if candidate > 0 and entry.computed_hash(as_id=candidate) == entry.hash:
                    return candidate
        return None


def _changed(entry_id: int, kind: str) -> str:
    if kind == "hash_changed":
        return f"entry {entry_id}: its stored hash was changed (its content still matches the chain)"
    return f"entry {entry_id}: its content was changed after it was written (it no longer matches its hash)"


def _missing(first: int, last: int) -> str:
    return f"entry {first} is missing (deleted)" if first == last else f"entries {first}..{last} are missing (deleted)"


def _runs(expired: list[tuple[int, str, str, str]], now: datetime) -> list[Anchor]:
    """Consecutive ids among the expired entries, as anchors."""
    runs: list[Anchor] = []
    for entry_id, _, prev_hash, entry_hash in expired:
        if runs and runs[-1].last_id == entry_id - 1:
            runs[-1].last_id, runs[-1].last_hash = entry_id, entry_hash
            runs[-1].count += 1
        else:
            runs.append(Anchor(entry_id, entry_id, prev_hash, entry_hash, 1, now))
    return runs


def _merge(anchors: list[Anchor]) -> list[Anchor]:
    """Anchors side by side (one ends where the next begins) become one."""
    merged: list[Anchor] = []
    for anchor in sorted(anchors, key=lambda a: a.first_id):
        if merged and merged[-1].last_id + 1 == anchor.first_id:
            last = merged[-1]
            last.last_id, last.last_hash = anchor.last_id, anchor.last_hash
            last.count += anchor.count
            last.purged_at = max(filter(None, (last.purged_at, anchor.purged_at)), default=None)
        else:
            merged.append(Anchor(anchor.first_id, anchor.last_id, anchor.prev_hash, anchor.last_hash,
                                 anchor.count, anchor.purged_at))
    return merged


def _moment(value: date | datetime, end_of_day: bool = False) -> datetime:
    """A UTC time from a date (its start, or the start of the next day) or a time (naive = UTC)."""
    if not isinstance(value, datetime):
        value = datetime.combine(value + timedelta(days=1) if end_of_day else value, time(), tzinfo=UTC)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
