"""``SqlStore``: the one store, over SQLite (embedded default, WAL) or PostgreSQL.

Every write of a batch is one transaction: authors, posts (upsert on platform + external id),
their analyses, the dead letters met on the way and the source's checkpoint. A crash therefore
leaves either the whole batch with its checkpoint or none of it, and a restart resumes exactly
after the last committed batch: no loss, no duplicate. Dead letters are keyed by a fingerprint
so that re-reading the same bad line adds nothing. All SQL of veilleur lives in this package.

Personal data found by the ``pii`` stage is masked before it is stored (``storage.masking``:
the original encrypted or dropped); ``unmask`` gives it back to the roles allowed, journaled.
``save`` takes an optional ``journal`` callback, called with the connection and the posts
stored, so that a page's journal entries commit with it. A post erased under the GDPR (a
tombstone) is never stored again by a later ingest of the same post.

Imports ``core``, ``errors``, ``pipeline.base`` (the Doc it saves), ``pipeline.masking``,
``compliance.storage_settings`` (pydantic settings only) and ``storage``.
"""
from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import orjson
from sqlalchemy import create_engine, event, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import OperationalError

from veilleur.compliance.storage_settings import ComplianceStorageSettings
from veilleur.errors import StoreError
from veilleur.pipeline.base import Doc
from veilleur.storage import journal as chain
from veilleur.storage import masking, migrate
from veilleur.storage.base import DeadLetter, SaveResult, SearchHit, Stats, utc
from veilleur.storage.bulk import executemany, rows_by_pair
from veilleur.storage.tables import analyses, authors, checkpoints, dead_letters, legal_holds, posts
from veilleur.storage.tables import journal as journal_table


