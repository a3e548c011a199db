"""The inbox room's SQL: cases, their posts, history, notes, replies, complaints, cursor, round robin.

Every function takes the caller's ``Connection``, so that what the inbox does (a case opened, its
journal entry, the intake cursor) commits or rolls back together. Optimistic concurrency: a case
is updated with ``UPDATE ... WHERE id=? AND version=?`` and the version bumped; 0 rows updated
means someone else changed it first, and ``CaseConflict`` says who and when. On PostgreSQL the
second of two concurrent updates waits for the first to commit, then finds the version changed.

Imports SQLAlchemy, ``core.case``, ``errors`` and ``storage`` tables only.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection

from veilleur.core.case import Case, CaseEvent, CaseNote, CaseState, ComplaintRecord, Priority
from veilleur.errors import StoreError
from veilleur.storage.base import utc
from veilleur.storage.inbox_tables import (
    inbox_case_events,
    inbox_case_posts,
    inbox_cases,
    inbox_complaints,
    inbox_cursor,
    inbox_notes,
    inbox_replies,
    inbox_round_robin,
)

INTAKE_CURSOR = "intake"
CASE_FIELDS = ("version", "state", "state_reason", "priority", "queue", "team", "assignee", "entity", "bank",
               "platform", "author_handle", "conversation_key", "tags", "crm_customer_id", "intent", "topics",
               "opened_at", "first_response_at", "answered_at", "closed_at", "last_customer_at", "reopened_count",
               "escalated", "answered_in_public", "moved_private", "first_response_due", "resolution_due", "rule")
TIMES = ("opened_at", "first_response_at", "answered_at", "closed_at", "last_customer_at", "first_response_due",
         "resolution_due", "updated_at")


class CaseConflict(StoreError):
    """Someone changed the case (or reply) since it was read: reload it and try again."""

    def __init__(self, what: str, record_id: int, expected: int, current: int | None, by: str | None,
                 at: datetime | None):
        self.record_id, self.expected, self.current, self.by = record_id, expected, current, by
        if current is None:
            message = f"{what} {record_id} no longer exists"
        else:
            when = f" at {at.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC" if at else ""
            message = (f"{what} {record_id} was changed by {by or 'someone'}{when} (now version {current}, "
                       f"you had version {expected}): reload it and try again")
        super().__init__(message)


class CaseNotFound(StoreError):
    """No case with this id."""


# -- cases -----------------------------------------------------------------------------------------

def _values(case: Case) -> dict[str, Any]:
    values = {name: getattr(case, name) for name in CASE_FIELDS}
    values["state"] = CaseState(case.state).value
    values["priority"] = Priority(case.priority).value
    values["tags"], values["topics"] = list(case.tags), list(case.topics)
    return values


def _case(row: Any, post_ids: list[int] | None = None) -> Case:
    data = {name: getattr(row, name) for name in CASE_FIELDS}
    for name in TIMES:
        if name in data:
            data[name] = utc(data[name])
    data["state"], data["priority"] = CaseState(row.state), Priority(row.priority)
    data["tags"], data["topics"] = list(row.tags or []), list(row.topics or [])
    return Case(id=row.id, updated_at=utc(row.updated_at), post_ids=post_ids or [], **data)


def insert_case(conn: Connection, case: Case, actor: str, now: datetime) -> Case:
    """Store a new case (version 1); returns it with its id."""
    values = _values(case) | {"version": 1, "updated_at": now, "updated_by": actor}
    case.id = conn.execute(insert(inbox_cases).values(**values).returning(inbox_cases.c.id)).scalar_one()
    case.version, case.updated_at = 1, now
    return case


def update_case(conn: Connection, case: Case, actor: str, now: datetime) -> Case:
    """Write ``case`` over the stored one if nobody changed it since ``case.version`` was read.

    Raises:
        CaseConflict: the stored version is not ``case.version`` (says who changed it, when).
    """
    values = _values(case) | {"version": case.version + 1, "updated_at": now, "updated_by": actor}
    done = conn.execute(update(inbox_cases).where(inbox_cases.c.id == case.id,
                                                  inbox_cases.c.version == case.version).values(**values))
    if done.rowcount != 1:
        row = conn.execute(select(inbox_cases.c.version, inbox_cases.c.updated_by, inbox_cases.c.updated_at)
                           .where(inbox_cases.c.id == case.id)).first()
        raise CaseConflict("case", case.id, case.version, row.version if row else None,
                           row.updated_by if row else None, utc(row.updated_at) if row else None)
    case.version, case.updated_at = case.version + 1, now
    return case


def get_case(conn: Connection, case_id: int, *, for_update: bool = False) -> Case:
    """The case with its post ids. Raises ``CaseNotFound``."""
    query = select(inbox_cases).where(inbox_cases.c.id == case_id)
    row = conn.execute(query.with_for_update() if for_update else query).first()
    if row is None:
        raise CaseNotFound(f"no case {case_id}")
    return _case(row, case_post_ids(conn, [case_id]).get(case_id, []))


def case_post_ids(conn: Connection, case_ids: list[int]) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    if case_ids:
        query = (select(inbox_case_posts.c.case_id, inbox_case_posts.c.post_id)
                 .where(inbox_case_posts.c.case_id.in_(case_ids)).order_by(inbox_case_posts.c.post_id))
        for case_id, post_id in conn.execute(query):
            found.setdefault(case_id, []).append(post_id)
    return found


@dataclass(slots=True)
class CaseFilter:
    """What ``list_cases`` selects; ``entities`` None means every entity (plus cases of none)."""

    queue: str | None = None
    states: Iterable[str] | None = None
    entities: Iterable[str] | None = None
    assignee: str | None = None
    author_handle: str | None = None
    ids: list[int] | None = None
    limit: int | None = None


def list_cases(conn: Connection, where: CaseFilter | None = None) -> list[Case]:
    """Cases matching ``where``, by id, each with its post ids."""
    where = where or CaseFilter()
    query = select(inbox_cases).order_by(inbox_cases.c.id)
    if where.queue is not None:
        query = query.where(inbox_cases.c.queue == where.queue)
    if where.states is not None:
        query = query.where(inbox_cases.c.state.in_([str(s) for s in where.states]))
    if where.entities is not None:
        query = query.where(inbox_cases.c.entity.in_(list(where.entities)))
    if where.assignee is not None:
        query = query.where(inbox_cases.c.assignee == where.assignee)
    if where.author_handle is not None:
        query = query.where(func.lower(inbox_cases.c.author_handle) == where.author_handle.lower())
    if where.ids is not None:
        query = query.where(inbox_cases.c.id.in_(where.ids))
    if where.limit is not None:
        query = query.limit(where.limit)
    rows = conn.execute(query).all()
    posts = case_post_ids(conn, [r.id for r in rows])
    return [_case(r, posts.get(r.id, [])) for r in rows]


def latest_case_by_key(conn: Connection, conversation_key: str, *, open_only: bool = False) -> Case | None:
    """The most recent case of a conversation key, open or closed (a key ending with ":" is a prefix)."""
    column = inbox_cases.c.conversation_key
    if conversation_key.endswith(":"):
        escaped = conversation_key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = select(inbox_cases).where(column.like(f"{escaped}%", escape="\\"))
    else:
        query = select(inbox_cases).where(column == conversation_key)
    if open_only:
        query = query.where(inbox_cases.c.state != CaseState.CLOSED.value)
    row = conn.execute(query.order_by(inbox_cases.c.id.desc()).limit(1)).first()
    return _case(row) if row else None


def case_of_external_post(conn: Connection, platform: str, external_id: str) -> int | None:
    """The case holding the post ``(platform, external_id)``, if any (replies find their thread)."""
    return conn.execute(select(inbox_case_posts.c.case_id).where(
        inbox_case_posts.c.platform == platform, inbox_case_posts.c.external_id == external_id)).scalar()


def case_of_fingerprint(conn: Connection, author_handle: str, fingerprint: str, since: datetime) -> int | None:
    """The latest case holding a customer post of this author with this text fingerprint since ``since``."""
    return conn.execute(select(inbox_case_posts.c.case_id).where(
        inbox_case_posts.c.fingerprint == fingerprint, inbox_case_posts.c.from_bank.is_(False),
        func.lower(inbox_case_posts.c.author_handle) == author_handle.lower(),
        inbox_case_posts.c.posted_at >= since).order_by(inbox_case_posts.c.case_id.desc()).limit(1)).scalar()


def add_case_post(conn: Connection, case_id: int, post: Any, fingerprint: str | None, from_bank: bool) -> bool:
    """Attach a post (an ``AnalysedPost``) to a case; False if it was already in a case."""
    if conn.execute(select(inbox_case_posts.c.case_id).where(inbox_case_posts.c.post_id == post.id)).first():
        return False
    conn.execute(insert(inbox_case_posts).values(
        post_id=post.id, case_id=case_id, platform=post.platform, external_id=post.external_id,
        author_handle=post.author_handle, fingerprint=fingerprint, posted_at=post.created_at, from_bank=from_bank))
    return True


def complaint_cases_of(conn: Connection, author_handle: str, since: datetime) -> int:
    """How many cases with a complaint record this author opened since ``since``."""
    return conn.execute(select(func.count()).select_from(inbox_complaints.join(
        inbox_cases, inbox_cases.c.id == inbox_complaints.c.case_id)).where(
        func.lower(inbox_cases.c.author_handle) == author_handle.lower(),
        inbox_complaints.c.received_at >= since)).scalar_one()


def open_cases_by_assignee(conn: Connection) -> dict[str, int]:
    """Open (not closed) cases per assignee: the agents' load."""
    query = (select(inbox_cases.c.assignee, func.count()).where(
        inbox_cases.c.assignee.is_not(None), inbox_cases.c.state != CaseState.CLOSED.value)
        .group_by(inbox_cases.c.assignee))
    return {name: count for name, count in conn.execute(query)}


