"""The reply policy's settings: a default ``ReplyPolicy`` and per-entity overrides (``[compliance]``).

An entity's policy is resolved field by field: each field comes from the entity's own policy if
it sets it, else from its parent's, and so on up the organisation tree, else from the default.
``review_terms`` (additions to the built-in review lexicon) add up along the way instead: a
regional bank keeps the group's terms and adds its own.

In ``veilleur.toml``::

    [compliance.default]
    secure_channel_link = "https://www.ma-banque.fr/contact"

    [compliance.policies.caisse-nord]
    allowed_private_data = ["surname", "first_name"]
    review_terms = ["remboursement immédiat"]

Imports ``core.organisation``, ``errors``, ``compliance.lexicon`` and pydantic only (``settings``
imports this module, so it must not import ``settings``).
"""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from veilleur.compliance.lexicon import (
    DEFAULT_ALLOWED_PRIVATE,
    DEFAULT_CREDIT_MENTION,
    DEFAULT_SECURE_LINK,
    DEFAULT_SECURE_TEXT,
    NEVER_ASKED,
    term_pattern,
)
from veilleur.core.organisation import Organisation
from veilleur.errors import ConfigError

AskableData = Literal["surname", "first_name", "birth_date", "postal_address", "email", "phone",
                      "customer_number", "account_number", "iban", "nir"]


class ReplyPolicy(BaseModel):
    """What an entity's replies may ask for and must contain."""

    model_config = ConfigDict(extra="forbid")

    allowed_private_data: list[AskableData] = Field(
        default_factory=lambda: list(DEFAULT_ALLOWED_PRIVATE),
        description="personal data a private message may ask for; codes, card numbers and passwords never")
    secure_channel_link: str = Field(default=DEFAULT_SECURE_LINK, min_length=1,
                                     description="where identified matters continue (the hand-off's link)")
    secure_channel_text: str = Field(default=DEFAULT_SECURE_TEXT, min_length=1,
                                     description="the hand-off sentence; {link} stands for secure_channel_link")
    review_terms: list[str] = Field(default_factory=list,
                                    description="wording to review, added to the built-in French lexicon")
    credit_mention: str = Field(default=DEFAULT_CREDIT_MENTION, min_length=10,
                                description="the legal mention every consumer-credit promotion must carry")

    @field_validator("allowed_private_data", mode="before")
    @classmethod
    def _never_secrets(cls, value: Any) -> Any:
        if isinstance(value, list):
            secrets = [v for v in value if v in NEVER_ASKED]
            if secrets:
                raise ValueError(f"{', '.join(secrets)} can never be asked for, even in private "
                                 "(codes, card numbers and passwords are the usual phishing bait)")
        return value

    @field_validator("review_terms")
    @classmethod
    def _terms_have_words(cls, value: list[str]) -> list[str]:
        for term in value:
            term_pattern(term)  # raises ValueError for a term without any word
        return value

    @property
    def handoff(self) -> str:
        """The hand-off sentence with its link, ready to paste."""
        return self.secure_channel_text.replace("{link}", self.secure_channel_link)


class ComplianceSettings(BaseModel):
    """The default reply policy and the entities' own (keys: entity ids of ``[organisation]``)."""

    model_config = ConfigDict(extra="forbid")

    default: ReplyPolicy = Field(default_factory=ReplyPolicy)
    policies: dict[str, ReplyPolicy] = Field(default_factory=dict)

    def policy_for(self, entity: str | None, organisation: Organisation | None = None) -> ReplyPolicy:
        """The policy that applies to ``entity`` (None: the default).

        Raises:
            ConfigError: the entity is neither in the organisation nor in ``policies``.
        """
        if entity is None:
            return self.default
        chain = self._ancestry(entity, organisation)
        values = self.default.model_dump()
        for entity_id in reversed(chain):  # from the root down to the entity
            own = self.policies.get(entity_id)
            if own is None:
                continue
            for name in own.model_fields_set:
                value = getattr(own, name)
                values[name] = [*values[name], *value] if name == "review_terms" else value
        values["review_terms"] = list(dict.fromkeys(values["review_terms"]))
        return ReplyPolicy.model_validate(values)

    def _ancestry(self, entity: str, organisation: Organisation | None) -> list[str]:
        """The entity then its parents up to the root."""
        parents = {e.id: e.parent for e in organisation.entities} if organisation else {}
        if entity not in parents and entity not in self.policies:
            known = sorted({*parents, *self.policies})
            raise ConfigError(f"unknown entity {entity!r} (known: {', '.join(known) or 'none configured'})")
        chain, node = [], entity
        while node is not None and node not in chain:
            chain.append(node)
            node = parents.get(node)
        return chain