def _json(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


class StoredPost(NamedTuple):
    """A post ``save`` stored: its doc, its id, and whether it was new."""

    doc: Doc
    post_id: int
    inserted: bool


JournalHook = Callable[[Connection, list[StoredPost]], None]


class SqlStore:
    """Posts, analyses, checkpoints and dead letters in one SQL database.

    ``compliance`` (``Settings.compliance_storage``) says what becomes of masked originals and
    who may unmask; without it, the defaults: originals dropped, roles compliance and admin.
    """

    def __init__(self, url: str, *, compliance: ComplianceStorageSettings | None = None, **engine_options: Any):
        self.compliance = compliance or ComplianceStorageSettings()
        self._cipher: masking.Cipher | None = None
        self.url = make_url(url)
        if self.url.get_backend_name() == "sqlite" and self.url.database not in (None, "", ":memory:"):
            Path(self.url.database).parent.mkdir(parents=True, exist_ok=True)
        self.engine: Engine = create_engine(url, json_serializer=_json, json_deserializer=orjson.loads,
                                            **engine_options)
        self.dialect = self.engine.dialect.name
        if self.dialect == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._insert = sqlite.insert if self.dialect == "sqlite" else postgresql.insert

    # -- schema ------------------------------------------------------------------------------
    def upgrade(self) -> None:
        """Bring the schema to the latest migration."""
        try:
            migrate.upgrade(self.engine)
        except OperationalError as exc:
            raise StoreError(f"cannot reach the database {self.url.render_as_string()}: {exc.orig}") from exc

    def check_schema(self) -> None:
        """Raise ``StoreError`` unless the schema is at the latest migration."""
        try:
            current = migrate.current(self.engine)
        except OperationalError as exc:
            raise StoreError(f"cannot reach the database: {exc.orig}") from exc
        if current != migrate.head():
            raise StoreError(f"database schema is at {current or 'nothing'}, expected {migrate.head()}: "
                             "run `veilleur db upgrade` (or `veilleur init`)")

    def close(self) -> None:
        self.engine.dispose()

    # -- writing -----------------------------------------------------------------------------
    def save(self, docs: Sequence[Doc], *, source: str | None = None, checkpoint: str | None = None,
             dead: Sequence[DeadLetter] = (), journal: JournalHook | None = None) -> SaveResult:
        """Store analysed posts, dead letters and the checkpoint after them, in one transaction.

        ``journal``, if given, is called in that transaction with the posts stored (not with the
        erased ones skipped), so that their journal entries commit or roll back with them.
        """
        result = SaveResult()
        by_key = _last_per_key(docs)  # the keys are read once: ``Post.key`` is a property
        with self.engine.begin() as conn:
            if by_key:
                existing, erased = self._existing_keys(conn, list(by_key))
                by_key = {k: d for k, d in by_key.items() if k not in erased}
            if by_key:
                now = datetime.now(UTC)
                docs, keys = list(by_key.values()), list(by_key)
                masked = self._masked(by_key)
                author_ids = self._upsert_authors(conn, docs, now)
                post_ids = self._upsert_posts(conn, docs, keys, author_ids, source, now, masked)
                self._upsert_analyses(conn, docs, keys, post_ids, now, masked)
                result.updated = len(existing - erased)
                result.inserted = len(docs) - result.updated
                if journal is not None:
                    journal(conn, [StoredPost(d, post_ids[k], k not in existing) for k, d in by_key.items()])
            result.dead = self._insert_dead(conn, dead)
            if source is not None and checkpoint is not None:
                self._set_checkpoint(conn, source, checkpoint)
        return result

    def dead_letter(self, letter: DeadLetter) -> int:
        """Keep one dead letter on its own (returns 1 if new, 0 if already kept)."""
        with self.engine.begin() as conn:
            return self._insert_dead(conn, [letter])

    def _upsert_authors(self, conn: Connection, docs: Sequence[Doc], now: datetime) -> dict[tuple, int]:
        rows = {}
        for d in docs:
            a = d.post.author
            if a is not None:
                rows[(d.post.platform.value, a.handle)] = {
                    "platform": d.post.platform.value, "handle": a.handle, "display_name": a.display_name,
                    "followers": a.followers, "verified": a.verified, "bio": a.bio, "url": a.url,
                    "updated_at": now}
        if not rows:
            return {}
        stmt = self._insert(authors)
        executemany(conn, stmt.on_conflict_do_update(
            index_elements=["platform", "handle"],
            set_={c: stmt.excluded[c] for c in ("display_name", "followers", "verified", "bio", "url",
                                                "updated_at")}), list(rows.values()), key="upsert_authors")
        return _ids(conn, authors.c.platform, authors.c.handle, authors.c.id, list(rows))

    def _existing_keys(self, conn: Connection, keys: list[tuple[str, str]]
                       ) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
        """The keys already stored, and those of them that are GDPR tombstones."""
        existing, erased = set(), set()
        for platform, external_id, state in rows_by_pair(conn, posts, posts.c.platform, posts.c.external_id,
                                                         [posts.c.text_state], keys):
            existing.add((platform, external_id))
            if state == masking.ERASED:
                erased.add((platform, external_id))
        return existing, erased

    def _masked(self, by_key: dict[tuple[str, str], Doc]) -> dict[tuple[str, str], masking.Masked]:
        """The masked form of the docs holding personal data, by post key."""
        found = {}
        for key, d in by_key.items():
            if d.analysis.pii_spans:
                result = masking.mask_doc(d, self.cipher(), d.analysis.details())
                if result is not None:
                    found[key] = result
        return found

    def cipher(self) -> masking.Cipher | None:
        """The cipher of originals, when they are to be encrypted (None: dropped)."""
        if self._cipher is None and self.compliance.original_text_mode == "encrypted":
            self._cipher = masking.Cipher(self.compliance.key)
        return self._cipher

    def _upsert_posts(self, conn: Connection, docs: Sequence[Doc], keys: list[tuple[str, str]],
                      author_ids: dict[tuple, int], source: str | None, now: datetime,
                      masked: dict[tuple[str, str], masking.Masked]) -> dict[tuple[str, str], int]:
        rows = []
        for d, key in zip(docs, keys, strict=True):
            p = d.post
            m = masked.get(key) if masked else None
            rows.append({
                "platform": key[0], "external_id": p.external_id, "url": p.url,
                "author_id": author_ids.get((key[0], p.author.handle)) if p.author else None,
                "text": m.text if m else p.text, "text_original": m.text_original if m else None,
                "text_state": m.text_state if m else masking.ORIGINAL, "created_at": p.created_at,
                "language": p.language, "conversation_id": p.conversation_id, "reply_to_id": p.reply_to_id,
                "metrics": p.metrics, "raw": m.raw if m else p.raw, "source": source, "ingested_at": now,
                "updated_at": now})
        stmt = self._insert(posts)
        # A plain executemany, then one SELECT for the ids: RETURNING would make SQLite run row by row.
        executemany(conn, stmt.on_conflict_do_update(
            index_elements=["platform", "external_id"],
            set_={c: stmt.excluded[c] for c in ("url", "author_id", "text", "text_original", "text_state",
                                                "language", "conversation_id", "reply_to_id", "metrics", "raw",
                                                "updated_at")}), rows, key="upsert_posts")
        return _ids(conn, posts.c.platform, posts.c.external_id, posts.c.id, keys)

    def _upsert_analyses(self, conn: Connection, docs: Sequence[Doc], keys: list[tuple[str, str]], post_ids: dict,
                         now: datetime, masked: dict[tuple[str, str], masking.Masked]) -> None:
        rows = []
        for d, key in zip(docs, keys, strict=True):
            a = d.analysis
            m = masked.get(key) if masked else None
            rows.append({
                "post_id": post_ids[key], "language": a.language, "bank": a.bank, "entity": a.entity,
                "sentiment": a.sentiment, "intent": a.intent, "topics": a.topics, "abusive": a.abusive,
                "urgency": a.urgency, "pii": a.pii, "clean_text": m.clean_text if m else a.clean_text,
                "details": m.details if m else a.details(), "analysed_at": now})
        stmt = self._insert(analyses)
        stmt = stmt.on_conflict_do_update(
            index_elements=["post_id"],
            set_={c.name: stmt.excluded[c.name] for c in analyses.columns if c.name != "post_id"})
        executemany(conn, stmt, rows, key="upsert_analyses")

    def _insert_dead(self, conn: Connection, letters: Iterable[DeadLetter]) -> int:
        rows = {}
        for letter in letters:
            digest = hashlib.sha256(b"\x1f".join([
                letter.source.encode(), (letter.location or "").encode(), (letter.stage or "").encode(),
                letter.reason.encode(), letter.raw])).hexdigest()
            rows[digest] = {"fingerprint": digest, "source": letter.source, "location": letter.location,
                            "stage": letter.stage, "reason": letter.reason, "raw": letter.raw,
                            "created_at": datetime.now(UTC)}
        if not rows:
            return 0
        stmt = (self._insert(dead_letters).on_conflict_do_nothing(index_elements=["fingerprint"])
                .returning(dead_letters.c.id))  # rows returned = rows inserted, on both back ends
        return len(conn.execute(stmt, list(rows.values())).all())

    def _set_checkpoint(self, conn: Connection, source: str, position: str) -> None:
        stmt = self._insert(checkpoints).values(source=source, position=position, updated_at=datetime.now(UTC))
        conn.execute(stmt.on_conflict_do_update(index_elements=["source"], set_={
            "position": stmt.excluded.position, "updated_at": stmt.excluded.updated_at}))

    # -- masked originals ----------------------------------------------------------------------
    def unmask(self, post_id: int, actor: str, role: str) -> str:
        """The text of post ``post_id`` before masking, for a role of ``compliance_storage.unmask_roles``.

        Every attempt is journaled (record type ``unmask``), granted or not, with the actor, the
        role and the outcome; the entry commits before the text is returned. Raises
        ``UnmaskRefused`` for another role, ``OriginalUnavailable`` when the original was dropped,
        erased or does not decrypt, and ``StoreError`` for an unknown post.
        """
        allowed = role in self.compliance.unmask_roles
        text, error = None, None
        with self.engine.begin() as conn:
            chain.lock_head(conn)  # the write lock first: SQLite cannot upgrade a read past a newer write
            row = conn.execute(select(posts.c.platform, posts.c.external_id, posts.c.text, posts.c.text_original,
                                      posts.c.text_state).where(posts.c.id == post_id)).first()
            if not allowed:
                outcome = "refused"
                error = masking.UnmaskRefused(
                    f"role {role!r} may not unmask personal data (allowed: {', '.join(self.compliance.unmask_roles)}"
                    "; compliance_storage.unmask_roles)")
            elif row is None:
                outcome, error = "not_found", StoreError(f"no post with id {post_id}")
            else:
                outcome, text, error = self._original(row)
            chain.append(conn, [chain.NewEntry(actor, "unmask", "unmask", f"post:{post_id}",
                                               {"role": role, "outcome": outcome})])
        if error is not None:
            raise error
        return text

    def _original(self, row) -> tuple[str, str | None, Exception | None]:
        """(outcome, original text, error) for a post row."""
        if row.text_state == masking.ORIGINAL:
            return "nothing_masked", row.text, None
        if row.text_state != masking.ENCRYPTED or row.text_original is None:
            why = {masking.DROPPED: "was dropped when the post was stored (compliance_storage.original_text)",
                   masking.ERASED: "was erased at the person's request (GDPR)"}.get(row.text_state, "is not kept")
            return row.text_state, None, masking.OriginalUnavailable(f"the original text {why}")
        if self.compliance.key is None:
            return "no_key", None, masking.OriginalUnavailable(
                "the original is encrypted but no compliance_storage.encryption_key is configured")
        cipher = self._cipher or masking.Cipher(self.compliance.key)
        try:
            return "granted", cipher.decrypt(row.text_original, masking.context(row.platform, row.external_id)), None
        except masking.OriginalUnavailable as exc:
            return "undecryptable", None, exc

    # -- reading -----------------------------------------------------------------------------
    def checkpoint(self, source: str) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(select(checkpoints.c.position).where(checkpoints.c.source == source)).scalar()

    def count(self, table: str) -> int:
        table_obj = {"posts": posts, "analyses": analyses, "authors": authors, "dead_letters": dead_letters,
                     "checkpoints": checkpoints, "journal": journal_table, "legal_holds": legal_holds}[table]
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(table_obj)).scalar_one()

    def dead_letters(self, limit: int = 100) -> list[DeadLetter]:
        query = select(dead_letters).order_by(dead_letters.c.id).limit(limit)
        with self.engine.connect() as conn:
            return [DeadLetter(r.source, bytes(r.raw), r.reason, r.location, r.stage) for r in conn.execute(query)]

    def post_rows(self, limit: int | None = None) -> list[dict[str, Any]]:
        """Posts joined with their analyses, oldest first (for exports and tests)."""
        query = (select(posts, analyses.c.bank, analyses.c.language.label("detected_language"),
                        analyses.c.details, analyses.c.clean_text)
                 .join(analyses, analyses.c.post_id == posts.c.id, isouter=True)
                 .order_by(posts.c.created_at, posts.c.id).limit(limit))
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def search(self, query: str, limit: int = 20, bank: str | None = None) -> list[SearchHit]:
        """French full-text search over posts, accent-insensitive, best first."""
        from veilleur.storage.search import search  # dialect-specific SQL kept apart

        with self.engine.connect() as conn:
            return search(conn, self.dialect, query, limit, bank)

    def stats(self, tz: str = "Europe/Paris") -> Stats:
        """Counts by bank, platform, language, local day and hour, and dead letters."""
        zone = ZoneInfo(tz)
        s = Stats()
        with self.engine.connect() as conn:
            s.posts = conn.execute(select(func.count()).select_from(posts)).scalar_one()
            s.analysed = conn.execute(select(func.count()).select_from(analyses)).scalar_one()
            s.authors = conn.execute(select(func.count()).select_from(authors)).scalar_one()
            s.dead_letters = conn.execute(select(func.count()).select_from(dead_letters)).scalar_one()
            s.by_bank = _grouped(conn, analyses.c.bank)
            s.by_platform = _grouped(conn, posts.c.platform)
            s.by_language = _grouped(conn, analyses.c.language)
            s.by_sentiment = _grouped(conn, analyses.c.sentiment)
            s.by_intent = _grouped(conn, analyses.c.intent)
            s.dead_by_reason = _grouped(conn, dead_letters.c.reason)
            days: Counter[str] = Counter()
            hours: Counter[int] = Counter()
            for bucket, n in conn.execute(self._hour_buckets()):
                local = utc(bucket if isinstance(bucket, datetime) else datetime.fromisoformat(bucket))
                local = local.astimezone(zone)
                days[local.date().isoformat()] += n
                hours[local.hour] += n
            s.by_day, s.by_hour = dict(sorted(days.items())), dict(sorted(hours.items()))
        return s

    def _hour_buckets(self):
        if self.dialect == "sqlite":
            bucket = func.strftime("%Y-%m-%d %H:00:00", posts.c.created_at)
        else:
            bucket = func.date_trunc("hour", func.timezone("UTC", posts.c.created_at))
        return select(bucket.label("bucket"), func.count()).group_by(bucket)


def _grouped(conn: Connection, column) -> dict[str, int]:
    rows = conn.execute(select(column, func.count()).group_by(column).order_by(func.count().desc()))
    return {(key if key is not None else "(none)"): n for key, n in rows}


def _ids(conn: Connection, first, second, ident, keys: list[tuple]) -> dict[tuple, int]:
    """{(first, second): id} for the rows whose pair of columns is among ``keys``."""
    return {(a, b): i for a, b, i in rows_by_pair(conn, first.table, first, second, [ident], keys)}


def _last_per_key(docs: Sequence[Doc]) -> dict[tuple[str, str], Doc]:
    # One statement cannot upsert the same key twice (PostgreSQL refuses); the last copy wins.
    return {d.post.key: d for d in docs}


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