def counts_by_queue_state(conn: Connection, entities: Iterable[str] | None = None) -> dict[tuple[str, str], int]:
    query = select(inbox_cases.c.queue, inbox_cases.c.state, func.count()).group_by(
        inbox_cases.c.queue, inbox_cases.c.state)
    if entities is not None:
        query = query.where(inbox_cases.c.entity.in_(list(entities)))
    return {(q, s): n for q, s, n in conn.execute(query)}


# -- history, notes --------------------------------------------------------------------------------

def add_event(conn: Connection, event: CaseEvent) -> None:
    conn.execute(insert(inbox_case_events).values(case_id=event.case_id, at=event.at, actor=event.actor,
                                                  action=event.action, details=event.details))


def events(conn: Connection, case_id: int) -> list[CaseEvent]:
    query = select(inbox_case_events).where(inbox_case_events.c.case_id == case_id).order_by(inbox_case_events.c.id)
    return [CaseEvent(r.case_id, utc(r.at), r.actor, r.action, r.details or {}, r.id) for r in conn.execute(query)]


def add_note(conn: Connection, note: CaseNote) -> int:
    return conn.execute(insert(inbox_notes).values(case_id=note.case_id, at=note.at, author=note.author,
                                                   text=note.text).returning(inbox_notes.c.id)).scalar_one()


