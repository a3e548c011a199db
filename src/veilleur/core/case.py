"""A case of the social customer-care inbox (« SAV »), its history and its complaint record.

Pure data, no I/O; imports the standard library and ``errors`` only. The inbox room (``inbox``) opens and moves
cases, the store (``storage.inbox_store``) keeps them, the API and the figures read them.

A case gathers the posts of one conversation with one customer. It moves through the states
new → assigned → (waiting_customer | escalated) → answered → closed; ``ALLOWED_TRANSITIONS`` says
which moves are legal (``check_transition`` raises ``InvalidTransition`` otherwise). ``version``
is the optimistic-concurrency counter: every stored change bumps it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from veilleur.errors import VeilleurError


class CaseState(StrEnum):
    NEW = "new"
    ASSIGNED = "assigned"
    WAITING_CUSTOMER = "waiting_customer"
    ESCALATED = "escalated"
    ANSWERED = "answered"
    CLOSED = "closed"


class Priority(StrEnum):
    """P1 is the most urgent (fraud in progress); P4 the least."""

    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"

    @property
    def rank(self) -> int:
        """1 for P1 … 4 for P4, for sorting."""
        return int(self.value[1])


class CloseReason(StrEnum):
    """Why a case was closed (``Case.state_reason`` when ``state`` is ``closed``)."""

    RESOLVED = "resolved"
    ANSWERED_PUBLIC = "answered_public"
    HANDLED_PRIVATELY = "handled_privately"  # the back office reached the customer off social media
    POLICY = "policy"  # "never answer an insult": closed without answer, kept for audit
    NO_ANSWER_NEEDED = "no_answer_needed"  # praise, information
    DUPLICATE = "duplicate"
    NO_REPLY_FROM_CUSTOMER = "no_reply_from_customer"
    SPAM = "spam"


ALLOWED_TRANSITIONS: dict[CaseState, frozenset[CaseState]] = {
    CaseState.NEW: frozenset({CaseState.ASSIGNED, CaseState.ESCALATED, CaseState.ANSWERED, CaseState.CLOSED}),
    CaseState.ASSIGNED: frozenset({CaseState.ASSIGNED, CaseState.NEW, CaseState.WAITING_CUSTOMER,
                                   CaseState.ESCALATED, CaseState.ANSWERED, CaseState.CLOSED}),
    CaseState.WAITING_CUSTOMER: frozenset({CaseState.NEW, CaseState.ASSIGNED, CaseState.ESCALATED, CaseState.ANSWERED,
                                           CaseState.CLOSED}),
    CaseState.ESCALATED: frozenset({CaseState.NEW, CaseState.ASSIGNED, CaseState.ANSWERED, CaseState.CLOSED}),
    CaseState.ANSWERED: frozenset({CaseState.NEW, CaseState.ASSIGNED, CaseState.WAITING_CUSTOMER, CaseState.ESCALATED,
                                   CaseState.CLOSED}),
    CaseState.CLOSED: frozenset({CaseState.ASSIGNED, CaseState.NEW}),  # reopened by a later message
}
"""From each state, the states a case may move to. A closed case only reopens."""


class InvalidTransition(VeilleurError, ValueError):
    """A move between two states that the case life cycle does not allow."""

    def __init__(self, case_id: int | None, current: CaseState, target: CaseState) -> None:
        allowed = ", ".join(sorted(s.value for s in ALLOWED_TRANSITIONS[current])) or "none"
        super().__init__(f"case {case_id}: cannot go from {current.value} to {target.value} "
                         f"(allowed from {current.value}: {allowed})")
        self.case_id, self.current, self.target = case_id, current, target


def check_transition(case_id: int | None, current: CaseState, target: CaseState) -> None:
    """Raise ``InvalidTransition`` unless ``current`` → ``target`` is allowed."""
    if target not in ALLOWED_TRANSITIONS[current]:
        raise InvalidTransition(case_id, current, target)


OPEN_STATES = frozenset(set(CaseState) - {CaseState.CLOSED})


@dataclass(slots=True)
class Case:
    """One conversation with one customer, from the first post to closing.

    ``conversation_key`` groups posts: the platform thread (``thread:<platform>:<id>``) or, when
    platforms give none, the author and entity (``author:<platform>:<handle>:<entity>``).
    Times are aware datetimes in UTC. ``id`` is ``None`` until the case is stored.
    """

    id: int | None
    state: CaseState
    priority: Priority
    queue: str
    opened_at: datetime
    conversation_key: str
    version: int = 1
    state_reason: str | None = None
    team: str | None = None
    assignee: str | None = None
    entity: str | None = None
    bank: str | None = None
    platform: str | None = None
    author_handle: str | None = None
    tags: list[str] = field(default_factory=list)
    crm_customer_id: str | None = None  # an opaque id in the bank's CRM
    intent: str | None = None
    topics: list[str] = field(default_factory=list)
    first_response_at: datetime | None = None
    answered_at: datetime | None = None
    closed_at: datetime | None = None
    reopened_count: int = 0
    escalated: bool = False  # ever escalated
    answered_in_public: bool = False
    moved_private: bool = False
    first_response_due: datetime | None = None
    resolution_due: datetime | None = None
    updated_at: datetime | None = None
    last_customer_at: datetime | None = None  # the latest post of the customer in the case
    rule: str | None = None  # the routing rule that placed the case
    post_ids: list[int] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.state != CaseState.CLOSED


@dataclass(slots=True)
class CaseEvent:
    """One line of a case's history: who did what, when, with what details."""

    case_id: int
    at: datetime
    actor: str
    action: str  # opened, post_added, routed, assigned, state, note, escalated, reply_sent, ...
    details: dict[str, Any] = field(default_factory=dict)
    id: int | None = None


@dataclass(slots=True)
class CaseNote:
    """A private note on a case (masked of personal data before it is stored)."""

    case_id: int
    at: datetime
    author: str
    text: str
    id: int | None = None


@dataclass(slots=True)
class ComplaintRecord:
    """A complaint in the sense of ACPR recommendation 2022-R-01, with its two clocks."""

    case_id: int
    entity: str | None
    received_at: datetime
    acknowledge_due: datetime
    answer_due: datetime
    acknowledged_at: datetime | None = None
    answered_at: datetime | None = None
    summary: str = ""
    id: int | None = None
