"""The inbox store: cases round-trip, optimistic concurrency on both back ends, a real race on PostgreSQL."""
from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from veilleur.core.case import Case, CaseEvent, CaseState, InvalidTransition, Priority, check_transition
from veilleur.storage import inbox_store as db
from veilleur.storage.inbox_store import CaseConflict

T0 = datetime(2026, 10, 9, 8, 0, tzinfo=UTC)


def new_case(**fields) -> Case:
    values = {"id": None, "state": CaseState.NEW, "priority": Priority.P3, "queue": "community_managers",
              "opened_at": T0, "conversation_key": "thread:x:1", "entity": "helios", "tags": ["panne"]}
    values.update(fields)
    return Case(**values)


def test_case_round_trips(store):
    with store.engine.begin() as conn:
        case = db.insert_case(conn, new_case(topics=["digital"], first_response_due=T0 + timedelta(hours=2)),
                              "system:intake", T0)
        db.add_event(conn, CaseEvent(case.id, T0, "system:intake", "opened", {"rule": "r1"}))
    with store.engine.connect() as conn:
        again = db.get_case(conn, case.id)
        history = db.events(conn, case.id)
    assert (again.version, again.state, again.priority, again.tags, again.topics) == \
        (1, CaseState.NEW, Priority.P3, ["panne"], ["digital"])
    assert again.first_response_due == T0 + timedelta(hours=2) and again.opened_at.tzinfo is not None
    assert [(e.action, e.details) for e in history] == [("opened", {"rule": "r1"})]


def test_a_stale_update_is_a_conflict_naming_who_changed_it(store):
    with store.engine.begin() as conn:
        case_id = db.insert_case(conn, new_case(), "system:intake", T0).id
    with store.engine.connect() as conn:
        mine, theirs = db.get_case(conn, case_id), db.get_case(conn, case_id)
    theirs.assignee = "alice"
    with store.engine.begin() as conn:
        db.update_case(conn, theirs, "alice", T0 + timedelta(minutes=1))
    mine.assignee = "bob"
    with pytest.raises(CaseConflict, match=r"changed by alice at 2026-10-09 08:01:00 UTC \(now version 2, "
                                           r"you had version 1\)"), store.engine.begin() as conn:
        db.update_case(conn, mine, "bob", T0 + timedelta(minutes=2))
    with store.engine.connect() as conn:
        assert db.get_case(conn, case_id).assignee == "alice"


def test_two_agents_racing_one_wins_one_conflicts(store):
    """Two connections update the same version at once: the second waits for the first, then conflicts."""
    with store.engine.begin() as conn:
        case_id = db.insert_case(conn, new_case(), "system:intake", T0).id
    first_updated, outcomes = threading.Event(), {}

    def agent(name: str, hold: bool) -> None:
        with store.engine.connect() as conn:
            case = db.get_case(conn, case_id)
            conn.rollback()
        if not hold:
            first_updated.wait(10)
        case.assignee = name
        try:
            with store.engine.begin() as conn:
                db.update_case(conn, case, name, T0)
                if hold:
                    first_updated.set()
                    threading.Event().wait(0.3)  # keep the row locked while the other agent tries
            outcomes[name] = "won"
        except CaseConflict as exc:
            outcomes[name] = str(exc)

    threads = [threading.Thread(target=agent, args=("alice", True)),
               threading.Thread(target=agent, args=("bob", False))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert outcomes["alice"] == "won"
    assert "changed by alice" in outcomes["bob"]
    with store.engine.connect() as conn:
        final = db.get_case(conn, case_id)
    assert (final.assignee, final.version) == ("alice", 2)


def test_cursor_and_round_robin_pointer(store):
    with store.engine.begin() as conn:
        assert db.cursor(conn) == 0
        db.set_cursor(conn, 42, T0)
        db.set_cursor(conn, 43, T0)
        db.set_last_agent(conn, "cm", "alice", T0)
        db.set_last_agent(conn, "cm", "bob", T0)
    with store.engine.connect() as conn:
        assert (db.cursor(conn), db.last_agent(conn, "cm"), db.last_agent(conn, "other")) == (43, "bob", None)


def test_transitions_are_checked():
    check_transition(1, CaseState.NEW, CaseState.ASSIGNED)
    with pytest.raises(InvalidTransition, match="cannot go from closed to answered"):
        check_transition(1, CaseState.CLOSED, CaseState.ANSWERED)
    with pytest.raises(InvalidTransition, match="from new to waiting_customer"):
        check_transition(1, CaseState.NEW, CaseState.WAITING_CUSTOMER)
