"""The knowledge base's SQL: approved answers and dated facts, read whole and written with their journal entries.

Every write goes with a journal entry (record type ``knowledge``) in the same transaction, holding
the new fields and, for a change, the old ones: the journal is the history of what the bank said
and which rate it quoted when. Imports SQLAlchemy, ``storage.journal`` and ``storage.knowledge_tables``.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection

from veilleur.storage.base import utc
from veilleur.storage.journal import NewEntry, append
from veilleur.storage.knowledge_tables import kb_answers, kb_facts

RECORD_TYPE = "knowledge"


@dataclass(slots=True)
class Answer:
    """An approved answer; ``body`` may hold ``{variables}`` and ``{fait:key}`` references."""

    id: str
    language: str
    title: str
    questions: list[str]
    body: str
    approved_by: str
    approved_at: datetime
    topics: list[str] = field(default_factory=list)
    version: int = 1


@dataclass(slots=True)
class Fact:
    """A dated fact an answer may quote (a rate, a ceiling, a fee), with its source."""

    key: str
    value: str
    effective_from: date
    source: str
    unit: str | None = None
    valid_until: date | None = None
    example: bool = False
    version: int = 1
    updated_by: str = ""
    updated_at: datetime | None = None


_ANSWER_FIELDS = ("language", "title", "questions", "body", "topics", "approved_by", "approved_at")
_FACT_FIELDS = ("value", "unit", "effective_from", "valid_until", "source", "example")


def load_answers(conn: Connection) -> list[Answer]:
    rows = conn.execute(select(kb_answers).order_by(kb_answers.c.id)).mappings()
    return [Answer(id=r["id"], language=r["language"], title=r["title"], questions=list(r["questions"]),
                   body=r["body"], approved_by=r["approved_by"], approved_at=utc(r["approved_at"]),
                   topics=list(r["topics"]), version=r["version"]) for r in rows]


def load_facts(conn: Connection) -> list[Fact]:
    rows = conn.execute(select(kb_facts).order_by(kb_facts.c.key)).mappings()
    return [Fact(key=r["key"], value=r["value"], effective_from=r["effective_from"], source=r["source"],
                 unit=r["unit"], valid_until=r["valid_until"], example=r["example"], version=r["version"],
                 updated_by=r["updated_by"], updated_at=utc(r["updated_at"])) for r in rows]


def generation(conn: Connection) -> tuple[Any, ...]:
    """A cheap fingerprint of both tables: readers reload when it changes."""
    found: list[Any] = []
    for table in (kb_answers, kb_facts):
        found.extend(conn.execute(select(func.count(), func.sum(table.c.version), func.max(table.c.updated_at))).one())
    return tuple(found)


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, date | datetime) else v) for k, v in values.items()}


def save_answer(conn: Connection, answer: Answer, actor: str, now: datetime) -> str:
    """Insert or update an answer (its version goes up on a change); return "added", "updated" or "unchanged"."""
    new = {name: getattr(answer, name) for name in _ANSWER_FIELDS}
    old = conn.execute(select(kb_answers).where(kb_answers.c.id == answer.id)).mappings().first()
    if old is None:
        conn.execute(insert(kb_answers).values(id=answer.id, version=1, updated_at=now, **new))
        answer.version = 1
        outcome, details = "added", {"new": _jsonable(new)}
    else:
        before = {name: old[name] for name in _ANSWER_FIELDS}
        if _same(before, new):
            answer.version = old["version"]
            return "unchanged"
        answer.version = old["version"] + 1
        conn.execute(update(kb_answers).where(kb_answers.c.id == answer.id)
                     .values(version=answer.version, updated_at=now, **new))
        outcome, details = "updated", {"old": _jsonable(before), "new": _jsonable(new)}
    append(conn, [NewEntry(actor, f"answer_{outcome}", RECORD_TYPE, f"answer:{answer.id}",
                           {"version": answer.version, **details})], now)
    return outcome


def save_fact(conn: Connection, fact: Fact, actor: str, now: datetime, *, confirm: bool = False) -> str:
    """Insert or update a fact; return "added", "updated", "confirmed" or "unchanged". Journaled with the old value.

    Setting a fact to the value it already has is "unchanged" for an import, but with ``confirm``
    (a person set it by hand) it is "confirmed": who checked it and when are recorded and journaled.
    """
    new = {name: getattr(fact, name) for name in _FACT_FIELDS}
    old = conn.execute(select(kb_facts).where(kb_facts.c.key == fact.key)).mappings().first()
    if old is None:
        conn.execute(insert(kb_facts).values(key=fact.key, version=1, updated_at=now, updated_by=actor, **new))
        fact.version = 1
        outcome, details = "added", {"new": _jsonable(new)}
    else:
        before = {name: old[name] for name in _FACT_FIELDS}
        if _same(before, new):
            fact.version = old["version"]
            if not confirm:
                return "unchanged"
            conn.execute(update(kb_facts).where(kb_facts.c.key == fact.key).values(updated_at=now, updated_by=actor))
            fact.updated_by, fact.updated_at = actor, now
            append(conn, [NewEntry(actor, "fact_confirmed", RECORD_TYPE, f"fact:{fact.key}",
                                   {"version": fact.version, "value": _jsonable(new)})], now)
            return "confirmed"
        fact.version = old["version"] + 1
        conn.execute(update(kb_facts).where(kb_facts.c.key == fact.key)
                     .values(version=fact.version, updated_at=now, updated_by=actor, **new))
        outcome, details = "updated", {"old": _jsonable(before), "new": _jsonable(new)}
    fact.updated_by, fact.updated_at = actor, now
    append(conn, [NewEntry(actor, f"fact_{outcome}", RECORD_TYPE, f"fact:{fact.key}",
                           {"version": fact.version, **details})], now)
    return outcome


def _same(before: dict[str, Any], after: dict[str, Any]) -> bool:
    """Equal once both are in the form the database gives back (JSON lists, UTC times, dates)."""
    return _jsonable({k: _utc_iso(v) for k, v in before.items()}) == _jsonable(
        {k: _utc_iso(v) for k, v in after.items()})


def _utc_iso(value: Any) -> Any:
    if isinstance(value, datetime):
        return utc(value).timestamp()  # type: ignore[union-attr]
    if isinstance(value, tuple):
        return list(value)
    return value


def answer_fields(answer: Answer) -> dict[str, Any]:
    """The answer as plain values (for exports)."""
    return asdict(answer)
