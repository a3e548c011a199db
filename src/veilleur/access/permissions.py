"""Who may do what in the inbox: the role matrix, and the queues each role works.

``MATRIX`` gives, for each action and role, ``yes`` (anywhere in the actor's entities),
``queue`` (only on cases of a queue the role works: ``access.work_queues``, plus the inbox's
back-office queue for customer relations) or ``no``. Admin may do everything. The API
(``web.routes.inbox``) checks it before calling the inbox room, which checks entity scope itself;
the table in that module's docstring is this matrix, and a test holds them equal.

Imports ``core`` and ``access`` only.
"""
from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from veilleur.access.errors import Forbidden
from veilleur.access.settings import AccessSettings
from veilleur.core.actor import Actor, Role


class Grant(StrEnum):
    YES = "yes"
    QUEUE = "queue"
    NO = "no"


class Action(StrEnum):
    READ = "read"              # list and show cases, their history, SLA status
    WORK = "work"              # assign, change state, priority, queue, tags, note, CRM link, close, reopen
    ESCALATE = "escalate"      # send to the customer-relations back office
    HAND_BACK = "hand_back"    # return the elements of an answer from the back office
    DRAFT = "draft"            # write a reply
    APPROVE = "approve"        # four eyes: approve or reject another person's reply
    SEND = "send"              # send an approved (or approval-free) reply
    COMPLAINTS = "complaints"  # the complaint register (CSV)
    FIGURES = "figures"        # the inbox's figures
    KNOWLEDGE = "knowledge"    # suggestions, rendering, reading facts
    FACTS = "facts"            # update a fact of the knowledge base


Y, Q, N = Grant.YES, Grant.QUEUE, Grant.NO
ROLE_ORDER = (Role.COMMUNITY_MANAGER, Role.EXPERT, Role.CUSTOMER_RELATIONS, Role.COMMUNICATION, Role.COMPLIANCE,
              Role.ADMIN)
MATRIX: dict[Action, dict[Role, Grant]] = {
    action: dict(zip(ROLE_ORDER, grants, strict=True)) for action, grants in {
        Action.READ: (Y, Y, Y, Y, Y, Y),
        Action.WORK: (Q, Q, Q, Q, N, Y),
        Action.ESCALATE: (Q, Q, N, Q, N, Y),
        Action.HAND_BACK: (N, N, Q, N, N, Y),
        Action.DRAFT: (Q, Q, N, Q, N, Y),
        Action.APPROVE: (N, N, N, Q, Y, Y),
        Action.SEND: (Q, N, N, Q, N, Y),
        Action.COMPLAINTS: (N, N, Y, N, Y, Y),
        Action.FIGURES: (N, N, N, Y, Y, Y),
        Action.KNOWLEDGE: (Y, Y, Y, Y, Y, Y),
        Action.FACTS: (N, Y, N, N, N, Y),
    }.items()}
"""Action → role → grant. Compliance reads everything in scope and approves; unmasking stays in its room."""


def grant(role: Role, action: Action) -> Grant:
    return MATRIX[action][role]


def roles_for(action: Action) -> tuple[Role, ...]:
    """The roles that may do ``action`` somewhere (for ``web.deps.require_roles``)."""
    return tuple(role for role in ROLE_ORDER if MATRIX[action][role] is not Grant.NO)


def work_queues(role: Role, settings: AccessSettings, backoffice_queue: str | None = None) -> frozenset[str]:
    """The queues whose cases ``role`` works."""
    queues = set(settings.work_queues.get(role.value, []))
    if role is Role.CUSTOMER_RELATIONS and backoffice_queue:
        queues.add(backoffice_queue)
    return frozenset(queues)


def check(actor: Actor, action: Action, queue: str | None = None, *, settings: AccessSettings,
          backoffice_queue: str | None = None) -> None:
    """Raise ``Forbidden`` unless ``actor``'s role may do ``action`` (on a case of ``queue``)."""
    given = grant(actor.role, action)
    if given is Grant.NO:
        allowed = ", ".join(r.value for r in roles_for(action))
        raise Forbidden(f"role {actor.role.value!r} may not {action.value.replace('_', ' ')} (allowed: {allowed})")
    if given is Grant.QUEUE and queue is not None:
        queues = work_queues(actor.role, settings, backoffice_queue)
        if queue not in queues:
            raise Forbidden(f"role {actor.role.value!r} does not work the queue {queue!r} "
                            f"(its queues: {', '.join(sorted(queues)) or 'none'}; access.work_queues)")


def markdown_table(actions: Iterable[Action] = tuple(Action)) -> str:
    """The matrix as the Markdown table of ``web.routes.inbox``'s docstring."""
    lines = ["| action | " + " | ".join(r.value for r in ROLE_ORDER) + " |",
             "|---" * (len(ROLE_ORDER) + 1) + "|"]
    lines += ["| " + a.value + " | " + " | ".join(MATRIX[a][r].value for r in ROLE_ORDER) + " |" for a in actions]
    return "\n".join(lines)
