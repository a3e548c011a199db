"""The knowledge base of approved answers: suggest the best ones for a message, render one, keep facts dated.

An answer's body holds ``{variables}`` filled per case (``{prenom}``, ``{lien_espace_securise}``)
and ``{fait:key}`` references to facts (a rate, a ceiling, a fee) that carry an effective date, a
validity end and a source. A fact past its ``valid_until`` (or not yet in force) blocks every
answer quoting it: ``suggest`` still shows the answer, with the reason, and ``render`` refuses,
until someone updates the fact (``set_fact``, journaled with the old value).

Retrieval (``inbox.retrieval``): BM25 over each answer's questions and title, plus its body at a
lower weight, normalised to the best answer, plus the cosine similarity of the shipped word vectors.
Answers and facts are read from the store once and re-read when the tables change.

TOML files (``data/knowledge/*.toml``) import and export with ``[[facts]]`` and ``[[answers]]`` tables.
Imports ``storage.knowledge_store``, ``inbox.retrieval``, ``inbox.knowledge_settings`` and ``errors``.
"""
from __future__ import annotations

import dataclasses
import re
import threading
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np

from veilleur.errors import VeilleurError
from veilleur.inbox.knowledge_settings import KnowledgeSettings
from veilleur.inbox.retrieval import Bm25, VectorIndex, tokens
from veilleur.storage import knowledge_store
from veilleur.storage.knowledge_store import Answer, Fact

FACT_REFERENCE = re.compile(r"\{fait:([A-Za-z0-9_]+)\}")
VARIABLE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
LANGUAGES = ("fr", "en")


class KnowledgeError(VeilleurError):
    """A knowledge-base request cannot be served (unknown answer, bad file, bad fact)."""


class AnswerBlocked(KnowledgeError):
    """An answer quotes a fact that is stale, not yet in force, or unknown."""


class MissingVariable(KnowledgeError):
    """Rendering an answer needs variables that were not given."""


@dataclass(frozen=True, slots=True)
class Suggestion:
    answer_id: str
    title: str
    score: float
    language: str
    blocked: str | None = None  # why the answer cannot be sent today, if it cannot
    facts: tuple[str, ...] = ()


@dataclass(slots=True)
class ImportReport:
    facts: dict[str, int] = field(default_factory=dict)  # outcome → count
    answers: dict[str, int] = field(default_factory=dict)


def fact_keys(body: str) -> list[str]:
    """The fact keys an answer body quotes, in order, without repeats."""
    return list(dict.fromkeys(FACT_REFERENCE.findall(body)))


def fact_problem(fact: Fact | None, key: str, today: date) -> str | None:
    """Why ``fact`` may not be quoted on ``today`` (None when it may)."""
    if fact is None:
        return f"le fait « {key} » n'existe pas dans la base"
    if fact.valid_until is not None and today > fact.valid_until:
        return (f"le fait « {key} » ({fact.value}{' ' + fact.unit if fact.unit else ''}) n'est plus valable depuis "
                f"le {fact.valid_until:%d/%m/%Y} (source : {fact.source}) : mettez-le à jour")
    if today < fact.effective_from:
        return f"le fait « {key} » n'entre en vigueur que le {fact.effective_from:%d/%m/%Y}"
    return None


@dataclass(frozen=True, slots=True)
class _Snapshot:
    """Answers, facts and their indexes as read at one generation of the tables (replaced whole)."""

    generation: tuple[Any, ...] | None
    answers: list[Answer]
    facts: dict[str, Fact]
    questions: Bm25
    bodies: Bm25
    vectors: VectorIndex | None


