"""``/inbox/cases``: list, show and work the cases of the social customer-care inbox.

Who may do what (``access.permissions.MATRIX``; a test holds this table equal to it). ``yes``:
on every case of the caller's entities; ``queue``: only on cases of a queue the role works
(``access.work_queues``; customer relations also work ``inbox.backoffice_queue``); ``no``: 403.
A case of an entity the caller does not see answers 404, as if it did not exist.

| action | community_manager | expert | customer_relations | communication | compliance | admin |
|---|---|---|---|---|---|---|
| read | yes | yes | yes | yes | yes | yes |
| work | queue | queue | queue | queue | no | yes |
| escalate | queue | queue | no | queue | no | yes |
| hand_back | no | no | queue | no | no | yes |
| draft | queue | queue | no | queue | no | yes |
| approve | no | no | no | queue | yes | yes |
| send | queue | no | no | queue | no | yes |
| complaints | no | no | yes | no | yes | yes |
| figures | no | no | no | yes | yes | yes |
| knowledge | yes | yes | yes | yes | yes | yes |
| facts | no | yes | no | no | no | yes |

``read``: list, show, SLA status; ``work``: assign, state, priority, tags, note, CRM link, close,
reopen; ``hand_back``: hand back or report a private contact (back office); ``draft``, ``approve``
(four eyes: never one's own reply), ``send``: replies (``web.routes.inbox_replies``);
``complaints``, ``figures``: ``web.routes.inbox_reports``; ``knowledge``, ``facts``:
``web.routes.knowledge``. Unmasking personal data stays in the compliance room.

Every action accepts ``expected_version`` (the version the agent saw): acting on a case changed
since is a 409 conflict naming who changed it; re-read and retry.

Imports ``access``, ``core``, ``inbox``, ``storage`` (the feed, for a case's posts), ``web`` and FastAPI.
"""
from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from veilleur.access.permissions import Action
from veilleur.core.case import Case, CaseEvent, CaseNote, CaseState, CloseReason, Priority
from veilleur.inbox.cases import InboxError
from veilleur.inbox.escalation import PrivateDecision
from veilleur.storage.feed import posts_by_id
from veilleur.web.inbox_support import InboxDep, Versioned, allowed, hidden, version_of, workable_case

router = APIRouter(prefix="/inbox/cases", tags=["inbox"])
Reader = allowed(Action.READ)
Worker = allowed(Action.WORK)
Escalator = allowed(Action.ESCALATE)
BackOffice = allowed(Action.HAND_BACK)
CASE_NOT_FOUND = {404: {"description": "no such case, or one of an entity you do not see"}}
CASE_ACTION = {**CASE_NOT_FOUND, 403: {"description": "your role may not do this, or not in this queue"},
               409: {"description": "the case changed since you read it, or the move is not allowed from its "
                                    "state: re-read and retry"}}


class PostOut(BaseModel):
    """A post of the case, as stored (personal data masked)."""

    id: int
    platform: str
    external_id: str
    url: str | None
    created_at: datetime
    author_handle: str | None
    text: str
    language: str | None
    intent: str | None
    sentiment: str | None


class CaseDetail(BaseModel):
    case: Case
    events: list[CaseEvent]
    notes: list[CaseNote]
    posts: list[PostOut]


class Assign(Versioned):
    assignee: str | None = Field(description="the agent's login; null: back to the queue")
    team: str | None = None


class SetState(Versioned):
    state: CaseState = Field(description="new, assigned, waiting_customer, answered or closed "
                                         "(escalate with /escalate)")
    reason: str | None = Field(default=None, max_length=500)


class SetPriority(Versioned):
    priority: Priority


class SetQueue(Versioned):
    queue: str = Field(min_length=1, max_length=100)
    team: str | None = Field(default=None, max_length=100)


class Tags(Versioned):
    add: list[str] = Field(default_factory=list)
    remove: list[str] = Field(default_factory=list)


class NoteIn(BaseModel):
    text: str = Field(min_length=1, max_length=10_000, description="private; personal data is masked")


class CrmLinkIn(Versioned):
    crm_customer_id: str = Field(min_length=1, max_length=200, description="the customer's id in the bank's CRM")


