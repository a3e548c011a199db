"""The organisation that uses veilleur: a group, its entities in a tree, and the brands to watch.

Pure data (pydantic models) with the checks that keep the tree sound; no I/O.
Imports ``core.post`` and pydantic only.
"""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from veilleur.core.post import Platform

BrandKind = Literal["own", "competitor", "watched"]
EntityKind = Literal["group", "bank", "regional_bank", "branch", "subsidiary"]


class Brand(BaseModel):
    """A bank or brand whose mentions veilleur finds.

    ``aliases`` match case- and accent-insensitively on word boundaries; ``exact_aliases`` match
    only as written (short acronyms: "SG", "CA", "LBP"); ``ambiguous`` aliases count only when
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
        """Unique ids, known parents, no cycle; each error located ("entities.1.parent")."""
        problems = [*self._duplicate_ids(), *self._unknown_parents()]
        if not problems:
            problems = self._cycles()
        if problems:
            raise ValidationError.from_exception_data("Organisation", [
                InitErrorDetails(type=PydanticCustomError("entity_tree", "{detail}", {"detail": message}),
                                 loc=loc, input=value)
                for loc, message, value in problems])
        return self

    def _duplicate_ids(self) -> list[tuple[tuple[str | int, ...], str, str]]:
        seen: set[str] = set()
        problems = []
        for index, entity in enumerate(self.entities):
            if entity.id in seen:
                problems.append((("entities", index, "id"), f"entity id {entity.id!r} is used twice", entity.id))
            seen.add(entity.id)
        return problems

    def _unknown_parents(self) -> list[tuple[tuple[str | int, ...], str, str]]:
        known = {e.id for e in self.entities}
        return [(("entities", index, "parent"), f"entity {e.id!r} has unknown parent {e.parent!r}", e.parent)
                for index, e in enumerate(self.entities) if e.parent is not None and e.parent not in known]

    def _cycles(self) -> list[tuple[tuple[str | int, ...], str, str]]:
        parent = {e.id: e.parent for e in self.entities}
        problems = []
        for index, entity in enumerate(self.entities):
            seen, node = {entity.id}, entity.parent
            while node is not None and node not in seen:
                seen.add(node)
                node = parent[node]
            if node == entity.id:
                problems.append((("entities", index, "parent"),
                                 f"entity {entity.id!r} is inside a cycle of parents", str(entity.parent)))
        return problems

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