class KnowledgeBase:
    """Approved answers and facts over the store, with retrieval. Safe to share between threads."""

    def __init__(self, store, settings: KnowledgeSettings | None = None):
        self.store = store
        self.settings = settings or KnowledgeSettings()
        self._lock = threading.Lock()
        self._snapshot = _Snapshot(None, [], {}, Bm25([]), Bm25([]), None)

    # -- reading ----------------------------------------------------------------------------------
    def _current(self) -> _Snapshot:
        """The snapshot of the tables as they are now (re-read and re-indexed when they changed)."""
        with self.store.engine.connect() as conn:
            generation = knowledge_store.generation(conn)
            if generation == self._snapshot.generation:
                return self._snapshot
            answers, facts = knowledge_store.load_answers(conn), knowledge_store.load_facts(conn)
        with self._lock:
            if generation != self._snapshot.generation:
                texts = [" ".join([a.title, *a.questions]) for a in answers]
                self._snapshot = _Snapshot(
                    generation, answers, {f.key: f for f in facts}, Bm25([tokens(t) for t in texts]),
                    Bm25([tokens(a.body) for a in answers]),
                    VectorIndex.shipped(texts) if self.settings.vectors else None)
            return self._snapshot

    def _invalidate(self) -> None:
        """Our own writes may keep the tables' fingerprint (same second, same count): re-read next time."""
        with self._lock:
            self._snapshot = dataclasses.replace(self._snapshot, generation=None)

    def answers(self) -> list[Answer]:
        return list(self._current().answers)

    def facts(self) -> list[Fact]:
        return sorted(self._current().facts.values(), key=lambda f: f.key)

    def answer(self, answer_id: str) -> Answer:
        for answer in self._current().answers:
            if answer.id == answer_id:
                return answer
        raise KnowledgeError(f"no answer {answer_id!r} in the knowledge base")

    def blocked_reason(self, answer: Answer, today: date, snapshot: _Snapshot | None = None) -> str | None:
        """Why ``answer`` cannot be sent on ``today`` (None when it can)."""
        facts = (snapshot or self._current()).facts
        problems = [p for key in fact_keys(answer.body) if (p := fact_problem(facts.get(key), key, today))]
        return "; ".join(problems) or None

    # -- the two questions of the contract ----------------------------------------------------------
    def suggest(self, text: str, language: str = "fr", k: int | None = None,
                today: date | None = None) -> list[Suggestion]:
        """The ``k`` best answers for ``text`` in ``language`` (every language if none is in it)."""
        snapshot = self._current()
        today = today or datetime.now(UTC).date()
        scores = self._scores(snapshot, text)
        answers = snapshot.answers
        candidates = [i for i, a in enumerate(answers) if a.language == language] or range(len(answers))
        ranked = sorted(candidates, key=lambda i: (-scores[i], answers[i].id))
        found = []
        for index in ranked[: k or self.settings.suggestions]:
            if scores[index] < self.settings.min_score:
                break
            answer = answers[index]
            found.append(Suggestion(answer.id, answer.title, round(float(scores[index]), 4), answer.language,
                                    self.blocked_reason(answer, today, snapshot), tuple(fact_keys(answer.body))))
        return found

    def scores(self, text: str) -> np.ndarray:
        """The retrieval score of every answer (in ``answers()`` order) for ``text``."""
        return self._scores(self._current(), text)

    def _scores(self, snapshot: _Snapshot, text: str) -> np.ndarray:
        if not snapshot.answers:
            return np.zeros(0)
        query = tokens(text)
        lexical = snapshot.questions.scores(query) + self.settings.body_weight * snapshot.bodies.scores(query)
        best = lexical.max()
        total = lexical / best if best > 0 else lexical
        if snapshot.vectors is not None and self.settings.vector_weight:
            total = total + self.settings.vector_weight * snapshot.vectors.scores(text)
        return total

    def render(self, answer_id: str, variables: dict[str, str] | None = None, today: date | None = None) -> str:
        """The answer's text with its facts and variables filled in.

        Raises:
            AnswerBlocked: a fact it quotes is stale, not yet in force, or unknown.
            MissingVariable: a ``{variable}`` of the body was not given (all missing ones are named).
        """
        snapshot = self._current()
        answer = next((a for a in snapshot.answers if a.id == answer_id), None)
        if answer is None:
            raise KnowledgeError(f"no answer {answer_id!r} in the knowledge base")
        reason = self.blocked_reason(answer, today or datetime.now(UTC).date(), snapshot)
        if reason:
            raise AnswerBlocked(f"answer {answer_id!r} cannot be sent: {reason}")
        text = FACT_REFERENCE.sub(lambda m: _fact_text(snapshot.facts[m.group(1)]), answer.body)
        given = variables or {}
        missing = sorted({name for name in VARIABLE.findall(text) if name not in given})
        if missing:
            raise MissingVariable(f"answer {answer_id!r} needs the variable(s) {', '.join(missing)}")
        return VARIABLE.sub(lambda m: str(given[m.group(1)]), text)

    # -- writing ------------------------------------------------------------------------------------
    def set_fact(self, key: str, value: str, *, source: str, actor: str, now: datetime,
                 valid_until: date | None = None, effective_from: date | None = None, unit: str | None = None,
                 example: bool | None = None) -> Fact:
        """Update (or add) a fact; unset fields keep their current values. Journaled with the old value."""
        current = self._current().facts.get(key)
        if not source.strip():
            raise KnowledgeError(f"fact {key!r}: say where the value comes from (source)")
        fact = Fact(key=key, value=value, source=source,
                    effective_from=effective_from or now.astimezone(UTC).date(),
                    unit=unit if unit is not None else (current.unit if current else None),
                    valid_until=valid_until, example=example if example is not None else False)
        if fact.valid_until is not None and fact.valid_until < fact.effective_from:
            raise KnowledgeError(f"fact {key!r}: valid_until {fact.valid_until} is before effective_from "
                                 f"{fact.effective_from}")
        with self.store.engine.begin() as conn:
            knowledge_store.save_fact(conn, fact, actor, now, confirm=True)
        self._invalidate()
        return fact

    def import_toml(self, path: Path, *, actor: str, now: datetime) -> ImportReport:
        """Load ``[[facts]]`` and ``[[answers]]`` of a TOML file into the store (one transaction)."""
        facts, answers = read_toml(path, now)
        report = ImportReport()
        with self.store.engine.begin() as conn:
            for fact in facts:
                outcome = knowledge_store.save_fact(conn, fact, actor, now)
                report.facts[outcome] = report.facts.get(outcome, 0) + 1
            for answer in answers:
                outcome = knowledge_store.save_answer(conn, answer, actor, now)
                report.answers[outcome] = report.answers.get(outcome, 0) + 1
        self._invalidate()
        return report


