"""The knowledge base: import, suggest, render, stale facts that block, journaled updates, French tokens."""
from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from veilleur.inbox.knowledge import (
    AnswerBlocked,
    KnowledgeBase,
    KnowledgeError,
    MissingVariable,
    export_toml,
    read_toml,
)
from veilleur.inbox.knowledge_settings import KnowledgeSettings
from veilleur.inbox.retrieval import Bm25, stem, tokens
from veilleur.storage.journal import entries

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
TODAY = NOW.date()
DEMO = Path(__file__).parents[2] / "data" / "knowledge"

SMALL = """
[[facts]]
key = "taux_livret_a"
value = "1,7"
unit = "%"
effective_from = 2025-08-01
valid_until = 2026-01-31
source = "Banque de France (exemple)"
example = true

[[facts]]
key = "plafond_livret_a"
value = "22 950"
unit = "€"
effective_from = 2013-10-01
source = "Code monétaire et financier"

[[answers]]
id = "livret-a-taux"
language = "fr"
title = "Taux du Livret A"
questions = ["Quel est le taux du Livret A ?", "Combien rapporte un Livret A ?"]
body = "Bonjour {prenom}, le taux du Livret A est de {fait:taux_livret_a}."
approved_by = "conformite"
approved_at = 2026-11-02

[[answers]]
id = "livret-a-plafond"
language = "fr"
title = "Plafond du Livret A"
questions = ["Quel est le plafond du Livret A ?", "Combien peut-on verser au maximum ?"]
body = "Bonjour {prenom}, le plafond est de {fait:plafond_livret_a}. Détails : {lien_espace_securise}"
approved_by = "conformite"
approved_at = 2026-11-02

[[answers]]
id = "carte-opposition"
language = "fr"
title = "Faire opposition sur sa carte"
questions = ["On m'a volé ma carte bancaire", "Comment bloquer ma carte perdue ?"]
body = "Bonjour {prenom}, faites opposition dans l'application."
approved_by = "conformite"
approved_at = 2026-11-02

[[answers]]
id = "en-card-lost"
language = "en"
title = "Lost card"
questions = ["I lost my card", "How do I block my card?"]
body = "Hello {prenom}, block your card in the app."
approved_by = "compliance"
approved_at = 2026-11-02
"""


@pytest.fixture
def kb(store, tmp_path) -> KnowledgeBase:
    path = tmp_path / "kb.toml"
    path.write_text(SMALL, encoding="utf-8")
    base = KnowledgeBase(store, KnowledgeSettings(vectors=False))
    report = base.import_toml(path, actor="alice", now=NOW)
    assert report.facts == {"added": 2} and report.answers == {"added": 4}
    return base


def test_suggest_finds_the_answer_and_says_when_a_stale_fact_blocks_it(kb):
    found = kb.suggest("c combien le taux du livret a en ce moment ?", "fr", k=2, today=TODAY)
    assert found[0].answer_id == "livret-a-taux"
    assert "taux_livret_a" in found[0].blocked and "31/01/2026" in found[0].blocked
    assert found[0].facts == ("taux_livret_a",)
    plafond = kb.suggest("il est à combien le plafond du livret A", "fr", today=TODAY)[0]
    assert plafond.answer_id == "livret-a-plafond" and plafond.blocked is None


def test_suggest_keeps_to_the_language_asked(kb):
    assert kb.suggest("my card was stolen, block it", "en", today=TODAY)[0].answer_id == "en-card-lost"
    assert kb.suggest("ma CB a été volée", "fr", today=TODAY)[0].answer_id == "carte-opposition"


def test_render_fills_facts_and_variables_and_refuses_stale_facts(kb):
    text = kb.render("livret-a-plafond", {"prenom": "Julie", "lien_espace_securise": "https://h.example/s"},
                     today=TODAY)
    assert text == "Bonjour Julie, le plafond est de 22 950\u00a0€. Détails : https://h.example/s"
    with pytest.raises(AnswerBlocked, match=r"taux_livret_a.*31/01/2026.*Banque de France"):
        kb.render("livret-a-taux", {"prenom": "Julie"}, today=TODAY)
    assert kb.render("livret-a-taux", {"prenom": "Julie"}, today=date(2026, 1, 31)).endswith("1,7\u00a0%.")
    with pytest.raises(MissingVariable, match="lien_espace_securise, prenom"):
        kb.render("livret-a-plafond", {}, today=TODAY)
    with pytest.raises(KnowledgeError, match="no answer"):
        kb.render("nope", {}, today=TODAY)


def test_updating_a_fact_unblocks_its_answers_and_is_journaled(kb, store):
    kb.set_fact("taux_livret_a", "1,5", source="Banque de France, 1er février 2026", actor="bob", now=NOW,
                effective_from=date(2026, 2, 1), valid_until=date(2026, 7, 31))
    assert kb.render("livret-a-taux", {"prenom": "Léa"}, today=date(2026, 3, 1)).endswith("1,5\u00a0%.")
    assert kb.suggest("taux livret A", "fr", today=date(2026, 3, 1))[0].blocked is None
    with store.engine.connect() as conn:
        journaled = [e for e in entries(conn) if e.record_type == "knowledge"]
    update = journaled[-1]
    assert (update.actor, update.action, update.subject) == ("bob", "fact_updated", "fact:taux_livret_a")
    assert update.details["old"]["value"] == "1,7" and update.details["new"]["value"] == "1,5"
    assert len(journaled) == 7  # 2 facts + 4 answers added, 1 fact updated


