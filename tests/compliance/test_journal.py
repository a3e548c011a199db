"""The journal on both back ends: chained appends, tampering always detected and located, exports
with a manifest, purges that keep the chain verifiable, and ingest journaling in the page's transaction."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import orjson
import pytest
from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.compliance.support import analysed, open_store, tampering
from tests.factories import doc
from veilleur.compliance.journal import Journal, JournalError, ingest_entries, verify_export
from veilleur.compliance.storage_settings import ComplianceStorageSettings
from veilleur.settings import Settings
from veilleur.storage import journal as chain
from veilleur.storage.journal import GENESIS, NewEntry
from veilleur.storage.sql import SqlStore, StoredPost

T0 = datetime(2020, 1, 1, tzinfo=UTC)


@pytest.fixture
def store(database_url):
    store = open_store(database_url)
    yield store
    store.close()


@pytest.fixture
def make_store(database_url):
    """Stores with other compliance settings, closed after the test."""
    made = []

    def make(**compliance) -> SqlStore:
        made.append(open_store(database_url, **compliance))
        return made[-1]

    yield make
    for store in made:
        store.close()


def fill(store: SqlStore, n: int = 10, record_type: str = "case_action", start: datetime = T0) -> None:
    """``n`` entries, one a day from ``start``."""
    with store.engine.begin() as conn:
        for i in range(n):
            chain.append(conn, [NewEntry("agent:alice", "note", record_type, f"case:{i}",
                                         {"n": i, "note": "rappel client", "score": 0.1 * i})],
                         now=start + timedelta(days=i))


def test_entries_chain_and_verify(store):
    journal = Journal(store)
    first = journal.append("agent:alice", "assign", "case_action", "case:1", {"to": "bob", "at": T0})
    second = journal.append("agent:bob", "reply", "reply_sent", "case:1", {"reply_id": "x:99"})
    assert first.prev_hash == GENESIS and second.prev_hash == first.hash and second.id == first.id + 1
    assert first.details == {"to": "bob", "at": "2020-01-01T00:00:00+00:00"}  # hashed as it reads back
    found = journal.verify()
    assert found.ok and found.checked == 2 and found.last_hash == second.hash


def test_unknown_record_type_is_refused(store):
    with pytest.raises(JournalError, match="unknown record type 'gossip'"):
        Journal(store).append("me", "say", "gossip", None, {})


def test_append_joins_the_callers_transaction(store):
    with pytest.raises(RuntimeError), store.engine.begin() as conn:
        Journal(store).append("me", "change", "setting_change", "pipeline.batch_size", {"to": 10}, conn=conn)
        raise RuntimeError("the caller fails after journaling")
    assert store.count("journal") == 0
    assert Journal(store).verify().ok


def test_the_database_refuses_updates(store):
    fill(store, 2)
    with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as conn:
        conn.execute(text("UPDATE journal SET actor = 'mallory' WHERE id = 1"))


TAMPERING = {
    "details": (["UPDATE journal SET details = :d WHERE id = 5"], {"d": '{"n": 5, "note": "effacé"}'},
                [(5, "changed")]),
    "actor": (["UPDATE journal SET actor = 'mallory' WHERE id = 10"], {}, [(10, "changed")]),
    "hash": (["UPDATE journal SET hash = :h WHERE id = 4"], {"h": "f" * 64}, [(4, "hash_changed")]),
    "delete": (["DELETE FROM journal WHERE id = 6"], {}, [(6, "missing")]),
    "delete two": (["DELETE FROM journal WHERE id IN (2, 3)"], {}, [(2, "missing")]),
    "delete tail": (["DELETE FROM journal WHERE id = 10"], {}, [(10, "missing")]),
    "swap": (["UPDATE journal SET id = 100 WHERE id = 3", "UPDATE journal SET id = 3 WHERE id = 4",
              "UPDATE journal SET id = 4 WHERE id = 100"], {}, [(3, "reordered"), (4, "reordered")]),
    "renumber": (["UPDATE journal SET id = 11 WHERE id = 7"], {}, [(7, "missing"), (11, "reordered")]),
    "time": (["UPDATE journal SET at = :t WHERE id = 8"], {"t": datetime(2019, 1, 1)}, [(8, "changed")]),
}


@pytest.mark.parametrize("case", list(TAMPERING))
def test_tampering_is_detected_and_located(store, case):
    statements, params, expected = TAMPERING[case]
    fill(store, 10)
    with tampering(store) as conn:
        for sql in statements:
            conn.execute(text(sql), params)
    found = Journal(store).verify()
    assert not found.ok
    assert [(p.id, p.kind) for p in found.problems][:len(expected)] == expected, found.problems
    assert str(expected[0][0]) in found.problems[0].message


def test_a_rewritten_entry_with_a_recomputed_hash_is_located_by_the_next_link(store):
    fill(store, 6)
    with store.engine.connect() as conn:
        entry = next(e for e in chain.entries(conn) if e.id == 3)
    entry.details = {"n": 3, "note": "réécrit"}
    with tampering(store) as conn:
        conn.execute(text("UPDATE journal SET details = :d, hash = :h WHERE id = 3"),
                     {"d": orjson.dumps(entry.details).decode(), "h": entry.computed_hash()})
    found = Journal(store).verify()
    assert [(p.id, p.kind) for p in found.problems] == [(4, "rewritten")]
    assert "entry 3 was rewritten" in found.problems[0].message


def test_an_inserted_entry_is_detected(store):
    fill(store, 3)
    with store.engine.begin() as conn:
        conn.execute(text("INSERT INTO journal (id, at, actor, action, record_type, subject, details, prev_hash, hash) "
                          "VALUES (4, :at, 'mallory', 'note', 'case_action', NULL, '{}', :p, :h)"),
                     {"at": T0, "p": "0" * 64, "h": "1" * 64})
    found = Journal(store).verify()
    assert not found.ok and found.problems[0].id == 4


def test_export_writes_json_lines_and_a_manifest(store, tmp_path):
    fill(store, 10)
    report = Journal(store).export(date(2020, 1, 3), date(2020, 1, 7), tmp_path / "journal.jsonl")
    lines = [orjson.loads(line) for line in report.path.read_bytes().splitlines()]
    assert [e["id"] for e in lines] == [3, 4, 5, 6, 7]  # the 7th of January is included
    manifest = orjson.loads(report.manifest.read_bytes())
    assert (manifest["count"], manifest["first_id"], manifest["last_id"]) == (5, 3, 7)
    assert (manifest["first_hash"], manifest["last_hash"]) == (lines[0]["hash"], lines[-1]["hash"])
    assert manifest["chain_verified"] is True and manifest["gaps"] == []
    assert verify_export(report.path) == []
    report.path.write_bytes(report.path.read_bytes().replace(b"rappel client", b"rappel effac\xc3\xa9"))
    problems = verify_export(report.path)
    assert "the file's SHA-256 is not the manifest's" in problems
    assert "entry 3: its content does not match its hash" in problems


def test_purge_deletes_expired_entries_and_the_chain_still_verifies(make_store):
    store = make_store(retention_days={"case_action": 30, "setting_change": 3650})
    fill(store, 5, "case_action")                                   # 1..5, expire after 30 days
    fill(store, 1, "setting_change", T0 + timedelta(days=5))        # 6, kept ten years
    fill(store, 5, "case_action", T0 + timedelta(days=6))           # 7..11
    fill(store, 2, "setting_change", T0 + timedelta(days=11))       # 12, 13
    journal = Journal(store)
    report = journal.purge(T0 + timedelta(days=45))
    assert report.deleted == 10 and report.by_type == {"case_action": 10}
    assert [(a.first_id, a.last_id) for a in report.anchors] == [(1, 5), (7, 11)]
    found = journal.verify()
    assert found.ok, found.problems
    assert found.anchors == 2 and found.checked == 4  # 6, 12, 13 and the purge's own entry
    journal.append("agent:alice", "note", "case_action", "case:9", {})
    report = journal.purge(T0 + timedelta(days=20 * 365))  # everything expires, the tail too
    assert [(a.first_id, a.last_id) for a in report.anchors] == [(1, 15)]  # merged with the old anchors
    assert journal.verify().ok
    journal.append("agent:alice", "note", "case_action", "case:10", {})
    assert journal.verify().ok


def test_purge_refuses_a_broken_chain_and_a_forged_anchor_is_seen(store):
    fill(store, 4)
    with tampering(store) as conn:
        conn.execute(text("DELETE FROM journal WHERE id = 2"))
    with pytest.raises(JournalError, match="nothing purged: entry 2 is missing"):
        Journal(store).purge(T0 + timedelta(days=10_000))
    with store.engine.begin() as conn:
        conn.execute(text("INSERT INTO journal_anchors (first_id, last_id, prev_hash, last_hash, count, purged_at) "
                          "VALUES (2, 2, :h, :h, 1, :t)"), {"h": "a" * 64, "t": T0})
    found = Journal(store).verify()
    assert [(p.id, p.kind) for p in found.problems] == [(2, "anchor"), (3, "rewritten")]


def test_ingest_journals_each_post_and_analysis_in_the_same_transaction(store, monkeypatch):
    journal = Journal(store)
    docs = analysed(doc(1, "Merci la BNP"), doc(2, "La SG a bloqué ma carte"))

    def hook(conn, stored):
        journal.record_ingest(conn, stored, "file:p.jsonl")

    store.save(docs, source="file:p.jsonl", checkpoint="2", journal=hook)
    with store.engine.connect() as conn:
        entries = list(chain.entries(conn))
    assert [(e.record_type, e.action) for e in entries] == [("post_received", "received"), ("analysis", "analysed")] * 2
    assert entries[0].details == {"platform": "x", "external_id": "1", "source": "file:p.jsonl"}
    assert entries[1].details["bank"] == "BNP Paribas"
    assert "Merci" not in orjson.dumps([e.details for e in entries]).decode()  # no text in the journal

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(SqlStore, "_insert_dead", broken)
    with pytest.raises(RuntimeError):
        store.save(analysed(doc(3)), source="file:p.jsonl", checkpoint="3", journal=hook)
    assert store.count("journal") == 4 and store.count("posts") == 2
    assert journal.verify().ok


def test_ingest_entries_say_received_again_for_an_update():
    [d] = analysed(doc(1))
    [received, analysis] = ingest_entries([StoredPost(d, 7, False)], "s")
    assert (received.action, received.subject, analysis.subject) == ("received_again", "post:7", "post:7")


def test_retention_settings():
    settings = Settings()
    assert settings.compliance_storage.retention_for("post_received") == 1826
    assert settings.compliance_storage.retention_for("unmask") == 1826
    custom = ComplianceStorageSettings(retention_days={"reply_sent": 2557}, default_retention_days=400)
    assert (custom.retention_for("reply_sent"), custom.retention_for("analysis")) == (2557, 400)
    with pytest.raises(ValidationError, match="unknown record type"):
        ComplianceStorageSettings(retention_days={"tweets": 10})
    with pytest.raises(ValidationError, match="at least 1 day"):
        ComplianceStorageSettings(retention_days={"analysis": 0})
