"""The SQL of personal-data rights: find what is held about a person, and turn it into tombstones.

A tombstone keeps its row, its id, its dates, its platform and its labels (so every count of the
statistics stays the same) and loses everything that is the person's content or identifies them:
a post's text, encrypted original, raw payload and URL; an analysis' clean text and the parts of
its details taken from the text (spans, cues, handles, hashtags, URLs, emoji); an author's
handle (replaced by a pseudonym), name, bio, URL and follower count; a dead letter's payload.
The platform's id of a post is kept: it is what stops a later ingest of the same post from
storing it again (``SqlStore.save`` skips tombstones), and it says nothing without the platform.

On SQLite the full-text index is compacted afterwards (FTS5 ``optimize``), so that no segment
still holds the erased words, and deleted content is overwritten (``secure_delete``). On
PostgreSQL the old row versions stay on disk until autovacuum reclaims them.

``compliance.gdpr`` decides what to erase; this module only reads and writes. Imports SQLAlchemy,
``storage.tables`` and ``storage.masking``.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Text, cast, func, insert, or_, select, text, update
from sqlalchemy.engine import Connection

from veilleur.storage.masking import ERASED
from veilleur.storage.tables import analyses, authors, dead_letters, legal_holds, posts

ERASED_TEXT = "[effacé]"
ERASED_BYTES = ERASED_TEXT.encode()
# details keys whose values come from the text itself (emptied), the others are labels and scores
TEXT_DERIVED = {"brands": [], "pii_spans": [], "hashtags": [], "handles": [], "urls": [], "emojis": [], "cues": {}}
CHUNK = 400


def clean_handle(handle: str) -> str:
    """A handle as compared: without a leading @, lower case."""
    return handle.strip().removeprefix("@").strip().lower()


# -- reading -----------------------------------------------------------------------------------
def authors_by_handle(conn: Connection, handle: str) -> list[dict[str, Any]]:
    """Every author row with this handle, on every platform (case-insensitive, @ optional)."""
    query = select(authors).where(func.lower(authors.c.handle) == clean_handle(handle)).order_by(authors.c.id)
    return [_row(r) for r in conn.execute(query)]


def posts_by_authors(conn: Connection, author_ids: Sequence[int]) -> list[dict[str, Any]]:
    found = []
    for chunk in _chunks(list(author_ids)):
        query = select(posts).where(posts.c.author_id.in_(chunk)).order_by(posts.c.created_at, posts.c.id)
        found += [_row(r) for r in conn.execute(query)]
    return found


def analyses_of(conn: Connection, post_ids: Sequence[int]) -> list[dict[str, Any]]:
    found = []
    for chunk in _chunks(list(post_ids)):
        found += [_row(r) for r in conn.execute(select(analyses).where(analyses.c.post_id.in_(chunk)))]
    return sorted(found, key=lambda r: r["post_id"])


def posts_mentioning(conn: Connection, handle: str, exclude: Iterable[int]) -> list[dict[str, Any]]:
    """Other people's posts whose text or raw payload holds the handle, with their analysis."""
    needle = clean_handle(handle)
    excluded = set(exclude)
    query = (select(posts.c.id, posts.c.platform, posts.c.external_id, posts.c.created_at, posts.c.text,
                    posts.c.raw, analyses.c.clean_text, analyses.c.details)
             .join(analyses, analyses.c.post_id == posts.c.id, isouter=True)
             .where(or_(func.lower(posts.c.text).contains(needle, autoescape=True),
                        func.lower(cast(posts.c.raw, Text)).contains(needle, autoescape=True)))
             .order_by(posts.c.id))
    return [_row(r) for r in conn.execute(query) if r.id not in excluded]


def dead_letters_mentioning(conn: Connection, needles: Sequence[str]) -> list[dict[str, Any]]:
    """Dead letters whose raw bytes hold one of ``needles`` (case-insensitive), read in chunks."""
    wanted = [n.lower().encode() for n in needles if n]
    found, after = [], 0
    while wanted:
        rows = conn.execute(select(dead_letters).where(dead_letters.c.id > after)
                            .order_by(dead_letters.c.id).limit(1_000)).all()
        for r in rows:
            raw = bytes(r.raw).lower()
            if any(n in raw for n in wanted):
                found.append(_row(r))
        if len(rows) < 1_000:
            break
        after = rows[-1].id
    return found


def holds(conn: Connection) -> list[dict[str, Any]]:
    """Every legal hold (there are few), oldest first."""
    return [_row(r) for r in conn.execute(select(legal_holds).order_by(legal_holds.c.id))]


