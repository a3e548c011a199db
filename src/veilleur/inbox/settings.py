"""Settings of the inbox: cases, routing rules, teams and agents, replies.

Pydantic only; imported by ``veilleur.settings``.
"""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class InboxSettings(BaseModel):
    """Settings of the inbox: cases, routing rules, teams and agents, replies."""

    model_config = ConfigDict(extra="forbid")
