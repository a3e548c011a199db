"""Acting on cases through ``Inbox``: visibility, versions, life cycle, notes masked, history journaled."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tests.inbox.test_intake import NOW, all_cases, analysed, sync
from veilleur.core.actor import Actor, Role
from veilleur.core.case import CaseState, InvalidTransition, Priority
from veilleur.inbox.cases import Inbox, InboxError, NotVisible
from veilleur.storage import inbox_store as db
from veilleur.storage import journal
from veilleur.storage.inbox_store import CaseConflict

# The logic does not depend on the back end; the store and intake tests cover both.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

ALICE = Actor("alice", Role.COMMUNITY_MANAGER, "helios", frozenset({"helios", "helios-normandie", "helios-provence"}))
PROVENCE = Actor("paul", Role.COMMUNITY_MANAGER, "helios-provence", frozenset({"helios-provence"}))


@pytest.fixture
def case_id(store, cfg) -> int:
    store.save([analysed(1, "@BanqueHelios quel est le plafond du LDD ?")])
    sync(store, cfg)
    return all_cases(store)[0].id


@pytest.fixture
def cfg(database_url, tmp_path):
    from tests.inbox.test_intake import inbox_settings
    return inbox_settings(database_url, tmp_path)


def inbox(store, cfg) -> Inbox:
    return Inbox(store, cfg, clock=lambda: NOW)


def test_another_entity_cannot_see_or_act(store, cfg, case_id):
    with pytest.raises(NotVisible):
        inbox(store, cfg).get(PROVENCE, case_id)
    with pytest.raises(NotVisible):
        inbox(store, cfg).close(PROVENCE, case_id, "resolved")
    assert inbox(store, cfg).list(PROVENCE) == []
    assert [c.id for c in inbox(store, cfg).list(ALICE, entity="helios")] == [case_id]


def test_acting_on_a_stale_version_is_a_conflict(store, cfg, case_id):
    seen = inbox(store, cfg).get(ALICE, case_id).version
    inbox(store, cfg).set_priority(ALICE, case_id, "p1", expected_version=seen)
    with pytest.raises(CaseConflict, match="changed by alice"):
        inbox(store, cfg).assign(ALICE, case_id, "bruno", expected_version=seen)
    assert inbox(store, cfg).get(ALICE, case_id).priority == Priority.P1


def test_moving_to_another_queue_unassigns_and_is_in_the_history(store, cfg, case_id):
    box = inbox(store, cfg)
    box.assign(ALICE, case_id, "bruno")
    case = box.move_to_queue(ALICE, case_id, "communication", "com")
    assert (case.queue, case.team, case.assignee, case.state) == ("communication", "com", None, CaseState.NEW)
    _, events, _ = box.history(ALICE, case_id)
    assert events[-1].action == "queue" and events[-1].details["unassigned"] == "bruno"
    with pytest.raises(InboxError, match="queue is empty"):
        box.move_to_queue(ALICE, case_id, " ")


def test_life_cycle_with_reasons_and_invalid_moves(store, cfg, case_id):
    box = inbox(store, cfg)
    box.set_state(ALICE, case_id, "waiting_customer", "asked for the branch name")
    box.set_state(ALICE, case_id, "answered")
    case = box.close(ALICE, case_id, "answered_public")
    assert (case.state, case.state_reason, case.closed_at, case.answered_at) == \
        (CaseState.CLOSED, "answered_public", NOW, NOW)
    with pytest.raises(InvalidTransition, match="cannot go from closed to escalated"):
        box.set_state(ALICE, case_id, "escalated")
    with pytest.raises(InboxError, match="unknown close reason 'bored'"):
        box.close(ALICE, case_id, "bored")


def test_notes_are_masked_and_everything_is_in_the_history_and_journal(store, cfg, case_id):
    box = inbox(store, cfg)
    box.note(ALICE, case_id, "Client rappelé au 06 12 34 56 78, IBAN FR76 3000 6000 0112 3456 7890 189")
    box.tag(ALICE, case_id, add=("livret",), remove=("question",))
    box.link_customer(ALICE, case_id, "CRM-0042")
    box.assign(ALICE, case_id, None)
    case, history, notes = box.history(ALICE, case_id)
    assert "06 12 34 56 78" not in notes[0].text and "•" in notes[0].text
    assert "FR76 3000" not in notes[0].text
    assert (case.tags, case.crm_customer_id, case.assignee, case.state) == \
        (["livret"], "CRM-0042", None, CaseState.NEW)
    assert [e.action for e in history] == ["opened", "assigned", "note", "tagged", "crm_linked", "assigned"]
    with store.engine.connect() as conn:
        subjects = [(e.action, e.subject) for e in journal.entries(conn) if e.record_type == "case_action"]
    assert subjects[-4:] == [("note", f"case:{case_id}"), ("tagged", f"case:{case_id}"),
                             ("crm_linked", f"case:{case_id}"), ("assigned", f"case:{case_id}")]


def test_crm_link_from_settings_and_known_customer(store, database_url, tmp_path):
    from tests.inbox.test_intake import inbox_settings
    cfg = inbox_settings(database_url, tmp_path, crm_customers={"x:@Client1": "CRM-7"})
    store.save([analysed(1, "@BanqueHelios une question ?")])
    sync(store, cfg)
    assert all_cases(store)[0].crm_customer_id == "CRM-7"


def test_repeat_complainer_raises_priority(store, cfg):
    store.save([analysed(n, f"@BanqueHelios encore un problème de frais numéro {n}", intent="complaint",
                         minutes=n * 60 * 24 * 5) for n in range(1, 5)])
    sync(store, cfg)
    cases = all_cases(store)
    assert [c.priority for c in cases] == [Priority.P3, Priority.P3, Priority.P3, Priority.P2]
    assert "récurrent" in cases[-1].tags
    with store.engine.connect() as conn:
        assert len(db.complaints(conn)) == 4
    assert cases[-1].opened_at - cases[0].opened_at == timedelta(days=15)
