"""Settings of alert delivery: SMTP, webhooks, chat payloads, retries.

Pydantic only; imported by ``veilleur.settings``.
"""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class NotifySettings(BaseModel):
    """Settings of alert delivery: SMTP, webhooks, chat payloads, retries."""

    model_config = ConfigDict(extra="forbid")
