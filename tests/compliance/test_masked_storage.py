"""Masked storage on both back ends: the masked text is stored, indexed and shown; the original is
encrypted (and unmasked by the allowed roles only, journaled) or dropped; raw and analysis masked too."""
from __future__ import annotations

import base64
import os

import orjson
import pytest
from pydantic import ValidationError
from sqlalchemy import select, text

from tests.compliance.support import IBAN, MASKED_IBAN, analysed, grep, new_key, open_store
from tests.factories import doc
from veilleur.compliance.journal import Journal
from veilleur.compliance.storage_settings import ComplianceStorageSettings
from veilleur.core.labels import Span
from veilleur.errors import ConfigError
from veilleur.pipeline.base import Doc
from veilleur.settings import get_settings
from veilleur.storage import journal as chain
from veilleur.storage.masking import OriginalUnavailable, UnmaskRefused, mask_doc
from veilleur.storage.tables import posts

TEXT = f"@SG_Vous mon IBAN c'est {IBAN}, appelez-moi au 06 12 34 56 78 svp"


@pytest.fixture
def make_store(database_url):
    made = []

    def make(**compliance):
        made.append(open_store(database_url, **compliance))
        return made[-1]

    yield make
    for store in made:
        store.close()


def pii_doc(n=1, body=TEXT, **fields):
    return analysed(doc(n, body, raw={"id": str(n), "text": body, "quoted": {"full_text": body}}, **fields))[0]


def stored_post(store):
    with store.engine.connect() as conn:
        return conn.execute(select(posts)).one()


def journal_entries(store, record_type):
    with store.engine.connect() as conn:
        return [e for e in chain.entries(conn) if e.record_type == record_type]


def test_the_masked_text_is_stored_indexed_and_the_original_encrypted(make_store):
    store = make_store(encryption_key=new_key())
    store.save([pii_doc()])
    row = stored_post(store)
    assert row.text == f"@SG_Vous mon IBAN c'est {MASKED_IBAN}, appelez-moi au 06 •• •• •• 78 svp"
    assert row.text_state == "encrypted" and IBAN.encode() not in bytes(row.text_original)
    assert row.raw["text"] == row.text and row.raw["quoted"]["full_text"] == row.text
    assert store.search("IBAN")[0].text == row.text
    assert store.search("0112") == [] and store.search("3456") == []
    assert grep(store, [IBAN, "3000 6000", "12 34 56"]) == []  # nowhere in clear, analyses included
    [analysis] = store.post_rows()
    assert MASKED_IBAN in analysis["clean_text"]
    spans = analysis["details"]["pii_spans"]
    assert [(s["kind"], s["text"], s["value"]) for s in spans] == [("iban", MASKED_IBAN, None),
                                                                  ("phone", "06 •• •• •• 78", None)]
    assert [row.text[s["start"]:s["end"]] for s in spans] == [MASKED_IBAN, "06 •• •• •• 78"]


def test_unmask_gives_the_original_to_allowed_roles_and_journals_every_attempt(make_store):
    store = make_store(encryption_key=new_key(), unmask_roles=["compliance"])
    store.save([pii_doc()])
    post_id = stored_post(store).id
    assert store.unmask(post_id, actor="claire", role="compliance") == TEXT
    with pytest.raises(UnmaskRefused, match=r"role 'agent' may not unmask personal data .allowed: compliance"):
        store.unmask(post_id, actor="bob", role="agent")
    entries = journal_entries(store, "unmask")
    assert [(e.actor, e.subject, e.details) for e in entries] == [
        ("claire", f"post:{post_id}", {"role": "compliance", "outcome": "granted"}),
        ("bob", f"post:{post_id}", {"role": "agent", "outcome": "refused"})]
    assert Journal(store).verify().ok


def test_dropped_mode_keeps_no_original(make_store):
    store = make_store()  # no key: dropped by default
    assert store.compliance.original_text_mode == "dropped"
    store.save([pii_doc()])
    row = stored_post(store)
    assert (row.text_state, row.text_original) == ("dropped", None) and MASKED_IBAN in row.text
    with pytest.raises(OriginalUnavailable, match="dropped when the post was stored"):
        store.unmask(row.id, actor="claire", role="admin")
    assert journal_entries(store, "unmask")[0].details["outcome"] == "dropped"


