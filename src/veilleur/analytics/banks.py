"""Banks as the watch groups them: networks and their regional banks, own brands and competitors.

A regional bank's posts carry its own name (« Hélios Provence ») when the configuration lists it;
the watch rolls it up to its network (``Brand.network``) for bank-level measures, share of voice
and rumours, and maps banks to entities for scoping. Imports ``core.organisation`` only.
"""
from __future__ import annotations

from veilleur.core.organisation import Organisation


def networks(organisation: Organisation) -> dict[str, str]:
    """Bank name → the network it rolls up to (only banks that have one)."""
    return {b.name: b.network for b in organisation.brands if b.network}


def official_handles(organisation: Organisation) -> frozenset[str]:
    """Handles (lower case, no @) of every bank's own accounts, own and competitors': they warn, they don't report."""
    handles = {h for brand in organisation.brands for h in brand.handles}
    handles |= {h for entity in organisation.entities for hs in entity.accounts.values() for h in hs}
    return frozenset(h.lstrip("@").lower() for h in handles)


def family(organisation: Organisation, bank: str) -> list[str]:
    """``bank`` and every bank that rolls up to it (its regional banks and subsidiaries)."""
    return [bank, *sorted(name for name, network in networks(organisation).items() if network == bank)]


def by_kind(organisation: Organisation, kind: str) -> list[str]:
    """Top-level banks (no network) of this brand kind: "own", "competitor" or "watched"."""
    return [b.name for b in organisation.brands if b.kind == kind and not b.network]


def entity_of(organisation: Organisation, bank: str | None) -> str | None:
    """The entity whose brand is ``bank`` (None for competitors and posts about no bank)."""
    for entity in organisation.entities:
        if bank is not None and entity.brand == bank:
            return entity.id
    return None


def visible_banks(organisation: Organisation, scope: frozenset[str] | None) -> list[str] | None:
    """Banks whose measures an actor of this entity scope may see (None = every bank)."""
    if scope is None:
        return None
    return sorted({e.brand for e in organisation.entities if e.id in scope and e.brand})
