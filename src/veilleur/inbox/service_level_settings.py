"""Settings of service levels: business-hours calendars per entity, SLA targets, complaint clocks.

Pydantic only; imported by ``veilleur.settings``.
"""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ServiceLevelSettings(BaseModel):
    """Settings of service levels: business-hours calendars per entity, SLA targets, complaint clocks."""

    model_config = ConfigDict(extra="forbid")