# -- writing -----------------------------------------------------------------------------------
def add_hold(conn: Connection, subject: str, reason: str, until: datetime | None, set_by: str,
             now: datetime) -> int:
    result = conn.execute(insert(legal_holds).values(subject=subject, reason=reason, until=until, set_by=set_by,
                                                     set_at=now).returning(legal_holds.c.id))
    return int(result.scalar_one())


def tombstone_posts(conn: Connection, post_ids: Sequence[int], now: datetime) -> int:
    done = 0
    for chunk in _chunks(list(post_ids)):
        done += conn.execute(update(posts).where(posts.c.id.in_(chunk)).values(
            text=ERASED_TEXT, text_original=None, text_state=ERASED, raw={}, url=None, updated_at=now)).rowcount
    return done


def tombstone_analyses(conn: Connection, rows: Sequence[dict[str, Any]]) -> int:
    """Analyses keep their labels and scores; text and everything taken from it go."""
    for row in rows:
        details = {**(row["details"] or {}), **TEXT_DERIVED, "erased": True}
        conn.execute(update(analyses).where(analyses.c.post_id == row["post_id"])
                     .values(clean_text=ERASED_TEXT, details=details))
    return len(rows)


def tombstone_authors(conn: Connection, renamed: dict[int, str], now: datetime) -> int:
    """Author rows get a pseudonymous handle and lose every other personal field."""
    for author_id, pseudonym in renamed.items():
        conn.execute(update(authors).where(authors.c.id == author_id).values(
            handle=pseudonym, display_name=None, bio=None, url=None, followers=None, updated_at=now))
    return len(renamed)


def tombstone_dead_letters(conn: Connection, ids: Sequence[int]) -> int:
    done = 0
    for chunk in _chunks(list(ids)):
        done += conn.execute(update(dead_letters).where(dead_letters.c.id.in_(chunk))
                             .values(raw=ERASED_BYTES)).rowcount
    return done


def rewrite_mentions(conn: Connection, rows: Sequence[dict[str, Any]], handle: str, pseudonym: str) -> int:
    """Replace the handle by the pseudonym in other people's posts (text, raw, clean text, details)."""
    replace = mention_replacer(handle, pseudonym)
    changed = 0
    for row in rows:
        new_text, new_raw = replace(row["text"]), replace(row["raw"])
        if (new_text, new_raw) != (row["text"], row["raw"]):
            conn.execute(update(posts).where(posts.c.id == row["id"]).values(text=new_text, raw=new_raw))
            changed += 1
        if row["clean_text"] is not None or row["details"] is not None:
            conn.execute(update(analyses).where(analyses.c.post_id == row["id"]).values(
                clean_text=replace(row["clean_text"]), details=replace(row["details"])))
    return changed


def rewrite_holds(conn: Connection, changes: dict[int, dict[str, Any]]) -> int:
    for hold_id, values in changes.items():
        conn.execute(update(legal_holds).where(legal_holds.c.id == hold_id).values(**values))
    return len(changes)


def compact_search_index(conn: Connection) -> None:
    """Rewrite SQLite's full-text index so that erased words leave no trace in its segments."""
    if conn.dialect.name == "sqlite":
        conn.execute(text("INSERT INTO posts_fts(posts_fts) VALUES ('optimize')"))


def secure_delete(conn: Connection, on: bool) -> None:
    """SQLite overwrites deleted content with zeros while this is on (per connection)."""
    if conn.dialect.name == "sqlite":
        conn.execute(text(f"PRAGMA secure_delete = {'ON' if on else 'OFF'}"))


def mention_replacer(handle: str, pseudonym: str):
    """A function replacing the handle in a JSON tree or a string: "@handle", the handle as a whole
    string, and the handle as a URL path segment ("/handle/status/1")."""
    name = re.escape(clean_handle(handle))
    at = re.compile(rf"(?<![\w@])@{name}(?!\w)", re.IGNORECASE)
    segment = re.compile(rf"(?<=/){name}(?=[/?#]|$)", re.IGNORECASE)
    whole = clean_handle(handle)

    def replace(value: Any) -> Any:
        if isinstance(value, str):
            if len(whole) >= 3 and clean_handle(value) == whole:
                return pseudonym
            return segment.sub(pseudonym, at.sub("@" + pseudonym, value))
        if isinstance(value, dict):
            return {k: replace(v) for k, v in value.items()}
        if isinstance(value, list):
            return [replace(v) for v in value]
        return value

    return replace


def _row(row) -> dict[str, Any]:
    """A row as a dict with plain str keys (SQLAlchemy's are ``quoted_name``, which JSON encoders refuse)."""
    return {str(k): v for k, v in row._mapping.items()}


def _chunks(items: list, size: int = CHUNK) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]
