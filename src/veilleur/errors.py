"""The error tree of veilleur. Imports nothing from the project.

    VeilleurError                 anything veilleur raises on purpose
    ├── ConfigError               a setting is missing or wrong (names the key)
    ├── MalformedPayload          a raw record cannot become a Post (says why, where)
    ├── UnknownPlatform           (a MalformedPayload) the platform is not one veilleur knows
    ├── PipelineError             stages in an order whose requirements are not met
    ├── StageFailure              one stage failed on one post (stage name, reason)
    ├── StoreError                the database refused or the schema is not at head
    │   ├── UnmaskRefused         (storage.masking) the role may not see the original text
    │   └── OriginalUnavailable   (storage.masking) the original was dropped, erased or its key lost
    ├── RegistryError             a plugin or built-in name could not be found or loaded
    ├── ComplianceError           (compliance.policy) a reply cannot be checked
    │   └── PersonalDataUnavailable  the personal-data detector could not run
    ├── JournalError              (compliance.journal) an unknown record type, a broken chain
    └── GdprError                 (compliance.gdpr) an export or erasure cannot be done
        └── ErasureRefused        a legal hold keeps the person's records

Each room keeps its own errors beside its code; they all descend from ``VeilleurError``.

The edges (CLI, web) turn these into clear messages; nothing else catches them broadly.
"""
from __future__ import annotations


class VeilleurError(Exception):
    """Base class of every error veilleur raises on purpose."""


class ConfigError(VeilleurError):
    """A setting is missing or invalid; the message names the key."""


class MalformedPayload(VeilleurError):
    """A raw record cannot be turned into a Post.

    Attributes:
        reason: what is wrong, in words a user understands.
        location: where it was found ("posts.jsonl:12"), if known.
    """

    def __init__(self, reason: str, location: str | None = None):
        self.reason = reason
        self.location = location
        super().__init__(f"{location}: {reason}" if location else reason)


class UnknownPlatform(MalformedPayload):
    """The record names a platform veilleur does not know."""


class PipelineError(VeilleurError):
    """A pipeline was built with stages whose requirements are not met."""


class StageFailure(VeilleurError):
    """One stage failed on one post."""

    def __init__(self, stage: str, reason: str):
        self.stage = stage
        self.reason = reason
        super().__init__(f"stage {stage!r} failed: {reason}")


class StoreError(VeilleurError):
    """The store cannot do what was asked (schema not migrated, database unreachable)."""


class RegistryError(VeilleurError):
    """A named component is unknown or failed to load."""
