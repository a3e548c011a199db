"""Bulk writing and reading helpers on both back ends: the same rows as plain SQLAlchemy statements."""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert, select

from tests.factories import doc
from veilleur.pipeline.normalize import Normalize
from veilleur.storage.bulk import executemany, rows_by_pair
from veilleur.storage.tables import authors, posts


def test_rows_by_pair_finds_exactly_the_stored_pairs_across_platforms_and_chunks(store):
    docs = [doc(n, platform=platform) for n in range(450) for platform in ("x", "facebook")]
    Normalize().process(docs)
    store.save(docs)
    wanted = [(d.post.platform.value, d.post.external_id) for d in docs[::3]] + [("x", "absent"), ("reddit", "1")]
    with store.engine.connect() as conn:
        found = {(a, b): state for a, b, state in rows_by_pair(conn, posts, posts.c.platform, posts.c.external_id,
                                                               [posts.c.text_state], wanted + wanted[:5])}
        expected = {(r.platform, r.external_id): r.text_state for r in conn.execute(
            select(posts.c.platform, posts.c.external_id, posts.c.text_state))}
    assert found == {k: expected[k] for k in wanted if k in expected}
    assert len(found) == len(docs[::3])


def test_executemany_with_a_named_statement_stores_each_row_with_its_own_values(store):
    now, later = datetime(2026, 10, 1, 8, tzinfo=UTC), datetime(2026, 10, 2, 9, 30, tzinfo=UTC)
    for batch in ([("a", now), ("b", now)], [("c", later), ("d", now)]):  # a second call reuses the compiled statement
        rows = [{"platform": "x", "handle": h, "display_name": None, "followers": 3, "verified": False, "bio": None,
                 "url": None, "updated_at": at} for h, at in batch]
        with store.engine.begin() as conn:
            executemany(conn, insert(authors), rows, key="test_insert_authors")
    with store.engine.connect() as conn:
        stored = {r.handle: r.updated_at.replace(tzinfo=UTC) for r in conn.execute(select(authors))}
    assert stored == {"a": now, "b": now, "c": later, "d": now}
