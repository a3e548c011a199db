"""The feed gives analysed posts after a cursor, in id order, with author and labels, on both back ends."""
from __future__ import annotations

from tests import factories
from veilleur.storage import feed


def test_pages_follow_the_cursor_with_labels(store):
    docs = [factories.doc(i, f"texte {i}") for i in range(5)]
    for i, doc in enumerate(docs):
        doc.analysis.sentiment = "negative" if i % 2 else "positive"
        doc.analysis.topics = ["cards"]
    store.save(docs)
    with store.engine.connect() as conn:
        first = feed.analysed_posts(conn, 0, limit=3)
        rest = feed.analysed_posts(conn, first[-1].id, limit=10)
        last = feed.last_post_id(conn)
        picked = feed.posts_by_id(conn, [first[1].id, 999_999])
    assert [p.external_id for p in first + rest] == [str(i) for i in range(5)]
    assert [p.sentiment for p in first] == ["positive", "negative", "positive"]
    assert first[0].topics == ["cards"] and first[0].created_at.tzinfo is not None
    assert last == rest[-1].id
    assert [p.id for p in picked] == [first[1].id]


def test_empty_store_has_no_posts(store):
    with store.engine.connect() as conn:
        assert feed.analysed_posts(conn, 0) == [] and feed.last_post_id(conn) == 0
