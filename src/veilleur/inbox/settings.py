"""Settings of the inbox: cases, routing rules, teams and agents, replies.

Pydantic only (and the label enums of ``core``); imported by ``veilleur.settings``. The routing
rules are validated here against the enums of ``core.labels`` so that a wrong key or value in
``[[inbox.rules]]`` is reported by ``get_settings`` with its path ("inbox.rules.2.when.intent.0").
"""
from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from veilleur.core.case import Priority
from veilleur.core.labels import Intent, PiiKind, Sentiment, Topic, Urgency
from veilleur.core.post import Platform

RuleAction = Literal["suggest_answer", "escalate", "close_by_policy", "alert", "skip", "secure_handoff"]
"""What a rule asks for beyond placing the case: suggest an approved answer, escalate to the back
office, close without answer (kept for audit), raise an alert, open no case at all, or hand the
customer off to the secure channel."""

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SLOT = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$")


class RuleConditions(BaseModel):
    """What a post (and its author) must be for a rule to fire; every condition given must hold."""

    model_config = ConfigDict(extra="forbid")

    intent: list[Intent] | None = Field(default=None, description="one of these intents")
    topics: list[Topic] | None = Field(default=None, description="at least one of these topics")
    urgency: list[Urgency] | None = None
    sentiment: list[Sentiment] | None = None
    abusive: bool | None = None
    pii: bool | None = Field(default=None, description="true: personal data found in the post")
    pii_kinds: list[PiiKind] | None = Field(default=None, description="at least one of these kinds found")
    language: list[str] | None = None
    bank: list[str] | None = None
    entity: list[str] | None = None
    platform: list[Platform] | None = None
    addressed: bool | None = Field(default=None, description="true: the post tags or answers the bank's account")
    followers_min: int | None = Field(default=None, ge=0)
    verified: bool | None = None
    journalist: bool | None = Field(default=None, description="the author is on the journalists/analysts lists")
    known_customer: bool | None = Field(default=None, description="the CRM link knows the author")
    repeat_complainer: bool | None = Field(default=None, description="N complaint cases in D days (settings)")
    keywords: list[str] | None = Field(default=None, description="any of these words, accent- and case-insensitive")


class RoutingRule(BaseModel):
    """One rule: conditions, then where the case goes and what is done."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    name: str = Field(min_length=1)
    when: RuleConditions = Field(default_factory=RuleConditions)
    queue: str | None = None
    priority: Priority | None = None
    team: str | None = None
    tags: list[str] = Field(default_factory=list)
    actions: list[RuleAction] = Field(default_factory=list)
    keep_going: bool = Field(default=False, alias="continue",
                             description="true: apply this rule's tags/actions and keep evaluating")


class Absence(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: date
    end: date = Field(description="last day of absence, inclusive")

    @model_validator(mode="after")
    def _ordered(self) -> Absence:
        if self.end < self.start:
            raise ValueError("end is before start")
        return self


class Agent(BaseModel):
    """A person who works cases: team, capacity, weekly schedule (local time), absences."""

    model_config = ConfigDict(extra="forbid")

    login: str = Field(min_length=1)
    team: str = Field(min_length=1)
    capacity: int = Field(default=10, ge=0, description="open cases at most")
    schedule: dict[str, list[str]] = Field(
        default_factory=lambda: {d: ["09:00-18:00"] for d in WEEKDAYS[:5]},
        description="weekday (mon..sun) → working slots 'HH:MM-HH:MM' in the agent's time zone")
    absences: list[Absence] = Field(default_factory=list)
    timezone: str = "Europe/Paris"

    @field_validator("schedule")
    @classmethod
    def _slots(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for day, slots in value.items():
            if day not in WEEKDAYS:
                raise ValueError(f"{day!r} is not a weekday ({', '.join(WEEKDAYS)})")
            bad = [s for s in slots if not SLOT.match(s) or s[:5] >= s[6:]]
            if bad:
                raise ValueError(f"{day}: slots must be 'HH:MM-HH:MM' with start before end, not {bad}")
        return value


class InboxSettings(BaseModel):
    """Settings of the inbox: cases, routing rules, teams and agents, replies."""

    model_config = ConfigDict(extra="forbid")

    author_window_hours: int = Field(default=72, ge=1, description="without a thread, an author's posts about "
                                     "one entity within this window join the same open case")
    reopen_days: int = Field(default=7, ge=0, description="a customer's message within this many days of "
                             "closing reopens the case instead of opening a new one")
    crosspost_window_hours: int = Field(default=24, ge=0, description="same author, same text on two platforms "
                                        "within this window: one case")
    batch_size: int = Field(default=500, ge=1, le=100_000, description="posts read per intake transaction")
    default_queue: str = Field(default="community_managers", min_length=1)
    default_team: str | None = Field(default="community_managers")
    backoffice_queue: str = Field(default="customer_relations", min_length=1,
                                  description="where escalated cases go (the customer-relations back office)")
    backoffice_team: str | None = Field(default="customer_relations")
    rules: list[RoutingRule] = Field(default_factory=list, description="routing rules in order; empty: the "
                                     "shipped default rules (inbox/resources/default_rules.toml)")
    agents: list[Agent] = Field(default_factory=list)
    journalists: list[str] = Field(default_factory=list, description="handles of known journalists")
    analysts: list[str] = Field(default_factory=list, description="handles of known analysts")
    repeat_complainer_cases: int = Field(default=3, ge=1, description="complaint cases that make a repeat complainer")
    repeat_complainer_days: int = Field(default=90, ge=1)
    high_influence_followers: int = Field(default=10_000, ge=0, description="replies to authors with at least "
                                          "this many followers need a second approver")
    secure_channel_link: str | None = Field(default=None, description="the secure-channel link of hand-offs; "
                                            "default: the compliance policy's")
    crm_customers: dict[str, str] = Field(default_factory=dict, description="'platform:handle' → CRM customer id "
                                          "(the static CRM link of demos and tests)")
    open_x_dms: list[str] = Field(default_factory=list, description="X handles known to accept direct messages")

    @model_validator(mode="after")
    def _unique_names(self) -> InboxSettings:
        for what, names in (("agents: login(s)", [a.login for a in self.agents]),
                            ("rules: name(s)", [r.name for r in self.rules])):
            twice = sorted({x for x in names if names.count(x) > 1})
            if twice:
                raise ValueError(f"{what} used twice: {', '.join(twice)}")
        return self
