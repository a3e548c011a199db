"""The storage side of compliance: journal retention, what becomes of masked originals, who may unmask.

In ``veilleur.toml``::

    [compliance_storage]
    original_text = "encrypted"          # or "dropped"; default: "encrypted" when a key is set
    encryption_key = "base64 of 32 random bytes"   # better: VEILLEUR_COMPLIANCE_STORAGE__ENCRYPTION_KEY
    unmask_roles = ["compliance", "admin"]
    default_retention_days = 1826

    [compliance_storage.retention_days]
    post_received = 1826
    setting_change = 3650

A key can be made with ``python -c "import base64, os; print(base64.b64encode(os.urandom(32)).decode())"``.
Losing the key makes every encrypted original unreadable; changing it makes the old ones
unreadable too (the store says which key they were written with).

Imports pydantic only: ``settings`` and ``storage`` import this module.
"""
from __future__ import annotations

import base64
import binascii
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

RECORD_TYPES: tuple[str, ...] = (
    "post_received",          # a post stored (or stored again) by an ingest
    "analysis",               # the labels the pipeline gave a post
    "reply_sent",             # a public reply sent on a platform
    "private_message_sent",   # a private message sent on a platform
    "case_action",            # anything done to a case (open, assign, close, note...)
    "unmask",                 # an attempt to read a masked original, granted or refused
    "setting_change",         # a setting or a policy changed
    "gdpr_export",            # a person's data exported (right of access)
    "gdpr_erase",             # a person's data erased (right to erasure), or the refusal
    "legal_hold",             # a legal hold set or released
    "journal_purge",          # expired journal entries deleted
    "user",                   # a user or API token added, changed, disabled, issued or revoked (never secrets)
    "knowledge",              # an approved answer or a dated fact imported or changed (old and new values)
    "watch_action",           # an alert or incident of the watch acknowledged or closed by someone
)
"""The kinds of journal entries. A room that journals something new adds its type here."""

FIVE_YEARS = 1826  # days: 5 × 365 + 1 leap day

# Communications with customers (what was received, what was answered, publicly or privately,
# and what was done with the case) are kept five years: MiFID II record keeping (Directive
# 2014/65/EU art. 16(7), Delegated Regulation (EU) 2017/565 art. 72 and 76), which a regulator
# may extend to seven. Other types default to ``default_retention_days``.
DEFAULT_RETENTION = {
    "post_received": FIVE_YEARS,
    "reply_sent": FIVE_YEARS,
    "private_message_sent": FIVE_YEARS,
    "case_action": FIVE_YEARS,
}

KEY_SIZES = (16, 24, 32)  # AES-128, AES-192, AES-256


class ComplianceStorageSettings(BaseModel):
    """Journal retention, masked originals and the unmasking roles (``[compliance_storage]``)."""

    model_config = ConfigDict(extra="forbid")

    original_text: Literal["encrypted", "dropped"] | None = Field(
        default=None, description="what becomes of a post's text before masking: encrypted at rest, or "
                                  "dropped; default: encrypted when encryption_key is set, else dropped")
    encryption_key: SecretStr | None = Field(
        default=None, description="AES-GCM key, base64 of 16, 24 or 32 bytes (32 recommended)")
    unmask_roles: list[str] = Field(default_factory=lambda: ["compliance", "admin"],
                                    description="roles allowed to read a masked post's original text")
    default_retention_days: int = Field(default=FIVE_YEARS, ge=1,
                                        description="journal retention of record types not listed below")
    retention_days: dict[str, int] = Field(default_factory=lambda: dict(DEFAULT_RETENTION),
                                           description="journal retention per record type, in days")

    @field_validator("encryption_key")
    @classmethod
    def _base64_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        try:
            raw = base64.b64decode(value.get_secret_value().strip(), validate=True)
        except (binascii.Error, ValueError):
            raise ValueError("must be base64 (e.g. the output of base64.b64encode(os.urandom(32)))") from None
        if len(raw) not in KEY_SIZES:
            raise ValueError(f"must decode to 16, 24 or 32 bytes, not {len(raw)}")
        return value

    @field_validator("retention_days")
    @classmethod
    def _known_types(cls, value: dict[str, int]) -> dict[str, int]:
        unknown = sorted(set(value) - set(RECORD_TYPES))
        if unknown:
            raise ValueError(f"unknown record type(s) {', '.join(unknown)}; known: {', '.join(RECORD_TYPES)}")
        short = sorted(k for k, days in value.items() if days < 1)
        if short:
            raise ValueError(f"retention must be at least 1 day ({', '.join(short)})")
        return value

    @model_validator(mode="after")
    def _key_for_encryption(self) -> ComplianceStorageSettings:
        if self.original_text == "encrypted" and self.encryption_key is None:
            raise ValueError("original_text = 'encrypted' needs compliance_storage.encryption_key "
                             "(or VEILLEUR_COMPLIANCE_STORAGE__ENCRYPTION_KEY)")
        return self

    @property
    def original_text_mode(self) -> Literal["encrypted", "dropped"]:
        """The mode in force: the one set, else encrypted when a key is configured, else dropped."""
        if self.original_text is not None:
            return self.original_text
        return "encrypted" if self.encryption_key is not None else "dropped"

    @property
    def key(self) -> bytes | None:
        """The encryption key's bytes, if one is configured."""
        if self.encryption_key is None:
            return None
        return base64.b64decode(self.encryption_key.get_secret_value().strip())

    def retention_for(self, record_type: str) -> int:
        """Days an entry of ``record_type`` is kept in the journal."""
        return self.retention_days.get(record_type, self.default_retention_days)
