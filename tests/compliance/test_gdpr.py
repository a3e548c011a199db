"""GDPR export and erasure on both back ends: everything gathered, nothing left in any table, the
statistics unchanged, legal holds respected and explained, both requests journaled without the person."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import orjson
import pytest
from typer.testing import CliRunner

from tests.compliance.support import IBAN, analysed, grep, new_key, open_store
from tests.factories import doc, record, write_jsonl
from veilleur.cli.main import app
from veilleur.compliance import gdpr as gdpr_module
from veilleur.compliance.gdpr import ErasureRefused, Gdpr, GdprError, normalise_subject, register
from veilleur.compliance.journal import Journal
from veilleur.core.post import Author
from veilleur.storage import journal as chain
from veilleur.storage.base import DeadLetter

HANDLE = "jeanne_vrm75"
NAME = "Jeanne Vermicelle"
BIO = "Collectionneuse de zorglubs à Plouzévédé"
BIO_WORDS = ["Collectionneuse", "zorglubs", "Plouzévédé"]
TEXTS = [
    "Ma carte est bloquée depuis Trifouillis-les-Oies, merci la BNP",
    f"Voici mon IBAN {IBAN} pour le remboursement, la SG traîne",
    "Le conseiller de Saint-Glinglin ne répond jamais",
]
OTHER = "Même souci que @Jeanne_VRM75 avec la carte BNP"


@pytest.fixture
def store(database_url):
    store = open_store(database_url, encryption_key=new_key())
    yield store
    store.close()


def jeanne(n: int, body: str, platform: str = "x"):
    author = Author(handle=HANDLE if platform == "x" else HANDLE.upper(), display_name=NAME, bio=BIO,
                    url=f"https://x.com/{HANDLE}", followers=12)
    return doc(n, body, platform=platform, author=author, url=f"https://x.com/{HANDLE}/status/{n}",
               raw={"id": str(n), "text": body, "user": {"screen_name": HANDLE, "name": NAME, "description": BIO}})


def populate(store):
    docs = [jeanne(1, TEXTS[0]), jeanne(2, TEXTS[1]), jeanne(3, TEXTS[2], platform="mastodon"),
            doc(4, OTHER, raw={"text": OTHER, "in_reply_to_screen_name": HANDLE}),
            doc(5, "Merci la SG pour la réponse rapide")]
    journal = Journal(store)
    store.save(analysed(*docs), source="file:p.jsonl", checkpoint="5",
               dead=[DeadLetter("file:p.jsonl", f'{{"user": "{HANDLE}", "text": "{TEXTS[2]}'.encode(), "bad JSON"),
                     DeadLetter("file:p.jsonl", b"{oops", "not valid JSON")],
               journal=lambda conn, stored: journal.record_ingest(conn, stored, "file:p.jsonl"))
    return docs


def person_needles():
    return [HANDLE, NAME, *BIO_WORDS, *TEXTS, "Trifouillis", "Saint-Glinglin", IBAN]


def test_export_gathers_everything_held_about_the_person(store):
    populate(store)
    data = Gdpr(store).export("@Jeanne_VRM75", actor="dpo")
    assert sorted(a["platform"] for a in data["authors"]) == ["mastodon", "x"]
    assert [p["external_id"] for p in data["posts"]] == ["1", "2", "3"]
    assert data["posts"][1]["original_text"] == TEXTS[1]  # decrypted for the person's own copy
    assert IBAN not in data["posts"][1]["text"]
    assert len(data["analyses"]) == 3
    assert [m["external_id"] for m in data["mentions"]] == ["4"]
    assert [d["reason"] for d in data["dead_letters"]] == ["bad JSON"]
    orjson.dumps(data)  # JSON-able as it is
    [entry] = [e for e in entries(store) if e.record_type == "gdpr_export"]
    assert (entry.actor, entry.subject) == ("dpo", "authors:" + ",".join(str(a["id"]) for a in data["authors"]))
    assert entry.details["records"]["posts"] == 3 and entry.details["originals_decrypted"] == 1


def test_erase_leaves_no_trace_in_any_table_and_the_statistics_unchanged(store):
    populate(store)
    before = store.stats()
    assert grep(store, [HANDLE])  # the grep does see the person before
    Gdpr(store).export(HANDLE)  # an earlier export is journaled too, and must not name them
    report = Gdpr(store).erase(HANDLE, actor="dpo")
    assert report.changed["posts"] == 3 and report.changed["authors"] == 2 and report.changed["mentions"] == 1
    assert grep(store, person_needles()) == []
    after = store.stats()
    assert after == before
    rows = {r["external_id"]: r for r in store.post_rows()}
    assert rows["1"]["text"] == "[effacé]" and rows["1"]["url"] is None
    assert rows["4"]["text"] == f"Même souci que @{report.pseudonym} avec la carte BNP"
    assert rows["5"]["text"] == "Merci la SG pour la réponse rapide"
    assert Journal(store).verify().ok
    [entry] = [e for e in entries(store) if e.record_type == "gdpr_erase"]
    assert entry.details["pseudonym"] == report.pseudonym and entry.actor == "dpo"


def test_an_erased_post_is_not_stored_again_by_a_later_ingest(store):
    docs = populate(store)
    Gdpr(store).erase(HANDLE)
    again = store.save(analysed(jeanne(1, TEXTS[0]), jeanne(6, "Nouveau message de Jeanne")))
    assert (again.inserted, again.updated) == (1, 0)  # only the new post
    assert {r["external_id"]: r["text"] for r in store.post_rows()}["1"] == "[effacé]"
    assert len(docs) == 5


def test_a_legal_hold_on_the_person_refuses_the_erasure_and_says_why(store):
    populate(store)
    gdpr = Gdpr(store)
    hold = gdpr.hold("@Jeanne_vrm75", "Contentieux n° 2026-118 (tribunal de Nantes)", None, "juriste:marc")
    with pytest.raises(ErasureRefused, match=r"under legal hold, nothing was erased") as refused:
        gdpr.erase(HANDLE, actor="dpo")
    assert f"hold #{hold}: Contentieux n° 2026-118" in str(refused.value)
    assert "until released" in str(refused.value)
    assert TEXTS[0] in [r["text"] for r in store.post_rows()]
    kinds = [(e.record_type, e.action) for e in entries(store) if e.record_type in ("gdpr_erase", "legal_hold")]
    assert kinds == [("legal_hold", "set"), ("gdpr_erase", "erase_refused")]
    assert HANDLE not in orjson.dumps([e.to_json() for e in entries(store)]).decode().lower()


def test_an_expired_hold_does_not_stop_the_erasure_and_forgets_the_person(store):
    populate(store)
    gdpr = Gdpr(store)
    gdpr.hold(f"author:x:{HANDLE}", f"Réclamation de {NAME}", datetime.now(UTC) - timedelta(days=1), "juriste")
    gdpr.erase(HANDLE)
    assert grep(store, person_needles()) == []


def test_a_hold_on_one_post_keeps_that_post_and_its_author_only(store):
    populate(store)
    gdpr = Gdpr(store)
    hold = gdpr.hold("post:x:2", "Litige sur le remboursement", datetime.now(UTC) + timedelta(days=365), "juriste")
    report = gdpr.erase(HANDLE)
    rows = {r["external_id"]: r for r in store.post_rows()}
    held_id = rows["2"]["id"]
    assert report.held_posts == {held_id: [hold]}
    assert rows["2"]["text_state"] == "encrypted" and rows["1"]["text"] == rows["3"]["text"] == "[effacé]"
    assert report.changed["authors"] == 1  # the mastodon row; the x row is kept with the held post
    assert store.unmask(held_id, actor="juriste", role="compliance") == TEXTS[1]


def test_an_unknown_person_changes_nothing(store):
    populate(store)
    before = grep(store, [HANDLE])
    report = Gdpr(store).erase("@personne_inconnue")
    assert not report.found and grep(store, [HANDLE]) == before
    with pytest.raises(GdprError, match="give the person's handle"):
        Gdpr(store).erase("@")


def test_other_rooms_register_their_own_parts(store, monkeypatch):
    monkeypatch.setattr(gdpr_module, "PARTS", dict(gdpr_module.PARTS))
    erased = []
    register("cases", lambda conn, person, store: [{"case": 1, "author_ids": person.author_ids}],
             lambda conn, person, store: erased.append(person.pseudonym) or 1)
    with pytest.raises(GdprError, match="already registered"):
        register("cases", lambda *a: [])
    populate(store)
    assert len(Gdpr(store).export(HANDLE)["cases"]) == 1
    report = Gdpr(store).erase(HANDLE)
    assert erased == [report.pseudonym] and report.changed["cases"] == 1


@pytest.mark.parametrize(("given", "stored"), [
    ("@Jeanne", "author:jeanne"), ("author:X:@Jeanne", "author:x:jeanne"), ("post:X:123", "post:x:123"),
    ("case:12", "case:12")])
def test_hold_subjects_are_normalised(given, stored):
    assert normalise_subject(given) == stored


def test_a_malformed_hold_subject_is_refused():
    with pytest.raises(GdprError, match="expected author:<handle>"):
        normalise_subject("post:")


def test_the_commands(tmp_path):
    runner = CliRunner()
    config = tmp_path / "veilleur.toml"
    config.write_text('data_dir = "data"\n', encoding="utf-8")
    assert runner.invoke(app, ["init", "--config", str(config)]).exit_code == 0
    lines = [record(1, author={"handle": "jdupont", "display_name": "Jean Dupontel"}), record(2), record(3)]
    path = write_jsonl(tmp_path / "p.jsonl", lines)
    assert runner.invoke(app, ["ingest", str(path), "--config", str(config)]).exit_code == 0

    def run(*args):
        return runner.invoke(app, [*args, "--config", str(config)])

    verified = run("journal", "verify")
    # three posts received and analysed, plus the settings seen at the first start
    assert verified.exit_code == 0 and "journal intact: 7 entries checked" in verified.output
    today = datetime.now(UTC).date().isoformat()
    exported = run("journal", "export", "--from", today, "--to", today, "--out", str(tmp_path / "j.jsonl"))
    assert exported.exit_code == 0 and "7 entries written" in exported.output
    assert (tmp_path / "j.jsonl.manifest.json").exists()
    person = run("gdpr", "export", "@jdupont", "--out", str(tmp_path / "jdupont.json"))
    assert person.exit_code == 0, person.output
    assert orjson.loads((tmp_path / "jdupont.json").read_bytes())["authors"][0]["display_name"] == "Jean Dupontel"
    held = run("gdpr", "hold", "@jdupont", "--reason", "Contentieux", "--until", "2099-12-31", "--by", "marc")
    assert held.exit_code == 0 and "legal hold #1" in held.output
    refused = run("gdpr", "erase", "jdupont")
    assert refused.exit_code == 2 and "Contentieux" in refused.output
    erased = run("gdpr", "erase", "@someone_else", "--actor", "dpo")
    assert erased.exit_code == 0 and "nothing held about @someone_else" in erased.output
    purged = run("journal", "purge", "--now", "2099-01-01")
    assert purged.exit_code == 0 and "expired entries deleted" in purged.output
    assert run("journal", "verify").exit_code == 0
    import sqlite3

    db = sqlite3.connect(tmp_path / "data" / "veilleur.db")
    with db:
        db.execute("DROP TRIGGER journal_append_only")
        db.execute("DELETE FROM journal WHERE id = (SELECT max(id) FROM journal)")
    db.close()
    broken = run("journal", "verify")
    assert broken.exit_code == 1 and "is missing (deleted)" in broken.output


def entries(store):
    with store.engine.connect() as conn:
        return list(chain.entries(conn))
