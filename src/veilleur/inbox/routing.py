"""Routing: declarative rules (``[[inbox.rules]]``) that place a post's case and say why.

Rules are evaluated in order. The first rule whose conditions all hold is *final*: it places the
case (queue, team) and evaluation stops — unless the rule says ``continue = true``, in which case
its tags and actions are added and evaluation goes on. Across every rule that fired, tags and
actions are united and the most urgent priority wins, so a "continue" rule can raise the priority
(urgency high → P2) while a later rule chooses the queue. When no final rule fires, the case goes
to ``inbox.default_queue`` with a priority from the urgency (high P2, normal P3, low P4).

Each evaluation returns which rules fired and the conditions that matched (``Routing.fired``), for
``veilleur rules test`` and the case history. The shipped rules
(``inbox/resources/default_rules.toml``) reproduce the seeds of domain.md §2.

Imports ``core``, ``pipeline.text`` (accent folding), ``inbox.settings`` and ``errors``.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from pydantic import ValidationError

from veilleur.core.case import Priority
from veilleur.errors import ConfigError
from veilleur.inbox.settings import InboxSettings, RoutingRule
from veilleur.pipeline.text import fold

URGENCY_PRIORITY = {"high": Priority.P2, "normal": Priority.P3, "low": Priority.P4}


@dataclass(slots=True)
class Subject:
    """What rules look at: a post's labels and text, and facts about its author."""

    text: str
    platform: str
    intent: str | None = None
    topics: list[str] = field(default_factory=list)
    urgency: str | None = None
    sentiment: str | None = None
    abusive: bool | None = None
    pii: list[str] = field(default_factory=list)
    language: str | None = None
    bank: str | None = None
    entity: str | None = None
    author_handle: str | None = None
    followers: int | None = None
    verified: bool = False
    addressed: bool = False
    journalist: bool = False
    known_customer: bool = False
    repeat_complainer: bool = False


@dataclass(slots=True)
class FiredRule:
    name: str
    reasons: list[str]
    final: bool


@dataclass(slots=True)
class Routing:
    """Where a case goes and what is done, with the rules that decided it."""

    queue: str
    team: str | None
    priority: Priority
    tags: list[str] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    fired: list[FiredRule] = field(default_factory=list)

    @property
    def rule(self) -> str | None:
        """The final rule's name (None: the default placement)."""
        final = [f for f in self.fired if f.final]
        return final[0].name if final else None

    def explain(self) -> str:
        if not self.fired:
            return "no rule matched: default queue, priority from urgency"
        return "; ".join(f"{f.name} ({', '.join(f.reasons) or 'always'})" for f in self.fired)

    def to_dict(self) -> dict[str, Any]:
        return {"queue": self.queue, "team": self.team, "priority": self.priority.value, "tags": self.tags,
                "actions": self.actions, "rule": self.rule,
                "fired": [{"rule": f.name, "because": f.reasons, "final": f.final} for f in self.fired]}


def load_rules(settings: InboxSettings) -> list[RoutingRule]:
    """The rules in force: the configured ones, else the shipped defaults.

    Raises:
        ConfigError: the shipped file is not valid (names the key).
    """
    if settings.rules:
        return list(settings.rules)
    raw = resources.files("veilleur.inbox.resources").joinpath("default_rules.toml").read_text("utf-8")
    return parse_rules(tomllib.loads(raw), "inbox/resources/default_rules.toml")


