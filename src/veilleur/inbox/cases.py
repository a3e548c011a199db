"""Acting on cases: state moves, assignment, notes, tags, CRM link — each in one transaction, journaled.

``record`` writes one history line (``inbox_case_events``) and one journal entry (record type
``case_action``) in the caller's transaction; ``save`` stores a changed case with optimistic
concurrency then records. ``move`` checks the life cycle (``core.case.check_transition``) and
keeps the timestamps right (answered_at, closed_at). ``Inbox`` is what the CLI and the API call:
every method takes an ``Actor``, refuses cases outside the actor's entities, and accepts the
version the agent saw (``expected_version``) so that acting on a stale screen is a conflict.

Notes are private but may still hold personal data typed by an agent: they are masked with the
same detector and masks as posts before they are stored.

Imports ``core``, ``storage`` (inbox store, journal), ``pipeline.masking``, ``compliance.policy``
(the personal-data finder), ``inbox.settings`` and ``errors``.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Connection

from veilleur.core.actor import Actor
from veilleur.core.case import Case, CaseEvent, CaseNote, CaseState, CloseReason, Priority, check_transition
from veilleur.core.labels import Span
from veilleur.errors import VeilleurError
from veilleur.storage import inbox_store as db
from veilleur.storage.inbox_store import CaseConflict, CaseFilter, CaseNotFound
from veilleur.storage.journal import NewEntry, append

__all__ = ["CaseConflict", "CaseNotFound", "Inbox", "InboxError", "NotVisible", "move", "record", "save"]

RECORD_TYPE = "case_action"


class InboxError(VeilleurError):
    """An inbox action cannot be done as asked (the message says why)."""


class NotVisible(InboxError):
    """The actor may not see this case (another entity's)."""


def record(conn: Connection, case: Case, actor: str, action: str, details: dict[str, Any], at: datetime,
           journal_at: datetime | None = None) -> None:
    """One history line and one journal entry for ``case``, in ``conn``'s transaction."""
    assert case.id is not None
    db.add_event(conn, CaseEvent(case.id, at, actor, action, details))
    append(conn, [NewEntry(actor, action, RECORD_TYPE, f"case:{case.id}",
                           {"version": case.version, "state": case.state.value, **details})], now=journal_at)


def save(conn: Connection, case: Case, actor: str, action: str, details: dict[str, Any], at: datetime,
         journal_at: datetime | None = None) -> Case:
    """Store ``case`` (``CaseConflict`` if changed meanwhile) and record the action."""
    db.update_case(conn, case, actor, at)
    record(conn, case, actor, action, details, at, journal_at)
    return case


def move(case: Case, target: CaseState, reason: str | None, at: datetime) -> None:
    """Change the state of ``case`` in memory, checking the life cycle and setting its times.

    Raises:
        InvalidTransition: the life cycle does not allow it (names both states).
    """
    check_transition(case.id, case.state, target)
    if case.state == CaseState.CLOSED:
        case.reopened_count += 1
        case.closed_at = None
    case.state, case.state_reason = target, reason
    if target == CaseState.ESCALATED:
        case.escalated = True
    elif target == CaseState.ANSWERED:
        case.answered_at = at
        case.first_response_at = case.first_response_at or at
    elif target == CaseState.CLOSED:
        case.closed_at = at


def mask_personal_data(text: str) -> str:
    """``text`` with the personal data the ``pii`` stage finds masked (as posts are stored)."""
    from veilleur.compliance.policy import find_personal_data
    from veilleur.pipeline.masking import mask

    spans = [Span(start, end, kind, text[start:end]) for start, end, kind in find_personal_data(text)]
    return mask(text, spans) if spans else text


class Inbox:
    """The inbox's actions for people (CLI, API): visibility checks, versions, history, journal."""

    def __init__(self, store: Any, settings: Any, *, clock: Callable[[], datetime] | None = None):
        self.store = store
        self.settings = settings
        self.clock = clock or (lambda: datetime.now(UTC))

    # -- reading ---------------------------------------------------------------------------------
    def get(self, actor: Actor, case_id: int) -> Case:
        with self.store.engine.connect() as conn:
            return self._visible(actor, db.get_case(conn, case_id))

    def list(self, actor: Actor, *, queue: str | None = None, states: list[str] | None = None,
             entity: str | None = None, limit: int | None = None) -> list[Case]:
        """Cases the actor may see, optionally of one queue, states and entity (with those below it)."""
        entities = actor.scope  # None: the whole group
        if entity is not None:
            wanted = self.settings.organisation.descendants(entity) if self._known(entity) else {entity}
            entities = wanted if entities is None else wanted & entities
        with self.store.engine.connect() as conn:
            found = db.list_cases(conn, CaseFilter(queue=queue, states=states,
                                                   entities=sorted(entities) if entities is not None else None))
        visible = [c for c in found if actor.sees(c.entity)]
        return visible[:limit] if limit else visible

    def history(self, actor: Actor, case_id: int) -> tuple[Case, list[CaseEvent], list[CaseNote]]:
        with self.store.engine.connect() as conn:
            case = self._visible(actor, db.get_case(conn, case_id))
            return case, db.events(conn, case_id), db.notes(conn, case_id)

    # -- acting ----------------------------------------------------------------------------------
    def assign(self, actor: Actor, case_id: int, assignee: str | None, *, expected_version: int | None = None,
               team: str | None = None) -> Case:
        """Give the case to ``assignee`` (None: back to the queue)."""
        def change(case: Case, now: datetime) -> dict[str, Any]:
            previous = case.assignee
            case.assignee = assignee
            case.team = team or case.team
            if case.state in (CaseState.NEW, CaseState.ASSIGNED):  # later states keep theirs
                target = CaseState.ASSIGNED if assignee else CaseState.NEW
                if target != case.state or assignee:
                    move(case, target, f"assigned to {assignee}" if assignee else "back to queue", now)
            return {"assignee": assignee, "previous": previous, "team": case.team}
        return self._act(actor, case_id, "assigned", change, expected_version)

    def set_state(self, actor: Actor, case_id: int, state: CaseState | str, reason: str | None = None, *,
                  expected_version: int | None = None) -> Case:
        target = CaseState(state)
        if target == CaseState.CLOSED:
            return self.close(actor, case_id, reason or CloseReason.RESOLVED.value, expected_version=expected_version)

        def change(case: Case, now: datetime) -> dict[str, Any]:
            previous = case.state
            move(case, target, reason, now)
            return {"from": previous.value, "to": target.value, "reason": reason}
        return self._act(actor, case_id, "state", change, expected_version)

    def close(self, actor: Actor, case_id: int, reason: str, *, expected_version: int | None = None) -> Case:
        """Close with a reason (one of ``CloseReason``)."""
        try:
            why = CloseReason(reason)
        except ValueError as exc:
            known = ", ".join(r.value for r in CloseReason)
            raise InboxError(f"unknown close reason {reason!r} (known: {known})") from exc

        def change(case: Case, now: datetime) -> dict[str, Any]:
            previous = case.state
            move(case, CaseState.CLOSED, why.value, now)
            return {"from": previous.value, "reason": why.value}
        return self._act(actor, case_id, "closed", change, expected_version)

    def set_priority(self, actor: Actor, case_id: int, priority: str, *, expected_version: int | None = None) -> Case:
        try:
            value = Priority(priority.upper())
        except ValueError as exc:
            raise InboxError(f"priority must be P1, P2, P3 or P4, not {priority!r}") from exc

        def change(case: Case, now: datetime) -> dict[str, Any]:
            previous, case.priority = case.priority, value
            return {"from": previous.value, "to": value.value}
        return self._act(actor, case_id, "priority", change, expected_version)

    def move_to_queue(self, actor: Actor, case_id: int, queue: str, team: str | None = None, *,
                      expected_version: int | None = None) -> Case:
        """Move the case to another queue (and team); it goes back to that queue unassigned."""
        if not queue.strip():
            raise InboxError("the queue is empty")

        def change(case: Case, now: datetime) -> dict[str, Any]:
            previous = (case.queue, case.team, case.assignee)
            case.queue, case.team = queue.strip(), team or case.team
            if case.assignee is not None:
                case.assignee = None
                if case.state == CaseState.ASSIGNED:
                    move(case, CaseState.NEW, f"moved to queue {case.queue}", now)
            return {"from": previous[0], "to": case.queue, "team": case.team, "unassigned": previous[2]}
        return self._act(actor, case_id, "queue", change, expected_version)

    def tag(self, actor: Actor, case_id: int, add: tuple[str, ...] = (), remove: tuple[str, ...] = (), *,
            expected_version: int | None = None) -> Case:
        def change(case: Case, now: datetime) -> dict[str, Any]:
            case.tags = [t for t in dict.fromkeys([*case.tags, *add]) if t not in set(remove)]
            return {"added": list(add), "removed": list(remove)}
        return self._act(actor, case_id, "tagged", change, expected_version)

    def link_customer(self, actor: Actor, case_id: int, crm_customer_id: str, *,
                      expected_version: int | None = None) -> Case:
        """Link the case to a CRM customer id (an opaque string)."""
        if not crm_customer_id.strip():
            raise InboxError("the CRM customer id is empty")

        def change(case: Case, now: datetime) -> dict[str, Any]:
            case.crm_customer_id = crm_customer_id.strip()
            return {"crm_customer_id": case.crm_customer_id}
        return self._act(actor, case_id, "crm_linked", change, expected_version)

    def note(self, actor: Actor, case_id: int, text: str) -> CaseNote:
        """Add a private note, masked of personal data. The case's version is not bumped."""
        if not text.strip():
            raise InboxError("a note needs some text")
        with self.store.engine.begin() as conn:
            case = self._visible(actor, db.get_case(conn, case_id))
            return self.add_note(conn, case, actor.name, text, self.clock())

    @staticmethod
    def add_note(conn: Connection, case: Case, author: str, text: str, now: datetime) -> CaseNote:
        """Store a masked note on ``case`` and record it, in ``conn``'s transaction."""
        masked = mask_personal_data(text.strip())
        note = CaseNote(case.id, now, author, masked)
        note.id = db.add_note(conn, note)
        record(conn, case, author, "note", {"note_id": note.id, "masked": masked != text.strip()}, now)
        return note

    def _act(self, actor: Actor, case_id: int, action: str, change: Callable[[Case, datetime], dict[str, Any]],
             expected_version: int | None, then: Callable[[Connection, Case, datetime], None] | None = None) -> Case:
        """Read, check visibility and version, ``change``, save and record; ``then`` in the same transaction."""
        now = self.clock()
        with self.store.engine.begin() as conn:
            case = self._visible(actor, db.get_case(conn, case_id))
            if expected_version is not None and expected_version != case.version:
                raise CaseConflict("case", case_id, expected_version, case.version, self._last_by(conn, case_id),
                                   case.updated_at)
            details = change(case, now)
            save(conn, case, actor.name, action, details, now)
            if then is not None:
                then(conn, case, now)
            return case

    # -- helpers ---------------------------------------------------------------------------------
    def _visible(self, actor: Actor, case: Case) -> Case:
        if not actor.sees(case.entity):
            raise NotVisible(f"case {case.id} belongs to an entity {actor.name} may not see")
        return case

    def _known(self, entity: str) -> bool:
        return any(e.id == entity for e in self.settings.organisation.entities)

    @staticmethod
    def _last_by(conn: Connection, case_id: int) -> str | None:
        history = db.events(conn, case_id)
        return history[-1].actor if history else None
