"""The store on both back ends: upserts, one-transaction batches, dead letters, search, stats."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import doc
from veilleur.errors import StoreError
from veilleur.pipeline.bank import DetectBank
from veilleur.pipeline.normalize import Normalize
from veilleur.storage.base import DeadLetter
from veilleur.storage.sql import SqlStore


def analysed(*docs):
    Normalize().process(docs)
    DetectBank().process(docs)
    return list(docs)


def test_upsert_is_idempotent_and_counts_new_and_updated(store):
    first = store.save(analysed(doc(1), doc(2)), source="s", checkpoint="2")
    again = store.save(analysed(doc(1), doc(2), doc(3)), source="s", checkpoint="3")
    assert (first.inserted, first.updated) == (2, 0)
    assert (again.inserted, again.updated) == (1, 2)
    assert store.count("posts") == 3
    assert store.count("analyses") == 3
    assert store.count("authors") == 3  # user1, user2, user3
    assert store.checkpoint("s") == "3"


def test_an_update_replaces_text_metrics_and_analysis(store):
    store.save(analysed(doc(1, "Merci la BNP")))
    store.save(analysed(doc(1, "Finalement merci la SG", metrics={"likes": 9})))
    [row] = store.post_rows()
    assert row["text"] == "Finalement merci la SG"
    assert row["metrics"] == {"likes": 9}
    assert row["bank"] == "Société Générale"


def test_same_key_twice_in_one_batch_keeps_the_last(store):
    result = store.save(analysed(doc(1, "premier"), doc(1, "second")))
    assert result.inserted == 1
    assert [r["text"] for r in store.post_rows()] == ["second"]


def test_checkpoint_and_posts_commit_together_or_not_at_all(store, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(SqlStore, "_upsert_analyses", broken)
    with pytest.raises(RuntimeError):
        store.save(analysed(doc(1)), source="s", checkpoint="1",
                   dead=[DeadLetter("s", b"x", "bad", "f:1")])
    assert store.count("posts") == 0
    assert store.count("dead_letters") == 0
    assert store.checkpoint("s") is None


def test_dead_letters_keep_exact_bytes_and_are_not_repeated(store):
    letter = DeadLetter("file:a.jsonl", b'{"text": "caf\xe9"}', "invalid UTF-8 at byte 13", "a.jsonl:4", "parse")
    assert store.dead_letter(letter) == 1
    assert store.dead_letter(letter) == 0
    [kept] = store.dead_letters()
    assert kept.raw == b'{"text": "caf\xe9"}'
    assert (kept.location, kept.stage, kept.reason) == ("a.jsonl:4", "parse", "invalid UTF-8 at byte 13")


def test_search_folds_accents_and_case(store):
    store.save(analysed(doc(1, "La Société Générale a bloqué ma carte"), doc(2, "Rien à voir, il pleut")))
    hits = store.search("societe GENERALE")
    assert [h.external_id for h in hits] == ["1"]
    assert "Société" in hits[0].snippet


def test_search_finds_plural_forms_and_filters_by_bank(store):
    store.save(analysed(doc(1, "Mes comptes à la BNP sont bloqués"), doc(2, "Mon compte SG est bloqué")))
    assert {h.external_id for h in store.search("compte")} == {"1", "2"}
    assert [h.external_id for h in store.search("compte", bank="BNP Paribas")] == ["1"]


@pytest.mark.parametrize("query", ['"', "(", "carte AND", "NEAR(", "-", "*", "a:b", "'", "   "])
def test_search_never_fails_on_query_syntax(store, query):
    store.save(analysed(doc(1, "carte bloquée")))
    assert isinstance(store.search(query), list)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=40))
def test_search_accepts_any_text(store, query):
    assert isinstance(store.search(query), list)


def test_stats_count_by_local_day_and_hour(store):
    late = datetime(2026, 10, 9, 22, 30, tzinfo=UTC)  # 00:30 on 10 October in Paris (UTC+2)
    store.save(analysed(doc(1, "Merci la BNP", created_at=late), doc(2, "Merci la SG")))
    store.dead_letter(DeadLetter("s", b"?", "not valid JSON"))
    s = store.stats()
    assert (s.posts, s.analysed, s.dead_letters) == (2, 2, 1)
    assert s.by_day == {"2026-10-09": 1, "2026-10-10": 1}
    assert s.by_hour == {0: 1, 10: 1}
    assert s.by_bank == {"BNP Paribas": 1, "Société Générale": 1}
    assert s.dead_by_reason == {"not valid JSON": 1}


def test_an_unmigrated_database_is_refused_with_the_command_to_run(tmp_path):
    store = SqlStore(f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(StoreError, match="veilleur db upgrade"):
        store.check_schema()
    store.upgrade()
    store.check_schema()


def test_unreachable_postgresql_is_a_clear_error():
    store = SqlStore("postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=2")
    with pytest.raises(StoreError, match="cannot reach the database"):
        store.upgrade()
