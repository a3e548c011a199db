"""Settings of access: API token lifetime, the API's address (``[access]`` in ``veilleur.toml``).

Passwords are hashed with argon2id at argon2-cffi's own defaults (RFC 9106's low-memory
profile), which the library keeps current; they are not settings on purpose, so that nobody
weakens them by accident.

Pydantic only; imported by ``veilleur.settings``.
"""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

ROLES = ("community_manager", "expert", "customer_relations", "communication", "compliance", "admin")
DEFAULT_WORK_QUEUES: dict[str, list[str]] = {
    "community_manager": ["community_managers", "moderation"],
    "expert": ["community_managers", "experts"],
    "customer_relations": ["customer_relations"],
    "communication": ["communication"],
    "compliance": [],
}
"""The inbox queues whose cases each role works (assign, move, note, reply...); admin works every queue."""


class AccessSettings(BaseModel):
    """Settings of access: API token lifetime, the API's address."""

    model_config = ConfigDict(extra="forbid")

    token_days: int = Field(default=30, ge=1, le=3650,
                            description="days an API token stays valid unless a shorter life is asked")
    login_token_days: int = Field(default=1, ge=1, le=3650,
                                  description="days a token obtained with login and password (POST /auth/token) "
                                              "stays valid")
    host: str = Field(default="127.0.0.1", min_length=1, description="address `veilleur serve` listens on")
    port: int = Field(default=8000, ge=1, le=65535, description="port `veilleur serve` listens on")
    work_queues: dict[str, list[str]] = Field(
        default_factory=lambda: {k: list(v) for k, v in DEFAULT_WORK_QUEUES.items()},
        description="role → the inbox queues whose cases it works (compliance reads only; admin works all); "
                    "a role not listed keeps its default")

    @field_validator("work_queues")
    @classmethod
    def _known_roles(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        unknown = sorted(set(value) - set(ROLES))
        if unknown:
            raise ValueError(f"unknown role(s) {', '.join(unknown)}; roles: {', '.join(ROLES)}")
        return {**{k: list(v) for k, v in DEFAULT_WORK_QUEUES.items()}, **value}
