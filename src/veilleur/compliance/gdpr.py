"""Personal-data rights (GDPR art. 15 and 17): export everything held about a person, or erase it.

A person is named by a handle (``@jdupont`` or ``jdupont``); every author row with that handle,
on every platform, is theirs. What is held about them is gathered by *parts*, each with an
exporter and an eraser, run in order in one transaction:

- ``authors``: their author rows (handle, name, bio, URL, followers);
- ``posts``: their posts (masked text, the original when it is encrypted and the key is
  configured, URL, raw payload, metrics);
- ``analyses``: the analyses of their posts;
- ``mentions``: other people's posts that name their handle (the handle is replaced there);
- ``dead_letters``: records that could not be processed and hold their handle or name;
- ``legal_holds``: the holds on them or on their posts.

Rooms that keep more about a person (the inbox's cases, messages and drafts, caches) register
their own part with ``register(name, export, erase)``; an exporter returns JSON-able data, an
eraser returns how many records it changed, both get the connection of the one transaction.

Erasure leaves tombstones (``storage.personal``): rows stay, so every statistics count is
unchanged, but their content becomes "[effacé]" and the handle a random pseudonym
("effacé-3f9a1c2b0e") that links the person's tombstones together and to nothing else. Records
under a legal hold are kept (GDPR art. 17(3)(e)): a hold on the person refuses the whole erasure,
and says why; a hold on some of their posts keeps those posts and the author row they belong to,
and the rest is erased. Both requests are journaled, naming the author row ids and the pseudonym
only, never the handle or anything erased.

Imports ``storage``, ``compliance.journal`` and ``errors``.
"""
from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Connection

from veilleur.errors import VeilleurError
from veilleur.storage import journal as chain
from veilleur.storage import masking, personal
from veilleur.storage.base import utc
from veilleur.storage.journal import NewEntry
from veilleur.storage.sql import SqlStore

ACTOR = "system:gdpr"


class GdprError(VeilleurError):
    """A personal-data request cannot be carried out as asked."""


class ErasureRefused(GdprError):
    """The person is under a legal hold: nothing was erased. ``holds`` are the holds in force."""

    def __init__(self, message: str, holds: list[dict[str, Any]]):
        super().__init__(message)
        self.holds = holds


@dataclass(slots=True)
class Person:
    """What a request is about: the handle asked for and the records found."""

    handle: str  # without @, lower case
    now: datetime
    authors: list[dict[str, Any]]
    posts: list[dict[str, Any]]
    holds: list[dict[str, Any]]  # every hold on the person or their posts, in force or not
    pseudonym: str = ""
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def author_ids(self) -> list[int]:
        return [a["id"] for a in self.authors]

    @property
    def subject(self) -> str:
        """The journal's subject: author row ids, which say nothing once the rows are tombstones."""
        return "authors:" + (",".join(map(str, self.author_ids)) or "none")

    @property
    def names(self) -> list[str]:
        """The handle and display names, to look for in free text (short names are too ambiguous)."""
        names = {self.handle} | {a["display_name"] for a in self.authors if a["display_name"]}
        return sorted(n for n in names if len(n) >= 4)

    def active(self, hold: dict[str, Any]) -> bool:
        return hold["until"] is None or utc(hold["until"]) > self.now

    def person_holds(self) -> list[dict[str, Any]]:
        """Holds in force on the person themselves."""
        return [h for h in self.holds if h["subject"].startswith("author:") and self.active(h)]

    def held_posts(self) -> dict[int, list[dict[str, Any]]]:
        """Post id → holds in force on it."""
        keys = {_post_subject(p["platform"], p["external_id"]): p["id"] for p in self.posts}
        held: dict[int, list[dict[str, Any]]] = {}
        for hold in self.holds:
            if hold["subject"] in keys and self.active(hold):
                held.setdefault(keys[hold["subject"]], []).append(hold)
        return held

    def erasable_posts(self) -> list[dict[str, Any]]:
        held = self.held_posts()
        return [p for p in self.posts if p["id"] not in held]

    def kept_authors(self) -> set[int]:
        """Author rows kept because a held post belongs to them."""
        held = self.held_posts()
        return {p["author_id"] for p in self.posts if p["id"] in held}


Exporter = Callable[[Connection, Person, SqlStore], Any]
Eraser = Callable[[Connection, Person, SqlStore], int]


@dataclass(frozen=True, slots=True)
class Part:
    name: str
    export: Exporter
    erase: Eraser | None = None


PARTS: dict[str, Part] = {}


def register(name: str, export: Exporter, erase: Eraser | None = None, *, replace: bool = False) -> None:
    """Add what a room holds about people to every export and erasure (e.g. the inbox's cases)."""
    if name in PARTS and not replace:
        raise GdprError(f"a personal-data part named {name!r} is already registered")
    PARTS[name] = Part(name, export, erase)


@dataclass(slots=True)
class ErasureReport:
    """What an erasure did."""

    pseudonym: str
    author_ids: list[int]
    changed: dict[str, int] = field(default_factory=dict)
    held_posts: dict[int, list[int]] = field(default_factory=dict)  # post id → legal hold ids

    @property
    def found(self) -> bool:
        return bool(self.author_ids) or any(self.changed.values())


