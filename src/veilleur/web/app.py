"""The REST API: ``create_app(settings) -> FastAPI``, its routers, and the rooms' errors as HTTP answers.

Every route but the documentation (``/docs``, ``/openapi.json``) needs a bearer token
(``web.deps``). Errors answer as JSON ``{"error": <kind>, "message": <sentence>}``:

    401 unauthenticated   no token, or an unknown, expired or revoked one; wrong login or password
    403 forbidden         the role may not do this
    404 not_found         no such record, or one of an entity the caller does not see
    409 conflict          someone changed the record first (re-read and retry), a taken login,
                          a move the record's state does not allow
    422 validation        a bad value in the request (the values are not echoed back: they may
                          be passwords or customers' words)
    503 unavailable       the database cannot be reached or is not at the latest schema

A room's error class is mapped by the table below or, for classes it does not list, by its name
(``...NotFound`` → 404, ``...Conflict`` → 409, ``...Forbidden``/``...Refused``/``...Denied`` → 403);
any other ``VeilleurError`` is a 422 with its message.

Imports ``settings``, ``access``, ``storage``, ``web`` and FastAPI; the rooms' errors lazily.
"""
from __future__ import annotations

import importlib
import importlib.util
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from veilleur.access.users import Users
from veilleur.errors import StoreError, VeilleurError
from veilleur.settings import Settings, get_settings
from veilleur.storage.sql import SqlStore

TAGS = [
    {"name": "auth", "description": "Log in with a password for a token; who the token stands for."},
    {"name": "inbox", "description": "The social customer-care inbox: cases, their history, notes, replies, "
                                     "escalation and hand-back, SLA status, complaint register, figures. "
                                     "A case of an entity you do not see answers 404."},
    {"name": "knowledge", "description": "Approved answers and their facts: suggestions for a case, rendering, "
                                         "facts with their effective date and source."},
    {"name": "watch", "description": "Share of voice, reputation, rumours and alerts."},
    {"name": "users", "description": "Users, roles and API tokens (admin)."},
    {"name": "health", "description": "Is the API up."},
]
DESCRIPTION = """veilleur's REST API. Every route needs `Authorization: Bearer <token>`: a token from
`veilleur users token LOGIN`, or from `POST /auth/token` with a login and password. Users see the
records of their entity and of the entities below it. Errors answer
`{"error": kind, "message": sentence}` with 401, 403, 404, 409, 422 or 503."""

ROUTERS = ("veilleur.web.security", "veilleur.web.routes.health", "veilleur.web.routes.users",
           "veilleur.web.routes.inbox", "veilleur.web.routes.inbox_replies", "veilleur.web.routes.inbox_reports",
           "veilleur.web.routes.knowledge", "veilleur.web.routes.watch", "veilleur.web.routes.settings")
"""Modules whose ``router`` the app includes, when the module exists (rooms arrive one by one)."""

KINDS = {401: "unauthenticated", 403: "forbidden", 404: "not_found", 409: "conflict", 422: "validation",
         503: "unavailable"}
NAME_SUFFIXES = (("NotFound", 404), ("Conflict", 409), ("Forbidden", 403), ("Refused", 403), ("Denied", 403))


def create_app(settings: Settings, *, store: SqlStore | None = None, users: Users | None = None,
               clock: Callable[[], datetime] | None = None, replier: Any = None) -> FastAPI:
    """The API over ``store`` (default: a store on ``settings``' database, closed with the app).

    Args:
        settings: the settings (organisation tree, rooms' sections, access).
        store: a store to share (tests, the load benchmark); its owner closes it.
        users: the users service (tests inject one with a fixed clock or a cheaper hasher).
        clock: the current time for the rooms' services (tests inject a fixed one).
        replier: sends replies on the platforms (``inbox.replies.Replier``); default: a recording
            replier that keeps them in memory, as platform connectors are not written yet.
    """
    owned = store is None
    store = store or SqlStore(settings.effective_database_url, compliance=settings.compliance_storage)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        if owned:
            store.close()

    app = FastAPI(title="veilleur", version=_version(), description=DESCRIPTION, openapi_tags=TAGS,
                  lifespan=lifespan)
    app.state.settings = settings
    app.state.store = store
    app.state.users = users or Users(store, settings.organisation, settings.access, clock=clock)
    app.state.clock = clock
    app.state.services = {}
    app.state.replier = replier if replier is not None else _recording_replier()
    _add_error_handlers(app)
    for module_name in ROUTERS:
        if importlib.util.find_spec(module_name) is not None:
            app.include_router(importlib.import_module(module_name).router)
    return app


