"""Who acts: a person or a system process, with a role and the entities they may see.

Pure data, no I/O; standard library only. The access room (``access``) makes an ``Actor`` from
a logged-in user; the rooms take one for every action, check what it may see with ``sees`` and
write its ``name`` into the journal. Entity scoping: a user attached to an entity sees that
entity and the ones below it (``scope``, computed from the organisation tree); ``scope=None``
means the whole group (a user attached to no entity, or the system).
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    COMMUNITY_MANAGER = "community_manager"
    EXPERT = "expert"
    CUSTOMER_RELATIONS = "customer_relations"
    COMMUNICATION = "communication"
    COMPLIANCE = "compliance"
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class Actor:
    """A user (``name`` is the login) or a process (``system:<what>``) acting in veilleur."""

    name: str
    role: Role
    entity: str | None = None
    scope: frozenset[str] | None = None  # entity ids visible; None = every entity

    def sees(self, entity: str | None) -> bool:
        """Whether this actor may see a record of ``entity`` (records of no entity: group-wide only)."""
        if self.scope is None:
            return True
        return entity is not None and entity in self.scope

    @property
    def is_system(self) -> bool:
        return self.name.startswith("system:")


SYSTEM = Actor("system:veilleur", Role.ADMIN)
"""The actor of automatic work (intake, routing, detectors): sees everything, acts as admin."""