class Gdpr:
    """Export and erasure over one store, with every part registered."""

    def __init__(self, store: SqlStore):
        self.store = store

    def export(self, author: str, actor: str = ACTOR, now: datetime | None = None) -> dict[str, Any]:
        """Everything held about ``author`` as JSON-able data; journaled (``gdpr_export``)."""
        with self.store.engine.begin() as conn:
            chain.lock_head(conn)  # the write lock first: SQLite cannot upgrade a read past a newer write
            person = self._person(conn, author, now)
            data: dict[str, Any] = {"request": {"handle": author, "exported_at": person.now.isoformat()}}
            for part in PARTS.values():
                data[part.name] = part.export(conn, person, self.store)
            counts = {k: len(v) for k, v in data.items() if isinstance(v, list)}
            chain.append(conn, [NewEntry(actor, "export", "gdpr_export", person.subject,
                                         {"records": counts, **person.notes})])
        return data

    def erase(self, author: str, actor: str = ACTOR, now: datetime | None = None) -> ErasureReport:
        """Erase ``author`` everywhere, leaving tombstones; raises ``ErasureRefused`` under a legal hold."""
        with self.store.engine.begin() as conn:
            chain.lock_head(conn)
            person = self._person(conn, author, now)
            blocking = person.person_holds()
            if blocking:
                chain.append(conn, [NewEntry(actor, "erase_refused", "gdpr_erase", person.subject,
                                             {"legal_holds": [h["id"] for h in blocking]})])
            else:
                report = self._erase(conn, person, actor)
        if blocking:
            raise ErasureRefused(_refusal(author, blocking), blocking)
        return report

    def _erase(self, conn: Connection, person: Person, actor: str) -> ErasureReport:
        person.pseudonym = "effacé-" + secrets.token_hex(5)
        report = ErasureReport(person.pseudonym, person.author_ids)
        report.held_posts = {post_id: [h["id"] for h in holds] for post_id, holds in person.held_posts().items()}
        personal.secure_delete(conn, True)
        try:
            for part in PARTS.values():
                if part.erase is not None:
                    report.changed[part.name] = part.erase(conn, person, self.store)
            personal.compact_search_index(conn)
        finally:
            personal.secure_delete(conn, False)
        chain.append(conn, [NewEntry(actor, "erase", "gdpr_erase", person.subject, {
            "pseudonym": person.pseudonym, "changed": report.changed,
            "held_posts": {str(k): v for k, v in report.held_posts.items()}})])
        return report

    def hold(self, subject: str, reason: str, until: datetime | None, set_by: str) -> int:
        """Put a legal hold on ``author:<handle>``, ``author:<platform>:<handle>`` or
        ``post:<platform>:<external id>`` (``@handle`` alone means ``author:handle``); journaled."""
        if not reason.strip():
            raise GdprError("a legal hold needs a reason")
        now = datetime.now(UTC)
        subject = normalise_subject(subject)
        with self.store.engine.begin() as conn:
            hold_id = personal.add_hold(conn, subject, reason, until, set_by, now)
            chain.append(conn, [NewEntry(set_by, "set", "legal_hold", f"legal_hold:{hold_id}", {
                "kind": subject.split(":", 1)[0], "until": until.isoformat() if until else None})])
        return hold_id

    def _person(self, conn: Connection, author: str, now: datetime | None) -> Person:
        handle = personal.clean_handle(author)
        if not handle:
            raise GdprError("give the person's handle (e.g. @jdupont)")
        found = personal.authors_by_handle(conn, handle)
        posts = personal.posts_by_authors(conn, [a["id"] for a in found])
        subjects = {f"author:{handle}"} | {f"author:{a['platform']}:{handle}" for a in found}
        subjects |= {_post_subject(p["platform"], p["external_id"]) for p in posts}
        holds = [h for h in personal.holds(conn) if h["subject"] in subjects]
        return Person(handle, utc(now or datetime.now(UTC)), found, posts, holds)


def normalise_subject(subject: str) -> str:
    """A hold's subject as stored: handles without @ and in lower case, platforms in lower case."""
    subject = subject.strip()
    if subject.startswith("@"):
        subject = "author:" + subject
    kind, _, rest = subject.partition(":")
    parts = rest.split(":")
    if kind == "author" and len(parts) == 1 and parts[0]:
        return f"author:{personal.clean_handle(parts[0])}"
    if kind == "author" and len(parts) == 2 and all(parts):
        return f"author:{parts[0].lower()}:{personal.clean_handle(parts[1])}"
    if kind == "post" and len(parts) >= 2 and parts[0]:
        return f"post:{parts[0].lower()}:{':'.join(parts[1:])}"
    if kind in ("author", "post"):
        raise GdprError(f"{subject!r}: expected author:<handle>, author:<platform>:<handle> or "
                        "post:<platform>:<external id>")
    return subject  # another room's subject ("case:12")


