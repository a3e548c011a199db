"""Replies on cases: draft (checked by the reply policy), approve or reject (four eyes), send.

Roles as in ``web.routes.inbox``'s table: ``draft`` and ``send`` on the queues a role works;
``approve`` for compliance anywhere in its entities and for communication on its own queues;
nobody approves their own reply (the room refuses it). A reply of a case of another entity
answers 404 ("no reply N").

Imports ``access``, ``inbox``, ``storage`` (the inbox store, to list a case's replies), ``web`` and FastAPI.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from veilleur.access.permissions import Action
from veilleur.core.case import Case
from veilleur.storage import inbox_store
from veilleur.web.inbox_support import (
    InboxDep,
    RepliesDep,
    Versioned,
    allowed,
    hidden,
    reply_and_case,
    version_of,
    workable_case,
)
from veilleur.web.routes.inbox import CASE_ACTION, CASE_NOT_FOUND, Reader

router = APIRouter(prefix="/inbox", tags=["inbox"])
Drafter = allowed(Action.DRAFT)
Approver = allowed(Action.APPROVE)
Sender = allowed(Action.SEND)
REPLY_ACTION = {**CASE_ACTION, 404: {"description": "no such reply, or one of an entity you do not see"}}


class ReplyOut(BaseModel):
    """A reply and where it stands: blocked, pending_approval, ready, approved, rejected, sent."""

    id: int
    case_id: int
    version: int
    state: str
    channel: str
    text: str
    author: str
    created_at: datetime
    findings: list[dict[str, Any]] = Field(default_factory=list, description="the reply policy's findings")
    approval_reasons: list[str] = Field(default_factory=list, description="why a second person must approve")
    approver: str | None = None
    approval_comment: str | None = None
    decided_at: datetime | None = None
    sent_at: datetime | None = None
    platform_id: str | None = None
    in_reply_to: int | None = None

    @classmethod
    def of(cls, reply: dict[str, Any]) -> ReplyOut:
        return cls(**{name: reply.get(name) for name in cls.model_fields if reply.get(name) is not None})


class DraftIn(BaseModel):
    text: str = Field(min_length=1, max_length=10_000)
    channel: Literal["public", "private"] = "public"


class Decision(BaseModel):
    comment: str = Field(min_length=1, max_length=2_000, description="the approver's comment, kept with the reply")


@router.get("/cases/{case_id}/replies", response_model=list[ReplyOut], summary="A case's replies",
            responses=CASE_NOT_FOUND)
def list_replies(case_id: int, actor: Reader, inbox: InboxDep) -> list[ReplyOut]:
    with hidden("case", case_id):
        inbox.get(actor, case_id)
    with inbox.store.engine.connect() as conn:
        return [ReplyOut.of(r) for r in inbox_store.replies(conn, case_id)]


@router.post("/cases/{case_id}/replies", response_model=ReplyOut, status_code=201, summary="Draft a reply",
             responses=CASE_ACTION)
def draft(case_id: int, body: DraftIn, actor: Drafter, replies: RepliesDep, request: Request) -> ReplyOut:
    """Checked at once by the reply policy: ``blocked``, ``pending_approval`` (four eyes) or ``ready``."""
    workable_case(request, replies, actor, case_id, Action.DRAFT)
    with hidden("case", case_id):
        return ReplyOut.of(replies.draft(actor, case_id, body.text, body.channel))


@router.post("/replies/{reply_id}/approve", response_model=ReplyOut, summary="Approve a reply (four eyes)",
             responses=REPLY_ACTION)
def approve(reply_id: int, body: Decision, actor: Approver, replies: RepliesDep, request: Request) -> ReplyOut:
    """By a second person, never the reply's author, with a comment."""
    reply_and_case(request, replies, actor, reply_id, Action.APPROVE)
    with hidden("reply", reply_id):
        return ReplyOut.of(replies.decide(actor, reply_id, True, body.comment))


@router.post("/replies/{reply_id}/reject", response_model=ReplyOut, summary="Reject a reply (four eyes)",
             responses=REPLY_ACTION)
def reject(reply_id: int, body: Decision, actor: Approver, replies: RepliesDep, request: Request) -> ReplyOut:
    reply_and_case(request, replies, actor, reply_id, Action.APPROVE)
    with hidden("reply", reply_id):
        return ReplyOut.of(replies.decide(actor, reply_id, False, body.comment))


@router.post("/replies/{reply_id}/send", response_model=Case, summary="Send a ready or approved reply",
             responses=REPLY_ACTION)
def send(reply_id: int, actor: Sender, replies: RepliesDep, request: Request, body: Versioned | None = None) -> Case:
    """Checked again by the reply policy, sent through the platform's replier; the case is answered."""
    _, case = reply_and_case(request, replies, actor, reply_id, Action.SEND)
    with hidden("reply", reply_id):
        return replies.send(actor, reply_id, request.app.state.replier, expected_version=version_of(body, case))