def _fact_text(fact: Fact) -> str:
    return f"{fact.value}\u00a0{fact.unit}" if fact.unit else fact.value


def read_toml(path: Path, now: datetime) -> tuple[list[Fact], list[Answer]]:
    """Parse a knowledge file; every error names the file and the entry."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise KnowledgeError(f"{path}: file not found") from exc
    except tomllib.TOMLDecodeError as exc:
        raise KnowledgeError(f"{path}: not valid TOML: {exc}") from exc
    unknown = set(data) - {"facts", "answers"}
    if unknown:
        raise KnowledgeError(f"{path}: unknown table(s) {', '.join(sorted(unknown))} (expected facts, answers)")
    facts = [_fact(entry, f"{path}: facts[{i}]") for i, entry in enumerate(data.get("facts", []))]
    answers = [_answer(entry, f"{path}: answers[{i}]", now) for i, entry in enumerate(data.get("answers", []))]
    _no_duplicates([f.key for f in facts], f"{path}: facts")
    _no_duplicates([a.id for a in answers], f"{path}: answers")
    return facts, answers


def _no_duplicates(keys: list[str], where: str) -> None:
    seen = {k for k in keys if keys.count(k) > 1}
    if seen:
        raise KnowledgeError(f"{where}: {', '.join(sorted(seen))} defined twice")


def _require(entry: dict[str, Any], name: str, kind: type | tuple[type, ...], where: str) -> Any:
    if name not in entry:
        raise KnowledgeError(f"{where}: missing {name!r}")
    if not isinstance(entry[name], kind):
        raise KnowledgeError(f"{where}.{name}: expected {getattr(kind, '__name__', kind)}, got {entry[name]!r}")
    return entry[name]


def _fact(entry: dict[str, Any], where: str) -> Fact:
    allowed = {"key", "value", "unit", "effective_from", "valid_until", "source", "example"}
    if set(entry) - allowed:
        raise KnowledgeError(f"{where}: unknown field(s) {', '.join(sorted(set(entry) - allowed))}")
    valid_until = entry.get("valid_until")
    if valid_until is not None and not isinstance(valid_until, date):
        raise KnowledgeError(f"{where}.valid_until: expected a date (2026-01-31), got {valid_until!r}")
    return Fact(key=_require(entry, "key", str, where), value=str(_require(entry, "value", (str, int, float), where)),
                effective_from=_require(entry, "effective_from", date, where),
                source=_require(entry, "source", str, where), unit=entry.get("unit"), valid_until=valid_until,
                example=bool(entry.get("example", False)))


def _answer(entry: dict[str, Any], where: str, now: datetime) -> Answer:
    allowed = {"id", "language", "title", "questions", "body", "topics", "approved_by", "approved_at"}
    if set(entry) - allowed:
        raise KnowledgeError(f"{where}: unknown field(s) {', '.join(sorted(set(entry) - allowed))}")
    answer_id = _require(entry, "id", str, where)
    if not SLUG.match(answer_id):
        raise KnowledgeError(f"{where}.id: {answer_id!r} is not a slug (lower-case letters, digits, '-')")
    language = _require(entry, "language", str, where)
    if language not in LANGUAGES:
        raise KnowledgeError(f"{where}.language: {language!r} is not one of {', '.join(LANGUAGES)}")
    questions = _require(entry, "questions", list, where)
    if not questions or not all(isinstance(q, str) and q.strip() for q in questions):
        raise KnowledgeError(f"{where}.questions: give at least one question, as text")
    approved_at = entry.get("approved_at", now)
    if isinstance(approved_at, date) and not isinstance(approved_at, datetime):
        approved_at = datetime(approved_at.year, approved_at.month, approved_at.day, tzinfo=UTC)
    if not isinstance(approved_at, datetime):
        raise KnowledgeError(f"{where}.approved_at: expected a date or date-time, got {approved_at!r}")
    return Answer(id=answer_id, language=language, title=_require(entry, "title", str, where), questions=questions,
                  body=_require(entry, "body", str, where), approved_by=_require(entry, "approved_by", str, where),
                  approved_at=approved_at if approved_at.tzinfo else approved_at.replace(tzinfo=UTC),
                  topics=list(entry.get("topics", [])))


def export_toml(facts: Iterable[Fact], answers: Iterable[Answer]) -> str:
    """The knowledge base as a TOML file ``import_toml`` reads back."""
    lines: list[str] = []
    for fact in facts:
        lines += ["[[facts]]", f"key = {_toml_str(fact.key)}", f"value = {_toml_str(fact.value)}"]
        lines += [f"unit = {_toml_str(fact.unit)}"] if fact.unit else []
        lines += [f"effective_from = {fact.effective_from.isoformat()}"]
        lines += [f"valid_until = {fact.valid_until.isoformat()}"] if fact.valid_until else []
        lines += [f"source = {_toml_str(fact.source)}", f"example = {'true' if fact.example else 'false'}", ""]
    for answer in answers:
        lines += ["[[answers]]", f"id = {_toml_str(answer.id)}", f"language = {_toml_str(answer.language)}",
                  f"title = {_toml_str(answer.title)}",
                  "questions = [" + ", ".join(_toml_str(q) for q in answer.questions) + "]",
                  f"body = {_toml_str(answer.body)}",
                  "topics = [" + ", ".join(_toml_str(t) for t in answer.topics) + "]",
                  f"approved_by = {_toml_str(answer.approved_by)}",
                  f"approved_at = {answer.approved_at.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}", ""]
    return "\n".join(lines)


def _toml_str(value: str | None) -> str:
    """A TOML basic string (JSON escaping is valid TOML for these characters)."""
    import json

    return json.dumps(value or "", ensure_ascii=False)