def test_dropped_mode_can_be_chosen_with_a_key(make_store):
    store = make_store(encryption_key=new_key(), original_text="dropped")
    store.save([pii_doc()])
    assert stored_post(store).text_state == "dropped"


def test_a_post_without_personal_data_is_stored_as_it_is(make_store):
    store = make_store(encryption_key=new_key())
    store.save(analysed(doc(1, "Merci la BNP")))
    row = stored_post(store)
    assert (row.text, row.text_state, row.text_original) == ("Merci la BNP", "original", None)
    assert store.unmask(row.id, actor="claire", role="admin") == "Merci la BNP"


def test_another_key_or_a_moved_ciphertext_does_not_decrypt(make_store, database_url):
    store = make_store(encryption_key=new_key())
    store.save([pii_doc(1), pii_doc(2, TEXT.replace("06 12", "07 12"))])
    first, second = sorted(r["id"] for r in store.post_rows())
    other = make_store(encryption_key=new_key())
    with pytest.raises(OriginalUnavailable, match=r"encrypted with key .* the configured key is"):
        other.unmask(first, actor="claire", role="admin")
    with store.engine.begin() as conn:  # the ciphertext of post 1 copied onto post 2
        blob = conn.execute(select(posts.c.text_original).where(posts.c.id == first)).scalar_one()
        conn.execute(posts.update().where(posts.c.id == second).values(text_original=blob))
    with pytest.raises(OriginalUnavailable, match="altered or moved"):
        store.unmask(second, actor="claire", role="admin")


def test_an_unknown_post_is_a_clear_error(make_store):
    store = make_store()
    with pytest.raises(Exception, match="no post with id 42"):
        store.unmask(42, actor="claire", role="admin")


def test_offsets_after_a_replaced_item_follow_the_masked_text():
    body = "Née le 14/02/1991, cliente BNP Paribas depuis 10 ans"
    [d] = analysed(doc(1, body))
    assert [s.kind for s in d.analysis.pii_spans] == ["birth_date"]
    masked = mask_doc(d, None, d.analysis.details())
    assert masked.text == "Née le [date de naissance], cliente BNP Paribas depuis 10 ans"
    [brand] = masked.details["brands"]
    assert masked.text[brand["start"]:brand["end"]] == "BNP Paribas"


def test_spans_outside_the_text_are_ignored():
    d = Doc(doc(1, "court").post)
    d.analysis.pii_spans = [Span(3, 40, "iban", "xx")]
    assert mask_doc(d, None, d.analysis.details()) is None


def test_settings_validate_the_key_and_the_mode(monkeypatch):
    with pytest.raises(ValidationError, match="must be base64"):
        ComplianceStorageSettings(encryption_key="pas une clé!")
    with pytest.raises(ValidationError, match="16, 24 or 32 bytes, not 5"):
        ComplianceStorageSettings(encryption_key=base64.b64encode(b"12345").decode())
    with pytest.raises(ValidationError, match=r"needs compliance_storage.encryption_key"):
        ComplianceStorageSettings(original_text="encrypted")
    key = base64.b64encode(os.urandom(32)).decode()
    monkeypatch.setenv("VEILLEUR_COMPLIANCE_STORAGE__ENCRYPTION_KEY", key)
    settings = get_settings()
    assert settings.compliance_storage.original_text_mode == "encrypted"
    assert key not in repr(settings) and settings.compliance_storage.key == base64.b64decode(key)
    monkeypatch.setenv("VEILLEUR_COMPLIANCE_STORAGE__ENCRYPTION_KEY", "tooshort")
    with pytest.raises(ConfigError, match=r"compliance_storage.encryption_key"):
        get_settings()


def test_masking_applies_when_the_post_is_updated_too(make_store):
    store = make_store()
    store.save(analysed(doc(1, "Merci la BNP")))
    store.save([pii_doc(1)])
    row = stored_post(store)
    assert MASKED_IBAN in row.text and row.text_state == "dropped"
    with store.engine.connect() as conn:
        raw = conn.execute(text("SELECT raw FROM posts")).scalar_one()
    assert IBAN not in (raw if isinstance(raw, str) else orjson.dumps(raw).decode())
