"""What the inbox routes share: the room's services per app, the role and queue check, hiding other entities.

A case (or reply) of an entity the caller does not see answers exactly like a case that does not
exist (404, "no case N"), so that its existence is not revealed. The queue check reads the case
first and then acts on the version it read (unless the caller sent the version it saw): if the
case moved meanwhile, to another queue for instance, the action is a 409 conflict rather than an
action on a case the role no longer works.

Imports ``access``, ``inbox``, ``storage``, ``web.deps`` and FastAPI.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import Depends, Request
from pydantic import BaseModel, Field

from veilleur.access import permissions
from veilleur.access.permissions import Action
from veilleur.core.actor import Actor
from veilleur.core.case import Case
from veilleur.inbox.cases import Inbox, NotVisible
from veilleur.inbox.escalation import Escalations
from veilleur.inbox.replies import Replies
from veilleur.storage import inbox_store
from veilleur.storage.inbox_store import CaseNotFound
from veilleur.web.deps import app_service, require_roles


def inbox_of(request: Request) -> Escalations:
    """The app's inbox service (``Escalations`` is an ``Inbox`` with the back office's verbs)."""
    state = request.app.state
    return app_service(request, "inbox", lambda: Escalations(state.store, state.settings, clock=state.clock))


def replies_of(request: Request) -> Replies:
    """The app's replies service; replies leave through the app's ``Replier`` (``create_app(replier=...)``)."""
    state = request.app.state
    return app_service(request, "replies", lambda: Replies(state.store, state.settings, clock=state.clock))


InboxDep = Annotated[Escalations, Depends(inbox_of)]
RepliesDep = Annotated[Replies, Depends(replies_of)]


def allowed(action: Action):
    """A parameter type: the current actor, if their role may do ``action`` somewhere (else 403)."""
    return Annotated[Actor, Depends(require_roles(*permissions.roles_for(action)))]


@contextmanager
def hidden(what: str, record_id: int) -> Iterator[None]:
    """Turn "not visible" into the very answer of a record that does not exist."""
    try:
        yield
    except NotVisible:
        raise CaseNotFound(f"no {what} {record_id}") from None


def workable_case(request: Request, inbox: Escalations, actor: Actor, case_id: int, action: Action) -> Case:
    """The case, if ``actor`` sees it (else 404) and works its queue for ``action`` (else 403)."""
    with hidden("case", case_id):
        case = inbox.get(actor, case_id)
    settings = request.app.state.settings
    permissions.check(actor, action, case.queue, settings=settings.access,
                      backoffice_queue=settings.inbox.backoffice_queue)
    return case


def reply_and_case(request: Request, inbox: Inbox, actor: Actor, reply_id: int,
                   action: Action) -> tuple[dict[str, Any], Case]:
    """A reply and its case, if ``actor`` sees the case (else 404 "no reply N") and works its queue."""
    with inbox.store.engine.connect() as conn:
        reply = inbox_store.get_reply(conn, reply_id)
    with hidden("reply", reply_id):
        case = inbox.get(actor, reply["case_id"])
    settings = request.app.state.settings
    permissions.check(actor, action, case.queue, settings=settings.access,
                      backoffice_queue=settings.inbox.backoffice_queue)
    return reply, case


class Versioned(BaseModel):
    """The version of the case the caller saw; an action on a changed case is a 409 (re-read, retry)."""

    expected_version: int | None = Field(default=None, ge=1, description="the case's version as you read it; "
                                         "default: the version the server reads just before acting")


def version_of(body: Versioned | None, case: Case) -> int:
    return body.expected_version if body is not None and body.expected_version is not None else case.version
