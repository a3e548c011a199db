"""``/knowledge``: approved answers suggested for a case or a text, rendered with their facts, and the facts.

Roles as in ``web.routes.inbox``'s table: every role reads (``knowledge``: suggestions, rendering,
answers, facts); experts and admins update a fact (``facts``), journaled with its old value by
the room. Suggestions for a case need the case to be visible (404 otherwise). A fact past its
validity blocks the answers quoting it: suggestions say why, rendering is a 409 until someone
updates the fact.

Imports ``access``, ``inbox``, ``storage`` (the feed, for a case's text), ``web`` and FastAPI.
"""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Query, Request, status
from pydantic import BaseModel, Field

from veilleur.access.permissions import Action
from veilleur.inbox.knowledge import KnowledgeBase, Suggestion
from veilleur.storage.feed import posts_by_id
from veilleur.storage.knowledge_store import Fact
from veilleur.web.deps import NowDep, app_service
from veilleur.web.inbox_support import InboxDep, allowed, hidden

router = APIRouter(prefix="/knowledge", tags=["knowledge"])
Reader = allowed(Action.KNOWLEDGE)
FactEditor = allowed(Action.FACTS)
PARIS = ZoneInfo("Europe/Paris")  # facts' validity dates are French calendar days


def knowledge_of(request: Request) -> KnowledgeBase:
    settings = request.app.state.settings
    return app_service(request, "knowledge", lambda: KnowledgeBase(request.app.state.store, settings.knowledge))


def today(now: datetime) -> date:
    return now.astimezone(PARIS).date()


class AnswerOut(BaseModel):
    id: str
    language: str
    title: str
    questions: list[str]
    body: str
    topics: list[str]
    blocked: str | None = Field(description="why it cannot be sent today (a stale or missing fact), if so")


class CaseSuggestions(BaseModel):
    case_id: int
    language: str
    suggestions: list[Suggestion]


class RenderIn(BaseModel):
    variables: dict[str, str] = Field(default_factory=dict, description="e.g. {\"prenom\": \"Camille\"}")


class Rendered(BaseModel):
    answer_id: str
    text: str


class FactIn(BaseModel):
    value: str = Field(min_length=1, max_length=500)
    source: str = Field(min_length=1, max_length=1_000, description="where the value comes from")
    unit: str | None = Field(default=None, max_length=50)
    effective_from: date | None = Field(default=None, description="default: today")
    valid_until: date | None = Field(default=None, description="after this day, answers quoting it are blocked")
    example: bool | None = Field(default=None, description="an example value (demo data), not a real one")


@router.get("/suggestions", response_model=list[Suggestion], summary="Answers for a text")
def suggest_for_text(actor: Reader, request: Request, now: NowDep, text: str = Query(min_length=1, max_length=5_000),
                     language: str = "fr", k: int = Query(default=3, ge=1, le=20)) -> list[Suggestion]:
    return knowledge_of(request).suggest(text, language, k=k, today=today(now))


@router.get("/cases/{case_id}/suggestions", response_model=CaseSuggestions, summary="Answers for a case",
            responses={404: {"description": "no such case, or one of an entity you do not see"}})
def suggest_for_case(case_id: int, actor: Reader, inbox: InboxDep, request: Request, now: NowDep,
                     k: int = Query(default=3, ge=1, le=20)) -> CaseSuggestions:
    """The best approved answers for the customer's latest message in the case, in its language."""
    with hidden("case", case_id):
        case = inbox.get(actor, case_id)
    with inbox.store.engine.connect() as conn:
        posts = posts_by_id(conn, case.post_ids)
    customer = [p for p in posts if p.author_handle == case.author_handle] or posts
    latest = max(customer, key=lambda p: (p.created_at, p.id), default=None)
    text = latest.text if latest is not None else ""
    language = (latest.language if latest is not None else None) or "fr"
    found = knowledge_of(request).suggest(text, language, k=k, today=today(now)) if text.strip() else []
    return CaseSuggestions(case_id=case_id, language=language, suggestions=found)


@router.get("/answers", response_model=list[AnswerOut], summary="The approved answers")
def list_answers(actor: Reader, request: Request, now: NowDep, language: str | None = None) -> list[AnswerOut]:
    base = knowledge_of(request)
    day = today(now)
    return [AnswerOut(id=a.id, language=a.language, title=a.title, questions=a.questions, body=a.body,
                      topics=a.topics, blocked=base.blocked_reason(a, day))
            for a in base.answers() if language is None or a.language == language]


@router.post("/answers/{answer_id}/render", response_model=Rendered, summary="Render an answer",
             responses={404: {"description": "no such answer"},
                        409: {"description": "a fact it quotes is stale, not yet in force or missing"},
                        422: {"description": "a variable is missing"}})
def render(answer_id: str, body: RenderIn, actor: Reader, request: Request, now: NowDep) -> Rendered:
    base = knowledge_of(request)
    if answer_id not in {a.id for a in base.answers()}:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no answer {answer_id!r} in the knowledge base")
    return Rendered(answer_id=answer_id, text=base.render(answer_id, body.variables, today=today(now)))


@router.get("/facts", response_model=list[Fact], summary="The facts answers quote")
def list_facts(actor: Reader, request: Request) -> list[Fact]:
    return knowledge_of(request).facts()


@router.put("/facts/{key}", response_model=Fact, summary="Update (or add) a fact")
def set_fact(key: str, body: FactIn, actor: FactEditor, request: Request, now: NowDep) -> Fact:
    """Journaled with the old value; answers quoting it are unblocked once it is valid today."""
    return knowledge_of(request).set_fact(key, body.value, source=body.source, actor=actor.name, now=now,
                                          valid_until=body.valid_until, effective_from=body.effective_from,
                                          unit=body.unit, example=body.example)