def _recording_replier() -> Any:
    if importlib.util.find_spec("veilleur.inbox.replies") is None:
        return None
    return importlib.import_module("veilleur.inbox.replies").RecordingReplier()


def app_from_environment() -> FastAPI:
    """The app of ``$VEILLEUR_CONFIG`` / ``veilleur.toml``: uvicorn's factory for several workers."""
    return create_app(get_settings())


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("veilleur")
    except PackageNotFoundError:
        return "dev"


# -- errors ------------------------------------------------------------------------------------
ROOM_ERRORS = (
    ("veilleur.access.errors", "AuthenticationFailed", 401), ("veilleur.access.errors", "Forbidden", 403),
    ("veilleur.access.errors", "UserNotFound", 404), ("veilleur.access.errors", "LoginTaken", 409),
    ("veilleur.access.errors", "InvalidUserInput", 422),
    ("veilleur.storage.masking", "UnmaskRefused", 403), ("veilleur.storage.masking", "OriginalUnavailable", 404),
    ("veilleur.core.case", "InvalidTransition", 409),
    ("veilleur.inbox.cases", "NotVisible", 404), ("veilleur.inbox.escalation", "PrivateRefused", 409),
    ("veilleur.inbox.knowledge", "AnswerBlocked", 409), ("veilleur.inbox.knowledge", "MissingVariable", 422),
)
"""(module, class, status) of the rooms' errors; modules not yet written are skipped."""


def error_statuses() -> dict[type[BaseException], int]:
    """The HTTP status of each room error the API knows by class."""
    table: dict[type[BaseException], int] = {StoreError: 503}
    for module_name, class_name, code in ROOM_ERRORS:
        if importlib.util.find_spec(module_name) is None:
            continue
        module = importlib.import_module(module_name)
        if hasattr(module, class_name):
            table[getattr(module, class_name)] = code
    return table


def status_of(exc: BaseException, table: dict[type[BaseException], int]) -> int:
    """The status of an error: the nearest class in ``table``, else by its class name, else 422."""
    for cls in type(exc).__mro__:
        if cls in table:
            return table[cls]
        for suffix, code in NAME_SUFFIXES:
            if cls.__name__.endswith(suffix):
                return code
    return 422


def error_body(code: int, message: Any) -> dict[str, Any]:
    return {"error": KINDS.get(code, HTTPStatus(code).phrase.lower().replace(" ", "_")), "message": message}


def _add_error_handlers(app: FastAPI) -> None:
    table = error_statuses()

    async def room_error(_: Request, exc: Exception) -> JSONResponse:
        code = status_of(exc, table)
        headers = {"WWW-Authenticate": "Bearer"} if code == 401 else None
        return JSONResponse(error_body(code, str(exc)), status_code=code, headers=headers)

    async def http_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        return JSONResponse(error_body(exc.status_code, exc.detail), status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

    async def validation_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        problems = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
                    for e in exc.errors()]
        message = "; ".join(f"{'.'.join(str(p) for p in p_['loc'])}: {p_['msg']}" for p_ in problems)
        return JSONResponse({**error_body(422, message), "problems": problems}, status_code=422)

    app.add_exception_handler(VeilleurError, room_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
