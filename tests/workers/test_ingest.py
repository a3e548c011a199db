"""Ingest end to end: bad input becomes dead letters, nothing valid is lost, re-runs add nothing,
and a SIGKILL halfway followed by a re-run ends exactly like an uninterrupted run."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import text

from tests.factories import record, write_jsonl
from veilleur.connectors.files import JsonLinesConfig, JsonLinesConnector
from veilleur.pipeline.factory import build_pipeline
from veilleur.storage.sql import SqlStore
from veilleur.workers.ingest import ingest

BAD_LINES = [
    b"{this is not json",
    b'{"platform": "x", "id": "u8", "text": "caf\xe9 cr\xe8me", "created_at": "2026-10-09T08:00:00Z"}',
    json.dumps(record(9001, platform="myspace")).encode(),
    json.dumps({k: v for k, v in record(9002).items() if k != "text"}).encode(),
    json.dumps(record(9003, created_at="hier soir")).encode(),
    json.dumps(record(9004, metrics={"likes": "beaucoup"})).encode(),
]


@pytest.fixture
def pipeline(settings):
    return build_pipeline(settings)


def run(path, pipeline, store, page_size=50, max_chars=5000):
    connector = JsonLinesConnector(JsonLinesConfig(path=path, page_size=page_size))
    return ingest(connector, pipeline, store, max_chars=max_chars)


def test_bad_lines_become_dead_letters_and_good_neighbours_are_kept(tmp_path, pipeline, store):
    lines = [record(i) for i in range(1, 21)]
    for k, bad in enumerate(BAD_LINES):
        lines.insert(3 * k + 1, bad)
    path = write_jsonl(tmp_path / "mixed.jsonl", lines)
    report = run(path, pipeline, store, page_size=7)
    assert report.saved.inserted == 20 and store.count("posts") == 20
    assert report.saved.dead == len(BAD_LINES) == store.count("dead_letters")
    letters = {d.location: d for d in store.dead_letters()}
    assert letters["mixed.jsonl:2"].reason.startswith("not valid JSON")
    assert letters["mixed.jsonl:5"].reason.startswith("invalid UTF-8")
    assert letters["mixed.jsonl:5"].raw == BAD_LINES[1]
    assert letters["mixed.jsonl:8"].reason == "unknown platform 'myspace'"
    assert letters["mixed.jsonl:11"].reason == "text is missing"


def test_ingesting_the_same_file_twice_adds_nothing(tmp_path, pipeline, store):
    path = write_jsonl(tmp_path / "p.jsonl", [record(i) for i in range(1, 30)] + [BAD_LINES[0]])
    first = run(path, pipeline, store)
    second = run(path, pipeline, store)
    assert (first.saved.inserted, first.saved.dead) == (29, 1)
    assert (second.records, second.saved.inserted, second.saved.dead) == (0, 0, 0)
    with store.engine.begin() as conn:  # even without the checkpoint, upserts and fingerprints hold
        conn.execute(text("DELETE FROM checkpoints"))
    third = run(path, pipeline, store)
    assert (third.saved.inserted, third.saved.updated, third.saved.dead) == (0, 29, 0)
    assert (store.count("posts"), store.count("dead_letters")) == (29, 1)


def test_duplicate_ids_in_one_file_keep_the_first_and_say_so(tmp_path, pipeline, store):
    path = write_jsonl(tmp_path / "p.jsonl", [record(1, text="premier"), record(2), record(1, text="autre"),
                                             record(2)])
    run(path, pipeline, store, page_size=2)
    assert [r["text"] for r in store.post_rows() if r["external_id"] == "1"] == ["premier"]
    reasons = sorted(d.reason for d in store.dead_letters())
    assert reasons == ["duplicate id '1' on x (first at p.jsonl:1; different content, first kept)",
                       "duplicate id '2' on x (first at p.jsonl:2; identical copy)"]


def test_empty_and_huge_texts_are_kept_flagged_and_truncated_for_analysis(tmp_path, pipeline, store):
    huge = "La SG " + "bla " * 25_000  # 100 kB
    path = write_jsonl(tmp_path / "p.jsonl", [record(1, text=""), record(2, text=huge)])
    run(path, pipeline, store, max_chars=5000)
    rows = {r["external_id"]: r for r in store.post_rows()}
    assert rows["1"]["text"] == "" and rows["1"]["details"]["flags"] == ["empty"]
    assert rows["2"]["text"] == huge  # kept whole
    assert "truncated" in rows["2"]["details"]["flags"]
    assert len(rows["2"]["clean_text"]) <= 5000
    assert rows["2"]["bank"] == "Société Générale"


def test_a_stage_failing_on_one_post_dead_letters_only_that_post(tmp_path, pipeline, store):
    class Fragile:
        name, version = "fragile", "1"
        requires, assigns = frozenset({"clean_text"}), frozenset()

        def process(self, docs):
            if any("boum" in d.text for d in docs):
                raise ValueError("boum inside")

    pipeline.stages.append(Fragile())
    path = write_jsonl(tmp_path / "p.jsonl", [record(1), record(2, text="boum"), record(3)])
    run(path, pipeline, store)
    assert store.count("posts") == 2
    [letter] = store.dead_letters()
    assert (letter.stage, letter.location, letter.reason) == ("fragile", "p.jsonl:2", "ValueError: boum inside")


def _snapshot(store: SqlStore):
    with store.engine.connect() as conn:
        posts = set(conn.execute(text("SELECT platform, external_id, text FROM posts")).all())
        analyses = conn.execute(text("SELECT count(*) FROM analyses")).scalar_one()
        dead = sorted(conn.execute(text("SELECT fingerprint FROM dead_letters")).scalars())
    return posts, analyses, dead


def _ingest_process(path, url):
    env = {**os.environ, "VEILLEUR_DATABASE_URL": url, "VEILLEUR_PIPELINE__BATCH_SIZE": "40"}
    return subprocess.Popen([sys.executable, "-m", "veilleur.cli.main", "ingest", str(path)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.mark.slow
def test_sigkill_halfway_then_rerun_equals_an_uninterrupted_run(tmp_path, database_url, store):
    total = 8000
    lines = [record(i, text=f"Post {i} : ma carte @SG_Vous est bloquée depuis {i % 9} jours") for i in range(total)]
    for k, bad in enumerate(BAD_LINES):
        lines.insert(1000 * (k + 1), bad)
    path = write_jsonl(tmp_path / "big.jsonl", lines)

    assert _ingest_process(path, database_url).wait(timeout=300) == 0
    expected = _snapshot(store)
    assert len(expected[0]) == total and len(expected[2]) == len(BAD_LINES)
    with store.engine.begin() as conn:
        for table in ("dead_letters", "checkpoints", "analyses", "posts", "authors"):
            conn.execute(text(f"DELETE FROM {table}"))

    process = _ingest_process(path, database_url)
    deadline = time.monotonic() + 120
    while store.count("posts") < total // 4:
        assert process.poll() is None, "the ingest ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    assert process.wait(timeout=30) == -signal.SIGKILL
    halfway = store.count("posts")
    assert 0 < halfway < total, "the kill did not land halfway"

    assert _ingest_process(path, database_url).wait(timeout=300) == 0
    assert _snapshot(store) == expected


def test_nul_characters_are_stored_on_both_back_ends_and_kept_in_the_raw_payload(tmp_path, pipeline, store):
    path = write_jsonl(tmp_path / "p.jsonl", [record(1, text="carte\x00bloquée", author={"handle": "a\x00b"})])
    run(path, pipeline, store)
    [row] = store.post_rows()
    assert row["text"] == "carte\ufffdbloquée"
    assert row["raw"]["text"] == "carte\x00bloquée"