def parse_rules(document: dict[str, Any], source: str) -> list[RoutingRule]:
    """Rules from a parsed TOML document with ``[[inbox.rules]]`` (or top-level ``[[rules]]``).

    Raises:
        ConfigError: an unknown key or a value not among the labels' values, named by its path.
    """
    rules = document.get("inbox", {}).get("rules", document.get("rules"))
    if not isinstance(rules, list):
        raise ConfigError(f"{source}: no [[inbox.rules]] tables")
    try:
        return InboxSettings.model_validate({"rules": rules}).rules
    except ValidationError as exc:
        lines = [f"  inbox.{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        raise ConfigError(f"invalid routing rules ({source}):\n" + "\n".join(lines)) from exc


def _keyword_pattern(keywords: list[str]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(fold(k.strip())) for k in keywords if k.strip())
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


class Router:
    """Evaluates the rules in force on subjects."""

    def __init__(self, settings: InboxSettings, rules: list[RoutingRule] | None = None):
        self.settings = settings
        self.rules = rules if rules is not None else load_rules(settings)
        self._keywords = {r.name: _keyword_pattern(r.when.keywords) for r in self.rules if r.when.keywords}

    def route(self, subject: Subject) -> Routing:
        """Place one subject: the rules in order, as the module docstring says."""
        fired: list[FiredRule] = []
        final: RoutingRule | None = None
        for rule in self.rules:
            reasons = self.matches(rule, subject)
            if reasons is None:
                continue
            fired.append(FiredRule(rule.name, reasons, not rule.keep_going))
            if not rule.keep_going:
                final = rule
                break
        return self._placement(subject, fired, final)

    def _placement(self, subject: Subject, fired: list[FiredRule], final: RoutingRule | None) -> Routing:
        by_name = {r.name: r for r in self.rules}
        applied = [by_name[f.name] for f in fired]
        priorities = [r.priority for r in applied if r.priority is not None]
        if final is None or final.priority is None:
            priorities.append(URGENCY_PRIORITY.get(subject.urgency or "normal", Priority.P3))
        queue = next((r.queue for r in reversed(applied) if r.queue), self.settings.default_queue)
        team = next((r.team for r in reversed(applied) if r.team), None)
        if team is None and queue == self.settings.default_queue:
            team = self.settings.default_team
        tags = list(dict.fromkeys(t for r in applied for t in r.tags))
        actions = list(dict.fromkeys(a for r in applied for a in r.actions))
        return Routing(queue, team, min(priorities, key=lambda p: p.rank), tags, actions, fired)

    def matches(self, rule: RoutingRule, s: Subject) -> list[str] | None:
        """The conditions of ``rule`` that ``s`` meets, or None when one of them fails."""
        when, reasons = rule.when, []
        checks: list[tuple[Any, bool, str]] = [
            (when.intent, s.intent in (when.intent or ()), f"intent={s.intent}"),
            (when.topics, bool(set(s.topics) & set(when.topics or ())),
             "topics∋" + ",".join(sorted(set(s.topics) & set(when.topics or ())))),
            (when.urgency, s.urgency in (when.urgency or ()), f"urgency={s.urgency}"),
            (when.sentiment, s.sentiment in (when.sentiment or ()), f"sentiment={s.sentiment}"),
            (when.abusive, bool(s.abusive) == when.abusive, f"abusive={bool(s.abusive)}".lower()),
            (when.pii, bool(s.pii) == when.pii, f"pii={','.join(s.pii) or 'none'}"),
            (when.pii_kinds, bool(set(s.pii) & set(when.pii_kinds or ())), f"pii∋{','.join(s.pii)}"),
            (when.language, s.language in (when.language or ()), f"language={s.language}"),
            (when.bank, s.bank in (when.bank or ()), f"bank={s.bank}"),
            (when.entity, s.entity in (when.entity or ()), f"entity={s.entity}"),
            (when.platform, s.platform in (when.platform or ()), f"platform={s.platform}"),
            (when.addressed, s.addressed == when.addressed, f"addressed={s.addressed}".lower()),
            (when.followers_min, (s.followers or 0) >= (when.followers_min or 0),
             f"followers={s.followers or 0}≥{when.followers_min}"),
            (when.verified, s.verified == when.verified, f"verified={s.verified}".lower()),
            (when.journalist, s.journalist == when.journalist, f"journalist={s.journalist}".lower()),
            (when.known_customer, s.known_customer == when.known_customer,
             f"known_customer={s.known_customer}".lower()),
            (when.repeat_complainer, s.repeat_complainer == when.repeat_complainer,
             f"repeat_complainer={s.repeat_complainer}".lower()),
        ]
        for condition, holds, reason in checks:
            if condition is None:
                continue
            if not holds:
                return None
            reasons.append(reason)
        if when.keywords:
            found = self._keywords[rule.name].search(fold(s.text))
            if found is None:
                return None
            reasons.append(f"keyword «{found.group(0)}»")
        return reasons
