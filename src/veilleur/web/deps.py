"""What every route depends on: the settings, the store and the users of the app, and who is calling.

``current_actor`` turns the bearer token into an ``Actor`` (401 without a valid one);
``require_roles(...)`` adds the role check (403); rooms check entity scope themselves and
answer "not found" for a record of another entity, so that its existence is not revealed.

The store and the ``Users`` live on ``app.state`` (one per app, made by ``web.app.create_app``),
so that tests and the load benchmark run several apps side by side. Handlers are plain ``def``:
FastAPI runs them in its thread pool, which suits the synchronous SQLAlchemy store.

Imports ``core``, ``access``, ``settings``, ``storage`` and FastAPI.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from veilleur.access.errors import AuthenticationFailed
from veilleur.access.users import Users
from veilleur.core.actor import Actor, Role
from veilleur.settings import Settings
from veilleur.storage.sql import SqlStore

bearer = HTTPBearer(auto_error=False, description="an API token: `veilleur users token LOGIN` or POST /auth/token")


def app_settings(request: Request) -> Settings:
    return request.app.state.settings


def app_store(request: Request) -> SqlStore:
    return request.app.state.store


def app_users(request: Request) -> Users:
    return request.app.state.users


def app_now(request: Request) -> datetime:
    """The current time: the app's injected clock (tests) or the system's, in UTC."""
    clock = getattr(request.app.state, "clock", None)
    return clock() if clock is not None else datetime.now(UTC)


_services_lock = threading.Lock()


def app_service(request: Request, name: str, factory: Callable[[], Any]) -> Any:
    """One instance per app of a room's service (the inbox, the knowledge base), made on first use."""
    services = request.app.state.services
    if name not in services:
        with _services_lock:
            if name not in services:
                services[name] = factory()
    return services[name]


def unauthorized(message: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail=message, headers={"WWW-Authenticate": "Bearer"})


def current_actor(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
                  users: Annotated[Users, Depends(app_users)]) -> Actor:
    """The actor of the bearer token; 401 when the token is missing, unknown, expired or revoked."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise unauthorized("an API token is required (Authorization: Bearer <token>)")
    try:
        return users.authenticate_token(credentials.credentials)
    except AuthenticationFailed as exc:
        raise unauthorized(str(exc)) from exc


CurrentActor = Annotated[Actor, Depends(current_actor)]
SettingsDep = Annotated[Settings, Depends(app_settings)]
StoreDep = Annotated[SqlStore, Depends(app_store)]
UsersDep = Annotated[Users, Depends(app_users)]
NowDep = Annotated[datetime, Depends(app_now)]


def require_roles(*roles: Role) -> Callable[[Actor], Actor]:
    """A dependency giving the current actor when their role is one of ``roles`` (admin always is); else 403."""
    allowed = frozenset(roles) | {Role.ADMIN}
    names = ", ".join(sorted(r.value for r in allowed))

    def dependency(actor: CurrentActor) -> Actor:
        if actor.role not in allowed:
            raise HTTPException(status.HTTP_403_FORBIDDEN,
                                detail=f"role {actor.role.value!r} may not do this (allowed: {names})")
        return actor

    dependency.__doc__ = f"The current actor, if their role is one of: {names}."
    return dependency


def role_dependency(*roles: Role):
    """``Annotated[Actor, Depends(require_roles(*roles))]``, for a handler's parameter."""
    return Annotated[Actor, Depends(require_roles(*roles))]