def notes(conn: Connection, case_id: int) -> list[CaseNote]:
    query = select(inbox_notes).where(inbox_notes.c.case_id == case_id).order_by(inbox_notes.c.id)
    return [CaseNote(r.case_id, utc(r.at), r.author, r.text, r.id) for r in conn.execute(query)]


# -- complaints ------------------------------------------------------------------------------------

def insert_complaint(conn: Connection, record: ComplaintRecord) -> int:
    record.id = conn.execute(insert(inbox_complaints).values(
        case_id=record.case_id, entity=record.entity, received_at=record.received_at,
        acknowledge_due=record.acknowledge_due, answer_due=record.answer_due,
        acknowledged_at=record.acknowledged_at, answered_at=record.answered_at, summary=record.summary)
        .returning(inbox_complaints.c.id)).scalar_one()
    return record.id


def _complaint(r: Any) -> ComplaintRecord:
    return ComplaintRecord(r.case_id, r.entity, utc(r.received_at), utc(r.acknowledge_due), utc(r.answer_due),
                           utc(r.acknowledged_at), utc(r.answered_at), r.summary, r.id)


def complaint_of_case(conn: Connection, case_id: int) -> ComplaintRecord | None:
    row = conn.execute(select(inbox_complaints).where(inbox_complaints.c.case_id == case_id)).first()
    return _complaint(row) if row else None


def complaints(conn: Connection, entities: Iterable[str] | None = None) -> list[ComplaintRecord]:
    query = select(inbox_complaints).order_by(inbox_complaints.c.received_at, inbox_complaints.c.id)
    if entities is not None:
        query = query.where(inbox_complaints.c.entity.in_(list(entities)))
    return [_complaint(r) for r in conn.execute(query)]


