"""Settings of access: API token lifetime, the API's address.

Pydantic only; imported by ``veilleur.settings``.
"""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class AccessSettings(BaseModel):
    """Settings of access: API token lifetime, the API's address."""

    model_config = ConfigDict(extra="forbid")
