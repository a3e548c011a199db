"""Replies: policy check on drafts, four eyes on sensitive cases, sending through a recording replier."""
from __future__ import annotations

import pytest

from tests.inbox.test_cases_actions import ALICE
from tests.inbox.test_intake import NOW, all_cases, analysed, inbox_settings, sync
from veilleur.core.actor import Actor, Role
from veilleur.core.case import CaseState
from veilleur.inbox.replies import RecordingReplier, Replier, Replies, ReplyError
from veilleur.storage import inbox_store as db
from veilleur.storage import journal

# The logic does not depend on the back end; the store and intake tests cover both.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

BRUNO = Actor("bruno", Role.COMMUNICATION, "helios", frozenset({"helios", "helios-normandie", "helios-provence"}))


@pytest.fixture
def cfg(database_url, tmp_path):
    return inbox_settings(database_url, tmp_path)


def replies(store, cfg) -> Replies:
    return Replies(store, cfg, clock=lambda: NOW)


def open_case(store, cfg, text: str, **labels) -> int:
    store.save([analysed(1, text, **labels)])
    sync(store, cfg)
    return all_cases(store)[0].id


def test_a_clean_reply_is_sent_and_marks_the_case_answered_in_public(store, cfg):
    case_id = open_case(store, cfg, "@BanqueHelios quel est le plafond du LDD ?", intent="complaint")
    box, replier = replies(store, cfg), RecordingReplier()
    assert isinstance(replier, Replier)
    draft = box.draft(ALICE, case_id, "Bonjour, le plafond du LDDS est de 12 000 €. Belle journée !")
    assert (draft["state"], draft["findings"], draft["approval_reasons"]) == ("ready", [], [])
    case = box.send(ALICE, draft["id"], replier)
    assert (case.state, case.answered_in_public, case.first_response_at) == (CaseState.ANSWERED, True, NOW)
    assert replier.sent[0]["text"].startswith("Bonjour, le plafond") and replier.sent[0]["channel"] == "public"
    with store.engine.connect() as conn:
        kinds = [e.record_type for e in journal.entries(conn)]
        assert db.complaint_of_case(conn, case_id).acknowledged_at == NOW
    assert "reply_sent" in kinds
    with pytest.raises(ReplyError, match="already sent"):
        box.send(ALICE, draft["id"], replier)


def test_a_blocked_reply_cannot_leave(store, cfg):
    case_id = open_case(store, cfg, "@BanqueHelios ma carte ne marche plus")
    box = replies(store, cfg)
    draft = box.draft(ALICE, case_id, "Envoyez-nous votre numéro de carte et votre code en public svp")
    assert draft["state"] == "blocked" and any(f["code"] == "secret_requested" for f in draft["findings"])
    with pytest.raises(ReplyError, match="blocks it"):
        box.send(ALICE, draft["id"], RecordingReplier())


def test_account_cases_need_the_secure_channel_hand_off(store, cfg):
    case_id = open_case(store, cfg, "@BanqueHelios mon virement n'est pas arrivé", intent="complaint")
    box = replies(store, cfg)
    bare = box.draft(ALICE, case_id, "Nous regardons cela.")
    assert bare["state"] == "blocked" and bare["findings"][0]["code"] == "handoff_missing"
    link = box.settings.compliance.default.handoff
    assert box.draft(ALICE, case_id, f"Nous regardons cela. {link}")["state"] == "ready"


def test_rumours_need_a_second_different_person_with_a_comment(store, cfg):
    case_id = open_case(store, cfg, "Il paraît que Banque Hélios va faire faillite", intent="rumor")
    box, replier = replies(store, cfg), RecordingReplier()
    draft = box.draft(BRUNO, case_id, "La Banque Hélios est solide : nos comptes sont publiés sur notre site.")
    assert (draft["state"], draft["approval_reasons"]) == ("pending_approval", ["rumour"])
    with pytest.raises(ReplyError, match="waits for a second person"):
        box.send(BRUNO, draft["id"], replier)
    with pytest.raises(ReplyError, match="four eyes"):
        box.decide(BRUNO, draft["id"], True, "ok pour moi")
    with pytest.raises(ReplyError, match="needs a comment"):
        box.decide(ALICE, draft["id"], True, "  ")
    approved = box.decide(ALICE, draft["id"], True, "Validé avec la direction de la communication")
    assert (approved["state"], approved["approver"]) == ("approved", "alice")
    box.send(BRUNO, draft["id"], replier)
    assert len(replier.sent) == 1


def test_private_reply_on_x_needs_open_dms(store, database_url, tmp_path):
    cfg = inbox_settings(database_url, tmp_path, open_x_dms=["@client1"])
    case_id = open_case(store, cfg, "@BanqueHelios une question sur le PEL ?")
    box, replier = replies(store, cfg), RecordingReplier()
    box.send(ALICE, box.draft(ALICE, case_id, "Bonjour, le PEL rapporte 1,75 %.", "private")["id"], replier)
    assert all_cases(store)[0].moved_private and replier.sent[0]["channel"] == "private"


def test_influential_and_press_authors_need_approval_whatever_the_rules(store, database_url, tmp_path):
    from veilleur.inbox.settings import RoutingRule

    cfg = inbox_settings(database_url, tmp_path, journalists=["@client1"], high_influence_followers=5,
                         rules=[RoutingRule(name="tout", queue="community_managers")])
    case_id = open_case(store, cfg, "@BanqueHelios une question sur le PEL ?")
    draft = replies(store, cfg).draft(ALICE, case_id, "Bonjour, le PEL rapporte 1,75 %.")
    assert (draft["state"], draft["approval_reasons"]) == \
        ("pending_approval", ["press or analyst author", "high-influence author"])