class Close(Versioned):
    reason: CloseReason = CloseReason.RESOLVED


class Reopen(Versioned):
    reason: str = Field(default="reopened", max_length=500)


class Escalate(Versioned):
    context: str = Field(min_length=1, max_length=10_000, description="why: the back office reads it first")


class HandBack(Versioned):
    elements: str = Field(min_length=1, max_length=10_000, description="the elements of the answer")


class Contact(Versioned):
    how: str = Field(min_length=1, max_length=2_000, description="how the customer was reached (phone, branch...)")


# -- reading ---------------------------------------------------------------------------------------
@router.get("", response_model=list[Case], summary="List cases of your entities")
def list_cases(actor: Reader, inbox: InboxDep,
               queue: str | None = None, state: list[CaseState] | None = Query(default=None),
               entity: str | None = Query(default=None, description="this entity and the ones below it"),
               assignee: str | None = None, limit: int = Query(default=200, ge=1, le=5_000)) -> list[Case]:
    """Cases you may see, by id, filtered by queue, states, entity and assignee."""
    found = inbox.list(actor, queue=queue, states=[s.value for s in state] if state else None, entity=entity)
    if assignee is not None:
        found = [c for c in found if c.assignee == assignee]
    return found[:limit]


@router.get("/{case_id}", response_model=CaseDetail, summary="Show a case", responses=CASE_NOT_FOUND)
def show_case(case_id: int, actor: Reader, inbox: InboxDep) -> CaseDetail:
    """The case with its history, private notes and posts."""
    with hidden("case", case_id):
        case, events, notes = inbox.history(actor, case_id)
    with inbox.store.engine.connect() as conn:
        posts = posts_by_id(conn, case.post_ids)
    return CaseDetail(case=case, events=events, notes=notes, posts=[
        PostOut(id=p.id, platform=p.platform, external_id=p.external_id, url=p.url, created_at=p.created_at,
                author_handle=p.author_handle, text=p.text, language=p.language, intent=p.intent,
                sentiment=p.sentiment) for p in posts])


# -- working ---------------------------------------------------------------------------------------
@router.post("/{case_id}/assign", response_model=Case, summary="Assign (or give back to the queue)",
             responses=CASE_ACTION)
def assign(case_id: int, body: Assign, actor: Worker, inbox: InboxDep, request: Request) -> Case:
    case = workable_case(request, inbox, actor, case_id, Action.WORK)
    return inbox.assign(actor, case_id, body.assignee, team=body.team, expected_version=version_of(body, case))


@router.post("/{case_id}/state", response_model=Case, summary="Change the state", responses=CASE_ACTION)
def set_state(case_id: int, body: SetState, actor: Worker, inbox: InboxDep, request: Request) -> Case:
    if body.state == CaseState.ESCALATED:
        raise InboxError("escalate with POST /inbox/cases/{id}/escalate (it needs the context for the back office)")
    case = workable_case(request, inbox, actor, case_id, Action.WORK)
    return inbox.set_state(actor, case_id, body.state, body.reason, expected_version=version_of(body, case))


@router.post("/{case_id}/priority", response_model=Case, summary="Set the priority", responses=CASE_ACTION)
def set_priority(case_id: int, body: SetPriority, actor: Worker, inbox: InboxDep, request: Request) -> Case:
    case = workable_case(request, inbox, actor, case_id, Action.WORK)
    return inbox.set_priority(actor, case_id, body.priority.value, expected_version=version_of(body, case))


@router.post("/{case_id}/queue", response_model=Case, summary="Move to another queue (unassigned there)",
             responses=CASE_ACTION)
def set_queue(case_id: int, body: SetQueue, actor: Worker, inbox: InboxDep, request: Request) -> Case:
    case = workable_case(request, inbox, actor, case_id, Action.WORK)
    return inbox.move_to_queue(actor, case_id, body.queue, body.team, expected_version=version_of(body, case))


