"""Escalation to the back office, hand-back, private contact, and each platform's private-channel rule."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tests.inbox.test_cases_actions import ALICE
from tests.inbox.test_intake import NOW, T0, all_cases, analysed, inbox_settings, sync
from veilleur.core.actor import Actor, Role
from veilleur.core.case import CaseState
from veilleur.inbox.escalation import Escalations, PrivateRefused
from veilleur.inbox.replies import RecordingReplier, Replies

# The logic does not depend on the back end; the store and intake tests cover both.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

CHLOE = Actor("chloe", Role.CUSTOMER_RELATIONS, "helios", frozenset({"helios"}))


@pytest.fixture
def cfg(database_url, tmp_path):
    return inbox_settings(database_url, tmp_path)


def escalations(store, cfg, now=NOW) -> Escalations:
    return Escalations(store, cfg, clock=lambda: now)


def open_case(store, cfg, text="@BanqueHelios question sur la carte ?", **labels) -> int:
    store.save([analysed(1, text, **labels)])
    sync(store, cfg)
    return all_cases(store)[0].id


def test_escalate_then_hand_back_to_the_community_manager(store, cfg):
    case_id = open_case(store, cfg)
    box = escalations(store, cfg)
    case = box.escalate(ALICE, case_id, "Client dit avoir été débité deux fois, tel 06 12 34 56 78")
    assert (case.state, case.queue, case.assignee, case.escalated) == \
        (CaseState.ESCALATED, "customer_relations", "chloe", True)
    packet = box.packet(CHLOE, case_id)
    assert "06 12 34 56 78" not in packet.notes[0].text and packet.posts[0].id == 1
    case = box.hand_back(CHLOE, case_id, "Le double débit sera remboursé sous 48 h.")
    assert (case.state, case.queue, case.assignee) == (CaseState.ASSIGNED, "community_managers", "alice")
    with pytest.raises(Exception, match="not escalated"):
        box.hand_back(CHLOE, case_id, "encore")


def test_back_office_contact_outside_social_media(store, cfg):
    case_id = open_case(store, cfg)
    box = escalations(store, cfg)
    box.escalate(ALICE, case_id, "compte bloqué")
    case = box.record_contact(CHLOE, case_id, "appel téléphonique")
    assert (case.state, case.moved_private, case.queue, case.assignee) == \
        (CaseState.ANSWERED, True, "community_managers", "alice")
    assert box.close(ALICE, case_id, "handled_privately").state == CaseState.CLOSED


def test_instagram_and_closed_dms_refuse_private_with_the_reason(store, cfg):
    case_id = open_case(store, cfg, platform="instagram")
    with pytest.raises(PrivateRefused, match="instagram offers no private channel: send the secure-channel link"):
        escalations(store, cfg).go_private(ALICE, case_id)


def test_x_without_open_dms_is_refused(store, cfg):
    case_id = open_case(store, cfg)
    with pytest.raises(PrivateRefused, match="does not accept direct messages on x"):
        escalations(store, cfg).go_private(ALICE, case_id)


def test_facebook_one_private_reply_per_comment_within_seven_days(store, cfg):
    case_id = open_case(store, cfg, "Banque Hélios, ma question sur le LEP ?", platform="facebook")
    assert escalations(store, cfg, T0 + timedelta(days=6)).go_private(ALICE, case_id).allowed
    late = escalations(store, cfg, T0 + timedelta(days=8))
    with pytest.raises(PrivateRefused, match="1 private reply per public comment within 7 days"):
        late.go_private(ALICE, case_id)
    box = Replies(store, cfg, clock=lambda: T0 + timedelta(days=1))
    box.send(ALICE, box.draft(ALICE, case_id, "Bonjour, le taux du LEP est de 2,7 %.", "private")["id"],
             RecordingReplier())
    second = box.draft(ALICE, case_id, "Et autre chose.", "private")
    with pytest.raises(PrivateRefused, match="none left"):
        box.send(ALICE, second["id"], RecordingReplier())