def mark_complaint(conn: Connection, case_id: int, *, acknowledged_at: datetime | None = None,
                   answered_at: datetime | None = None) -> None:
    """Set the acknowledgement and/or answer time of a case's complaint, if not set already."""
    for column, value in (("acknowledged_at", acknowledged_at), ("answered_at", answered_at)):
        if value is not None:
            conn.execute(update(inbox_complaints).where(inbox_complaints.c.case_id == case_id,
                                                        inbox_complaints.c[column].is_(None)).values({column: value}))


# -- replies ---------------------------------------------------------------------------------------

REPLY_FIELDS = ("state", "channel", "in_reply_to", "text", "author", "created_at", "findings", "approval_reasons",
                "approver", "approval_comment", "decided_at", "sent_at", "platform_id")


def insert_reply(conn: Connection, case_id: int, values: dict[str, Any]) -> int:
    return conn.execute(insert(inbox_replies).values(case_id=case_id, version=1, **values)
                        .returning(inbox_replies.c.id)).scalar_one()


def get_reply(conn: Connection, reply_id: int) -> dict[str, Any]:
    row = conn.execute(select(inbox_replies).where(inbox_replies.c.id == reply_id)).first()
    if row is None:
        raise CaseNotFound(f"no reply {reply_id}")
    data = dict(row._mapping)
    for name in ("created_at", "decided_at", "sent_at"):
        data[name] = utc(data[name])
    return data


def update_reply(conn: Connection, reply_id: int, version: int, actor: str, values: dict[str, Any]) -> None:
    """Update a reply if still at ``version`` (bumped). Raises ``CaseConflict`` otherwise."""
    done = conn.execute(update(inbox_replies).where(inbox_replies.c.id == reply_id, inbox_replies.c.version == version)
                        .values(version=version + 1, **values))
    if done.rowcount != 1:
        current = conn.execute(select(inbox_replies.c.version).where(inbox_replies.c.id == reply_id)).scalar()
        raise CaseConflict("reply", reply_id, version, current, None, None)


def replies(conn: Connection, case_id: int) -> list[dict[str, Any]]:
    query = select(inbox_replies.c.id).where(inbox_replies.c.case_id == case_id).order_by(inbox_replies.c.id)
    return [get_reply(conn, reply_id) for reply_id in conn.execute(query).scalars()]


def private_replies_to(conn: Connection, post_id: int) -> int:
    """Private replies sent in answer to one public post (Facebook allows one)."""
    return conn.execute(select(func.count()).where(inbox_replies.c.in_reply_to == post_id,
                                                   inbox_replies.c.channel == "private",
                                                   inbox_replies.c.state == "sent")).scalar_one()


# -- cursor, round robin ---------------------------------------------------------------------------

def cursor(conn: Connection, name: str = INTAKE_CURSOR) -> int:
    """The last post id the intake handled (0 before the first run)."""
    return conn.execute(select(inbox_cursor.c.last_post_id).where(inbox_cursor.c.name == name)).scalar() or 0


def set_cursor(conn: Connection, last_post_id: int, now: datetime, name: str = INTAKE_CURSOR) -> None:
    done = conn.execute(update(inbox_cursor).where(inbox_cursor.c.name == name)
                        .values(last_post_id=last_post_id, updated_at=now))
    if done.rowcount == 0:
        conn.execute(insert(inbox_cursor).values(name=name, last_post_id=last_post_id, updated_at=now))


def lock_cursor(conn: Connection, name: str = INTAKE_CURSOR) -> int:
    """The cursor, locked until the transaction ends (two intakes never run the same page)."""
    query = select(inbox_cursor.c.last_post_id).where(inbox_cursor.c.name == name)
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert

        # The row must exist to be locked: a second intake's insert waits for the first to commit.
        conn.execute(upsert(inbox_cursor).values(name=name, last_post_id=0, updated_at=datetime.now(UTC))
                     .on_conflict_do_nothing())
        query = query.with_for_update()
    return conn.execute(query).scalar() or 0


def last_agent(conn: Connection, team: str) -> str | None:
    return conn.execute(select(inbox_round_robin.c.last_agent).where(inbox_round_robin.c.team == team)).scalar()


def set_last_agent(conn: Connection, team: str, agent: str, now: datetime) -> None:
    done = conn.execute(update(inbox_round_robin).where(inbox_round_robin.c.team == team)
                        .values(last_agent=agent, updated_at=now))
    if done.rowcount == 0:
        conn.execute(insert(inbox_round_robin).values(team=team, last_agent=agent, updated_at=now))
