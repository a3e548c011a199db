"""Logging in to the API: ``POST /auth/token`` (login and password for a bearer token), ``GET /auth/me``.

Every other route takes the token as ``Authorization: Bearer <token>`` (``web.deps.current_actor``).
A wrong login and a wrong password get the same answer after the same work (``access.users``
verifies a dummy argon2 hash for unknown logins), so the API does not tell which logins exist.
The body is JSON rather than an OAuth2 form so that no form-parsing package is needed; the
answer has OAuth2's ``access_token`` and ``token_type`` fields all the same.

Imports ``access``, ``web.deps``, pydantic and FastAPI.
"""
from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, Field, SecretStr

from veilleur.access.errors import AuthenticationFailed
from veilleur.web.deps import CurrentActor, UsersDep, bearer, unauthorized

router = APIRouter(prefix="/auth", tags=["auth"])


class TokenRequest(BaseModel):
    """A login and its password; ``name`` labels the token in `veilleur users tokens`."""

    login: str = Field(min_length=1, max_length=100)
    password: SecretStr = Field(min_length=1, max_length=1024)
    name: str = Field(default="login", min_length=1, max_length=200)


class TokenResponse(BaseModel):
    access_token: str = Field(description="send it as `Authorization: Bearer <access_token>`; shown once")
    token_type: str = "bearer"
    expires_at: datetime


class Me(BaseModel):
    """Who the token stands for."""

    login: str
    role: str
    entity: str | None = Field(description="the user's entity; null = the whole group")
    scope: list[str] | None = Field(description="the entities the user sees; null = all")


@router.post("/token", response_model=TokenResponse, summary="Exchange login and password for a token",
             responses={401: {"description": "wrong login or password (the same answer for both)"}})
def issue_token(body: TokenRequest, users: UsersDep) -> TokenResponse:
    """A bearer token valid `access.login_token_days`, for a user with a password who is not disabled."""
    try:
        issued = users.login(body.login, body.password.get_secret_value(), name=body.name)
    except AuthenticationFailed as exc:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail=str(exc),
                            headers={"WWW-Authenticate": "Bearer"}) from exc
    return TokenResponse(access_token=issued.token, expires_at=issued.expires_at)


@router.delete("/token", status_code=status.HTTP_204_NO_CONTENT, summary="Log out: revoke the token in use")
def revoke_token(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
                 users: UsersDep) -> None:
    """The token sent in ``Authorization`` stops working at once; other tokens of the user are kept."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise unauthorized("an API token is required (Authorization: Bearer <token>)")
    try:
        users.log_out(credentials.credentials)
    except AuthenticationFailed as exc:
        raise unauthorized(str(exc)) from exc


@router.get("/me", response_model=Me, summary="Who am I")
def me(actor: CurrentActor) -> Me:
    """The login, role, entity and visible entities of the token's user."""
    return Me(login=actor.name, role=actor.role.value, entity=actor.entity,
              scope=sorted(actor.scope) if actor.scope is not None else None)
