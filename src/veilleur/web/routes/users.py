"""``/users``: admins manage the users of their entities (the API twin of ``veilleur users``).

Only ``admin`` reaches these routes; a regional admin manages the users of their entity and the
ones below it, and a user outside them answers 404. Tokens are shown once, in the answer that
issues them. Imports ``access``, ``core``, ``web.deps``, pydantic and FastAPI.
"""
from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from veilleur.access.users import User
from veilleur.core.actor import Role
from veilleur.web.deps import UsersDep, role_dependency

router = APIRouter(prefix="/users", tags=["users"])
Admin = role_dependency(Role.ADMIN)


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)  # read from ``access.users.User``

    login: str
    display_name: str
    role: Role
    entity: str | None
    disabled: bool
    has_password: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls.model_validate(user)


class NewUser(BaseModel):
    login: str = Field(min_length=1, max_length=100)
    role: Role
    entity: str | None = Field(default=None, description="entity id; null = the whole group")
    display_name: str | None = Field(default=None, max_length=200)
    password: SecretStr | None = Field(default=None, description="12 to 1024 characters; null = tokens only")


class NewToken(BaseModel):
    name: str = Field(default="api", min_length=1, max_length=200)
    days: int | None = Field(default=None, ge=1, le=3650, description="default: access.token_days")


class IssuedTokenOut(BaseModel):
    id: int
    login: str
    name: str
    token: str = Field(description="the secret, shown this once")
    expires_at: datetime


@router.get("", response_model=list[UserOut], summary="List users")
def list_users(actor: Admin, users: UsersDep) -> list[UserOut]:
    return [UserOut.of(u) for u in users.list_users(actor)]


@router.post("", response_model=UserOut, status_code=status.HTTP_201_CREATED, summary="Add a user",
             responses={409: {"description": "the login is taken"}, 422: {"description": "bad login, role, entity "
                                                                                       "or password"}})
def add_user(body: NewUser, actor: Admin, users: UsersDep) -> UserOut:
    password = body.password.get_secret_value() if body.password is not None else None
    return UserOut.of(users.add(body.login, body.role, actor, entity=body.entity, display_name=body.display_name,
                                password=password))


@router.post("/{login}/disable", response_model=UserOut, summary="Disable a user (tokens stop at once)")
def disable_user(login: str, actor: Admin, users: UsersDep) -> UserOut:
    return UserOut.of(users.disable(login, actor))


@router.post("/{login}/enable", response_model=UserOut, summary="Enable a user again")
def enable_user(login: str, actor: Admin, users: UsersDep) -> UserOut:
    return UserOut.of(users.enable(login, actor))


@router.post("/{login}/tokens", response_model=IssuedTokenOut, status_code=status.HTTP_201_CREATED,
             summary="Issue an API token (shown once)")
def issue_token(login: str, body: NewToken, actor: Admin, users: UsersDep) -> IssuedTokenOut:
    issued = users.issue_token(login, actor, name=body.name, days=body.days)
    return IssuedTokenOut(id=issued.id, login=issued.login, name=issued.name, token=issued.token,
                          expires_at=issued.expires_at)


@router.delete("/{login}/tokens", summary="Revoke a user's tokens (one with ?token_id=)")
def revoke_tokens(login: str, actor: Admin, users: UsersDep, token_id: int | None = None) -> dict[str, int]:
    return {"revoked": users.revoke(login, actor, token_id=token_id)}