def test_a_fact_not_yet_in_force_blocks_too(kb):
    kb.set_fact("plafond_livret_a", "25 000", source="décret (exemple)", actor="bob", now=NOW,
                effective_from=date(2027, 1, 1))
    assert "n'entre en vigueur que le 01/01/2027" in kb.suggest("plafond livret A", "fr", today=TODAY)[0].blocked


def test_fact_updates_need_a_source_and_a_sound_validity(kb):
    with pytest.raises(KnowledgeError, match="source"):
        kb.set_fact("taux_livret_a", "1,5", source=" ", actor="bob", now=NOW)
    with pytest.raises(KnowledgeError, match="before effective_from"):
        kb.set_fact("taux_livret_a", "1,5", source="x", actor="bob", now=NOW, valid_until=date(2020, 1, 1))


def test_importing_the_same_file_twice_changes_nothing(kb, tmp_path):
    path = tmp_path / "kb.toml"
    report = kb.import_toml(path, actor="alice", now=NOW)
    assert report.facts == {"unchanged": 2} and report.answers == {"unchanged": 4}


def test_export_reads_back_the_same(kb, tmp_path):
    exported = tmp_path / "export.toml"
    exported.write_text(export_toml(kb.facts(), kb.answers()), encoding="utf-8")
    facts, answers = read_toml(exported, NOW)
    assert [(f.key, f.value, f.valid_until, f.example) for f in facts] == \
        [(f.key, f.value, f.valid_until, f.example) for f in kb.facts()]
    assert [(a.id, a.questions, a.body, a.approved_at) for a in answers] == \
        [(a.id, a.questions, a.body, a.approved_at) for a in kb.answers()]


@pytest.mark.parametrize(("text", "message"), [
    ("[[answers]]\nid = 'Pas Un Slug'\nlanguage='fr'\ntitle='t'\nquestions=['q']\nbody='b'\napproved_by='x'",
     r"answers\[0\]\.id"),
    ("[[answers]]\nid = 'a'\nlanguage='de'\ntitle='t'\nquestions=['q']\nbody='b'\napproved_by='x'",
     r"answers\[0\]\.language"),
    ("[[answers]]\nid = 'a'\nlanguage='fr'\ntitle='t'\nquestions=[]\nbody='b'\napproved_by='x'",
     r"answers\[0\]\.questions"),
    ("[[facts]]\nkey='k'\nvalue='v'\nsource='s'", r"facts\[0\]: missing 'effective_from'"),
    ("[[facts]]\nkey='k'\nvalue='v'\nsource='s'\neffective_from=2026-01-01\nvalid_until='demain'",
     r"facts\[0\]\.valid_until"),
    ("[[facts]]\nkey='k'\nvalue='v'\nsource='s'\neffective_from=2026-01-01\ncolour='red'", "unknown field"),
    ("[regles]\nx = 1", "unknown table"),
    ("[[facts]\n", "not valid TOML"),
])
def test_bad_knowledge_files_name_the_entry(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeError, match=message):
        read_toml(path, NOW)


def test_the_demo_knowledge_base_is_valid_and_every_fact_it_quotes_exists():
    facts, _ = read_toml(DEMO / "facts.toml", NOW)
    keys = {f.key for f in facts}
    for name in ("answers_fr.toml", "answers_en.toml"):
        _, answers = read_toml(DEMO / name, NOW)
        for answer in answers:
            from veilleur.inbox.knowledge import fact_keys

            assert set(fact_keys(answer.body)) <= keys, answer.id
    assert all(f.example for f in facts)


# -- tokens and BM25 ------------------------------------------------------------------------------
def test_french_folding_elisions_sms_and_stems():
    assert tokens("L'opposition d'urgence") == tokens("opposition urgence")
    assert tokens("Ma CARTE est BLOQUÉE") == tokens("ma carte est bloquee") == ["cart", "bloqu"]
    assert tokens("pk ma cb bloquée") == ["pourquoi", "cart", "bloqu"]
    assert tokens("taux du Livret A") == ["tau", "livreta"]
    assert stem("virements") == stem("virement") and stem("bloquer") == stem("bloques")


@given(st.text(alphabet=st.sampled_from("abcdeéèêàçôûîù' -AÉZ"), max_size=40))
def test_tokens_ignore_accents_and_case(text):
    plain = text.translate(str.maketrans("éèêàçôûîùÉ", "eeeacouiuE"))
    assert tokens(text) == tokens(plain) == tokens(text.upper())


def test_bm25_prefers_rare_matching_terms():
    index = Bm25([["cart", "bloqu"], ["cart", "tau"], ["tau", "livreta"]])
    scores = index.scores(["livreta", "tau"])
    assert scores.argmax() == 2 and scores[0] == 0
    assert list(Bm25([]).scores(["x"])) == []


def test_setting_a_fact_to_its_own_value_records_who_confirmed_it(kb, store):
    kb.set_fact("plafond_livret_a", "22 950", source="Code monétaire et financier", actor="carla", now=NOW,
                effective_from=date(2013, 10, 1), unit="€")
    fact = next(f for f in kb.facts() if f.key == "plafond_livret_a")
    assert (fact.updated_by, fact.version) == ("carla", 1)
    with store.engine.connect() as conn:
        assert [e.action for e in entries(conn)][-1] == "fact_confirmed"
