"""Settings of the knowledge base: where approved answers and facts come from, retrieval.

Pydantic only; imported by ``veilleur.settings``.
"""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class KnowledgeSettings(BaseModel):
    """Settings of the knowledge base: where approved answers and facts come from, retrieval."""

    model_config = ConfigDict(extra="forbid")