@router.post("/{case_id}/tags", response_model=Case, summary="Add and remove tags", responses=CASE_ACTION)
def set_tags(case_id: int, body: Tags, actor: Worker, inbox: InboxDep, request: Request) -> Case:
    case = workable_case(request, inbox, actor, case_id, Action.WORK)
    return inbox.tag(actor, case_id, tuple(body.add), tuple(body.remove), expected_version=version_of(body, case))


@router.post("/{case_id}/notes", response_model=CaseNote, status_code=201, summary="Add a private note",
             responses=CASE_ACTION)
def add_note(case_id: int, body: NoteIn, actor: Worker, inbox: InboxDep, request: Request) -> CaseNote:
    workable_case(request, inbox, actor, case_id, Action.WORK)
    with hidden("case", case_id):
        return inbox.note(actor, case_id, body.text)


@router.post("/{case_id}/crm", response_model=Case, summary="Link the case to a CRM customer id",
             responses=CASE_ACTION)
def link_crm(case_id: int, body: CrmLinkIn, actor: Worker, inbox: InboxDep, request: Request) -> Case:
    case = workable_case(request, inbox, actor, case_id, Action.WORK)
    return inbox.link_customer(actor, case_id, body.crm_customer_id, expected_version=version_of(body, case))


@router.post("/{case_id}/close", response_model=Case, summary="Close with a reason", responses=CASE_ACTION)
def close(case_id: int, actor: Worker, inbox: InboxDep, request: Request, body: Close | None = None) -> Case:
    case = workable_case(request, inbox, actor, case_id, Action.WORK)
    reason = body.reason if body is not None else CloseReason.RESOLVED
    return inbox.close(actor, case_id, reason.value, expected_version=version_of(body, case))


@router.post("/{case_id}/reopen", response_model=Case, summary="Reopen a closed case", responses=CASE_ACTION)
def reopen(case_id: int, actor: Worker, inbox: InboxDep, request: Request, body: Reopen | None = None) -> Case:
    """Back to its assignee (assigned) or to the queue (new)."""
    case = workable_case(request, inbox, actor, case_id, Action.WORK)
    if case.state != CaseState.CLOSED:
        raise InboxError(f"case {case_id} is {case.state.value}, not closed: nothing to reopen")
    target = CaseState.ASSIGNED if case.assignee else CaseState.NEW
    reason = body.reason if body is not None else "reopened"
    return inbox.set_state(actor, case_id, target, reason, expected_version=version_of(body, case))


# -- escalation ------------------------------------------------------------------------------------
@router.post("/{case_id}/escalate", response_model=Case, summary="Escalate to the back office",
             responses=CASE_ACTION)
def escalate(case_id: int, body: Escalate, actor: Escalator, inbox: InboxDep,
             request: Request) -> Case:
    case = workable_case(request, inbox, actor, case_id, Action.ESCALATE)
    return inbox.escalate(actor, case_id, body.context, expected_version=version_of(body, case))


@router.post("/{case_id}/hand-back", response_model=Case, summary="Hand back the elements of an answer",
             responses=CASE_ACTION)
def hand_back(case_id: int, body: HandBack, actor: BackOffice, inbox: InboxDep,
              request: Request) -> Case:
    case = workable_case(request, inbox, actor, case_id, Action.HAND_BACK)
    return inbox.hand_back(actor, case_id, body.elements, expected_version=version_of(body, case))


@router.post("/{case_id}/contact", response_model=Case, summary="Report the customer reached off social media",
             responses=CASE_ACTION)
def record_contact(case_id: int, body: Contact, actor: BackOffice, inbox: InboxDep,
                   request: Request) -> Case:
    case = workable_case(request, inbox, actor, case_id, Action.HAND_BACK)
    return inbox.record_contact(actor, case_id, body.how, expected_version=version_of(body, case))



@router.get("/{case_id}/private-channel", response_model=PrivateDecision,
            summary="May the case move to a private message on its platform", responses=CASE_NOT_FOUND)
def private_channel(case_id: int, actor: Reader, inbox: InboxDep) -> PrivateDecision:
    """The platform's rule (one private reply per public comment within 7 days on Facebook, X direct messages
    only when the user accepts them...): yes with the channel, or 409 with the reason and the secure-channel way."""
    with hidden("case", case_id):
        return inbox.go_private(actor, case_id)
