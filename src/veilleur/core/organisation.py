"""The organisation that uses veilleur: a group, its entities in a tree, and the brands to watch.

Pure data (pydantic models) with the checks that keep the tree sound; no I/O.
Imports ``core.post`` and pydantic only.
"""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from veilleur.core.post import Platform

BrandKind = Literal["own", "competitor", "watched"]
EntityKind = Literal["group", "bank", "regional_bank", "branch", "subsidiary"]


class Brand(BaseModel):
    """A bank or brand whose mentions veilleur finds.

    ``aliases`` match case- and accent-insensitively on word boundaries; ``exact_aliases`` match
    only as written (short acronyms: "SG", "CA", "LCL"); ``ambiguous`` aliases count only when
    the post also speaks of banking (see the ``bank`` stage). ``network`` names the brand a
    regional bank or subsidiary rolls up to.
    """

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    kind: BrandKind = "watched"
    aliases: list[str] = Field(default_factory=list)
    exact_aliases: list[str] = Field(default_factory=list)
    ambiguous: list[str] = Field(default_factory=list)
    handles: list[str] = Field(default_factory=list)
    hashtags: list[str] = Field(default_factory=list)
    products: list[str] = Field(default_factory=list)
    domains: list[str] = Field(default_factory=list)
    network: str | None = None


class Entity(BaseModel):
    """A node of the organisation: the group, a bank, a regional bank, a branch."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: str = Field(min_length=1)
    kind: EntityKind = "bank"
    parent: str | None = None
    brand: str | None = None  # the brand whose posts belong to this entity
    accounts: dict[Platform, list[str]] = Field(default_factory=dict)


class Organisation(BaseModel):
    """The group, its entities and the brands it watches (its own and its competitors')."""

    model_config = ConfigDict(extra="forbid")

    group: str = "Mon groupe bancaire"
    entities: list[Entity] = Field(default_factory=list)
    brands: list[Brand] = Field(default_factory=list)
    include_default_brands: bool = True

    @model_validator(mode="after")
    def _sound_tree(self) -> Organisation:
        ids = [e.id for e in self.entities]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"entity ids must be unique: {', '.join(dupes)}")
        known = set(ids)
        for entity in self.entities:
            if entity.parent is not None and entity.parent not in known:
                raise ValueError(f"entity {entity.id!r} has unknown parent {entity.parent!r}")
        for entity in self.entities:
            seen, node = set(), entity
            while node.parent is not None:
                if node.id in seen:
                    raise ValueError(f"entity {entity.id!r} is inside a cycle of parents")
                seen.add(node.id)
                node = self.entity(node.parent)
        return self

    def entity(self, entity_id: str) -> Entity:
        for entity in self.entities:
            if entity.id == entity_id:
                return entity
        raise KeyError(entity_id)

    def descendants(self, entity_id: str) -> set[str]:
        """The entity and every entity below it: what a user of that entity may see."""
        found, frontier = {entity_id}, [entity_id]
        while frontier:
            parent = frontier.pop()
            children = [e.id for e in self.entities if e.parent == parent]
            found.update(children)
            frontier.extend(children)
        return found

    def owned_handles(self) -> dict[tuple[str, str], str]:
        """(platform, lower-cased handle without @) → entity id, for the bank's own accounts."""
        return {(platform.value, h.lstrip("@").lower()): entity.id
                for entity in self.entities
                for platform, handles in entity.accounts.items() for h in handles}