def _post_subject(platform: str, external_id: str) -> str:
    return f"post:{platform}:{external_id}"


def _refusal(author: str, holds: list[dict[str, Any]]) -> str:
    lines = [f"{author} is under legal hold, nothing was erased: records under a legal hold are kept "
             "(GDPR art. 17(3)(e), legal claims)."]
    for h in holds:
        until = f"until {utc(h['until']).date().isoformat()}" if h["until"] else "until released"
        lines.append(f"  hold #{h['id']}: {h['reason']} (set by {h['set_by']}, {until})")
    return "\n".join(lines)


# -- the built-in parts ------------------------------------------------------------------------
def _export_authors(conn: Connection, person: Person, store: SqlStore) -> list[dict[str, Any]]:
    return person.authors


def _erase_authors(conn: Connection, person: Person, store: SqlStore) -> int:
    kept, renamed, seen = person.kept_authors(), {}, {}
    for a in person.authors:
        if a["id"] in kept:
            continue
        n = seen[a["platform"]] = seen.get(a["platform"], 0) + 1
        renamed[a["id"]] = person.pseudonym if n == 1 else f"{person.pseudonym}-{n}"
    return personal.tombstone_authors(conn, renamed, person.now)


def _export_posts(conn: Connection, person: Person, store: SqlStore) -> list[dict[str, Any]]:
    cipher = masking.Cipher(store.compliance.key) if store.compliance.key else None
    exported, decrypted = [], 0
    for p in person.posts:
        row = {k: v for k, v in p.items() if k != "text_original"}
        row["original_text"] = None
        if p["text_state"] == masking.ENCRYPTED and p["text_original"] is not None and cipher is not None:
            try:
                row["original_text"] = cipher.decrypt(p["text_original"], masking.context(p["platform"],
                                                                                          p["external_id"]))
                decrypted += 1
            except masking.OriginalUnavailable as exc:
                row["original_text_error"] = str(exc)
        exported.append(row)
    person.notes["originals_decrypted"] = decrypted
    return exported


def _erase_posts(conn: Connection, person: Person, store: SqlStore) -> int:
    return personal.tombstone_posts(conn, [p["id"] for p in person.erasable_posts()], person.now)


def _export_analyses(conn: Connection, person: Person, store: SqlStore) -> list[dict[str, Any]]:
    return personal.analyses_of(conn, [p["id"] for p in person.posts])


def _erase_analyses(conn: Connection, person: Person, store: SqlStore) -> int:
    return personal.tombstone_analyses(conn, personal.analyses_of(conn, [p["id"] for p in person.erasable_posts()]))


def _mentions(conn: Connection, person: Person) -> list[dict[str, Any]]:
    return personal.posts_mentioning(conn, person.handle, [p["id"] for p in person.posts])


def _export_mentions(conn: Connection, person: Person, store: SqlStore) -> list[dict[str, Any]]:
    keep = ("id", "platform", "external_id", "created_at", "text")
    return [{k: m[k] for k in keep} for m in _mentions(conn, person)]


def _erase_mentions(conn: Connection, person: Person, store: SqlStore) -> int:
    return personal.rewrite_mentions(conn, _mentions(conn, person), person.handle, person.pseudonym)


def _export_dead_letters(conn: Connection, person: Person, store: SqlStore) -> list[dict[str, Any]]:
    return [{**{k: v for k, v in d.items() if k != "raw"}, "raw": bytes(d["raw"]).decode("utf-8", "replace")}
            for d in personal.dead_letters_mentioning(conn, person.names)]


def _erase_dead_letters(conn: Connection, person: Person, store: SqlStore) -> int:
    return personal.tombstone_dead_letters(conn, [d["id"] for d in personal.dead_letters_mentioning(conn,
                                                                                                    person.names)])


def _export_holds(conn: Connection, person: Person, store: SqlStore) -> list[dict[str, Any]]:
    return [{**h, "in_force": person.active(h)} for h in person.holds]


def _erase_holds(conn: Connection, person: Person, store: SqlStore) -> int:
    """Holds no longer in force forget the person too (their subject and reason name them)."""
    names = sorted({person.handle, *person.names}, key=len, reverse=True)
    changes = {}
    for h in person.holds:
        if person.active(h):
            continue
        reason = h["reason"]
        for name in names:
            reason = re.sub(re.escape(name), person.pseudonym, reason, flags=re.IGNORECASE)
        subject = h["subject"].replace(person.handle, person.pseudonym) if h["subject"].startswith("author:") \
            else h["subject"]
        changes[h["id"]] = {"subject": subject, "reason": reason}
    return personal.rewrite_holds(conn, changes)


for _name, _export, _erase in (
    ("authors", _export_authors, _erase_authors),
    ("posts", _export_posts, _erase_posts),
    ("analyses", _export_analyses, _erase_analyses),
    ("mentions", _export_mentions, _erase_mentions),
    ("dead_letters", _export_dead_letters, _erase_dead_letters),
    ("legal_holds", _export_holds, _erase_holds),
):
    register(_name, _export, _erase)
