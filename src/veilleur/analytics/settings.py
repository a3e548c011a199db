"""Settings of the watch: series, reputation, detectors, alerts.

Pydantic only; imported by ``veilleur.settings``.
"""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class WatchSettings(BaseModel):
    """Settings of the watch: series, reputation, detectors, alerts."""

    model_config = ConfigDict(extra="forbid")
