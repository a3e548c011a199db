"""Intake: analysed posts open, join, reopen cases; bank replies answer them; cursor and journal."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from tests.factories import T0, doc
from veilleur.core.actor import SYSTEM
from veilleur.core.case import CaseState, Priority
from veilleur.core.post import Author
from veilleur.inbox.cases import Inbox
from veilleur.inbox.intake import Intake, fingerprint
from veilleur.inbox.settings import Agent, InboxSettings
from veilleur.settings import Settings, get_settings
from veilleur.storage import inbox_store as db
from veilleur.storage import journal

DEMO_TOML = Path(__file__).resolve().parents[2] / "data" / "demo" / "veilleur.toml"
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
"""For logic that does not depend on the back end (the others run on both)."""
TEAM = [Agent(login="alice", team="community_managers"), Agent(login="bruno", team="community_managers"),
        Agent(login="chloe", team="customer_relations")]


def inbox_settings(database_url: str, tmp_path: Path, **inbox: object) -> Settings:
    """The demo organisation (Banque Hélios and its regional banks) with the given inbox settings."""
    base = get_settings(DEMO_TOML, database_url=database_url, data_dir=str(tmp_path))
    values = {"agents": TEAM} | inbox
    return base.model_copy(update={"inbox": InboxSettings(**values)})


def analysed(n: int, text: str, *, handle: str = "client1", platform: str = "x", minutes: float | None = None,
             bank: str | None = "Banque Hélios", entity: str | None = "helios", intent: str = "question",
             topics: tuple[str, ...] = (), urgency: str = "normal", abusive: bool = False, pii: tuple[str, ...] = (),
             **post_fields):
    """A post with its analysis, as the pipeline would have stored it."""
    created = T0 + timedelta(minutes=n if minutes is None else minutes)
    d = doc(n, text, platform=platform, created_at=created, author=Author(handle=handle, followers=10), **post_fields)
    a = d.analysis
    a.bank, a.entity, a.intent, a.topics, a.urgency = bank, entity, intent, list(topics), urgency
    a.sentiment, a.abusive, a.pii, a.language = "neutral", abusive, list(pii), "fr"
    return d


def sync(store, settings, **kwargs):
    return Intake(store, settings, clock=lambda: NOW, **kwargs).sync()


def all_cases(store):
    with store.engine.connect() as conn:
        return db.list_cases(conn)


@pytest.fixture
def cfg(database_url, tmp_path) -> Settings:
    return inbox_settings(database_url, tmp_path)


def test_a_question_opens_a_routed_assigned_case_with_sla_and_journal(store, cfg):
    store.save([analysed(1, "@BanqueHelios quel est le taux du Livret A ?")])
    report = sync(store, cfg)
    (case,) = all_cases(store)
    assert (report.read, report.opened, case.queue, case.rule) == (1, 1, "community_managers", "question générale")
    assert (case.state, case.assignee, case.priority, case.entity) == \
        (CaseState.ASSIGNED, "alice", Priority.P3, "helios")
    assert case.first_response_due > case.opened_at and case.resolution_due >= case.first_response_due
    assert case.conversation_key == "author:x:client1:helios" and case.post_ids == [1]
    with store.engine.connect() as conn:
        actions = [e.action for e in journal.entries(conn) if e.record_type == "case_action"]
        assert db.cursor(conn) == 1
    assert actions == ["opened", "assigned"]
    assert sync(store, cfg).read == 0  # incremental


@SQLITE_ONLY
def test_round_robin_spreads_cases(store, cfg):
    store.save([analysed(n, f"@BanqueHelios question {n} sur le LDD ?", handle=f"c{n}") for n in range(1, 5)])
    sync(store, cfg)
    assert [c.assignee for c in all_cases(store)] == ["alice", "bruno", "alice", "bruno"]


def test_bank_reply_answers_the_thread_and_customer_reply_reopens_work(store, cfg):
    store.save([analysed(1, "@BanqueHelios mon appli plante depuis ce matin", intent="complaint", topics=("digital",),
                         external_id="100", conversation_id="100")])
    sync(store, cfg)
    store.save([analysed(2, "Bonjour, nos équipes corrigent l'incident.", handle="BanqueHelios", external_id="101",
                         conversation_id="100", reply_to_id="100", intent="information")])
    report = sync(store, cfg)
    (case,) = all_cases(store)
    assert report.bank_replies == 1
    assert (case.state, case.answered_in_public, case.first_response_at) == \
        (CaseState.ANSWERED, True, T0 + timedelta(minutes=2))
    with store.engine.connect() as conn:
        assert db.complaint_of_case(conn, case.id).acknowledged_at == T0 + timedelta(minutes=2)
    store.save([analysed(3, "toujours en panne !", external_id="102", conversation_id="100", reply_to_id="101",
                         intent="complaint")])
    sync(store, cfg)
    (case,) = all_cases(store)
    assert (case.state, case.post_ids) == (CaseState.ASSIGNED, [1, 2, 3])


@SQLITE_ONLY
def test_two_customers_in_one_thread_get_one_case_each(store, cfg):
    thread = {"conversation_id": "P"}
    store.save([analysed(1, "Banque Hélios, l'appli plante ?", handle="anna", external_id="c1", reply_to_id="P",
                         **thread),
                analysed(2, "Pareil pour moi, impossible de payer", handle="marc", external_id="c2", reply_to_id="c1",
                         intent="complaint", bank=None, entity=None, **thread),
                analysed(3, "@marc désolés, nous corrigeons", handle="Helios_Aide", external_id="b1", reply_to_id="c2",
                         intent="information", **thread),
                analysed(4, "ça remarche merci", handle="anna", external_id="c3", intent="praise", **thread)])
    sync(store, cfg)
    anna, marc = all_cases(store)
    assert (anna.author_handle, anna.post_ids, anna.state) == ("anna", [1, 4], CaseState.ASSIGNED)
    assert (marc.author_handle, marc.post_ids, marc.state) == ("marc", [2, 3], CaseState.ANSWERED)
    assert (marc.entity, marc.bank) == ("helios", "Banque Hélios")  # from the thread: the post names no bank


@SQLITE_ONLY
def test_thanks_after_closing_do_not_reopen(store, cfg):
    store.save([analysed(1, "@BanqueHelios question sur le PEL ?")])
    sync(store, cfg)
    case_id = all_cases(store)[0].id
    Inbox(store, cfg, clock=lambda: T0 + timedelta(hours=1)).close(SYSTEM, case_id, "answered_public")
    store.save([analysed(2, "@BanqueHelios merci beaucoup, c'est clair !", intent="praise", minutes=120)])
    report = sync(store, cfg)
    (case,) = all_cases(store)
    assert (report.joined, report.reopened, case.state, case.post_ids) == (1, 0, CaseState.CLOSED, [1, 2])


@SQLITE_ONLY
def test_author_window_groups_posts_without_thread(store, cfg):
    store.save([analysed(1, "@BanqueHelios question sur mon plafond ?"),
                analysed(2, "@BanqueHelios et sinon pour le LDD ?", minutes=60),
                analysed(3, "@BanqueHelios encore moi, autre sujet", minutes=60 * 80)])
    sync(store, cfg)
    assert [c.post_ids for c in all_cases(store)] == [[1, 2], [3]]


@SQLITE_ONLY
def test_a_closed_case_reopens_within_n_days_else_a_new_case(store, cfg):
    store.save([analysed(1, "@BanqueHelios question sur le PEL ?")])
    sync(store, cfg)
    case_id = all_cases(store)[0].id
    Inbox(store, cfg, clock=lambda: T0 + timedelta(hours=1)).close(SYSTEM, case_id, "answered_public")
    store.save([analysed(2, "@BanqueHelios finalement une autre question", minutes=60 * 24 * 3)])
    assert sync(store, cfg).reopened == 1
    case = all_cases(store)[0]
    assert (case.state, case.reopened_count, case.closed_at) == (CaseState.ASSIGNED, 1, None)
    Inbox(store, cfg, clock=lambda: T0 + timedelta(days=3, hours=1)).close(SYSTEM, case_id, "resolved")
    store.save([analysed(3, "@BanqueHelios encore une question bien plus tard", minutes=60 * 24 * 20)])
    assert sync(store, cfg).opened == 1
    assert len(all_cases(store)) == 2


@SQLITE_ONLY
def test_cross_posts_join_one_case(store, cfg):
    text = "Scandale, virement bloqué depuis 5 jours @BanqueHelios"
    store.save([analysed(1, text, intent="complaint"),
                analysed(2, text.replace("@BanqueHelios", "@banquehelios !"), platform="facebook", external_id="fb-2",
                         intent="complaint")])
    sync(store, cfg)
    (case,) = all_cases(store)
    assert case.post_ids == [1, 2]
    assert fingerprint("merci !") is None


@SQLITE_ONLY
def test_what_opens_no_case(store, cfg):
    store.save([analysed(1, "Kivo c'est nul", bank="Kivo", entity=None, intent="complaint"),
                analysed(2, "Hélios sponsorise le marathon", intent="information", handle="news")])
    report = sync(store, cfg)
    assert (report.ignored, report.skipped, all_cases(store)) == (1, 1, [])


def test_policy_escalation_fraud_and_complaint_record(store, cfg):
    store.save([analysed(1, "bande de nuls @BanqueHelios", intent="abuse", abusive=True, urgency="low", handle="a"),
                analysed(2, "@BanqueHelios on m'a piraté mon compte, des virements partent !", intent="complaint",
                         topics=("fraud_security",), urgency="high", handle="b"),
                analysed(3, "Hélios Normandie : agence fermée sans prévenir", intent="complaint", handle="c",
                         bank="Hélios Normandie", entity="helios-normandie")])
    sync(store, cfg)
    abuse, fraud, untagged = all_cases(store)
    assert (abuse.state, abuse.state_reason, abuse.queue) == (CaseState.CLOSED, "policy", "moderation")
    assert (fraud.priority, fraud.state, fraud.escalated, fraud.assignee) == (Priority.P1, CaseState.ESCALATED, True,
                                                                              "chloe")
    assert "non_adressé" in untagged.tags and untagged.entity == "helios-normandie"
    with store.engine.connect() as conn:
        record = db.complaint_of_case(conn, fraud.id)
    assert record.received_at == fraud.opened_at and record.acknowledge_due < record.answer_due


@SQLITE_ONLY
def test_nobody_available_leaves_the_case_in_the_queue_with_the_reason(store, database_url, tmp_path):
    cfg = inbox_settings(database_url, tmp_path, agents=[Agent(login="alice", team="community_managers", capacity=0)])
    store.save([analysed(1, "@BanqueHelios une question sur la carte ?")])
    sync(store, cfg)
    (case,) = all_cases(store)
    assert (case.state, case.assignee) == (CaseState.NEW, None)
    assert case.state_reason == "unassigned: nobody available: alice at capacity (0/0)"


def test_a_failure_mid_page_commits_nothing_and_the_next_run_resumes(store, cfg, monkeypatch):
    store.save([analysed(n, f"@BanqueHelios question numéro {n} ?", handle=f"h{n}") for n in (1, 2, 3)])
    original = Intake.take

    def failing(self, conn, post, report):
        if post.id == 3:
            raise RuntimeError("crash")
        return original(self, conn, post, report)

    monkeypatch.setattr(Intake, "take", failing)
    with pytest.raises(RuntimeError):
        sync(store, cfg)
    assert all_cases(store) == []
    monkeypatch.setattr(Intake, "take", original)
    assert sync(store, cfg).opened == 3


@given(st.text(alphabet="abcdeéèêàçôùxyz ,.!?'", min_size=25, max_size=120),
       st.sampled_from(["", " !", " @BanqueHelios", " https://t.co/x1"]))
def test_fingerprint_ignores_case_accents_punctuation_links_and_handles(text, suffix):
    from veilleur.pipeline.text import fold

    assume(fingerprint(text) is not None)
    assert fingerprint(text.upper() + suffix) == fingerprint(text) == fingerprint(fold(text))


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_intakes_at_once_on_postgresql_make_each_case_once(store, cfg):
    """The cursor row is locked: a second intake waits, then reads after the first one's page.

    (SQLite has one writer at a time: there a second intake fails with 'database is locked'.)
    """
    import threading

    store.save([analysed(n, f"@BanqueHelios question numéro {n} sur le LEP ?", handle=f"h{n}") for n in range(1, 41)])
    reports = []
    threads = [threading.Thread(target=lambda: reports.append(sync(store, cfg))) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sum(r.opened for r in reports) == 40
    assert sorted(p for c in all_cases(store) for p in c.post_ids) == list(range(1, 41))
