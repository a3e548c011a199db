"""The link from a case to the bank's CRM: a ``CrmLink`` protocol and a static mapping.

A real integration implements ``lookup`` (who is this social handle in the CRM?) and ``link``
(remember that this handle is that customer). The customer id is an opaque string; veilleur
never reads the CRM's data. ``StaticCrmLink`` serves demos and tests from
``inbox.crm_customers`` ("platform:handle" → id). Imports ``inbox.settings`` only.
"""
from __future__ import annotations

from typing import Protocol, runtime_checkable

from veilleur.inbox.settings import InboxSettings


@runtime_checkable
class CrmLink(Protocol):
    def lookup(self, handle: str, platform: str) -> str | None:
        """The CRM customer id of this social handle, if the CRM knows it."""

    def link(self, handle: str, platform: str, customer_id: str) -> None:
        """Record that this handle is this customer (an agent identified them)."""


def _key(handle: str, platform: str) -> str:
    return f"{platform.strip().lower()}:{handle.strip().lstrip('@').lower()}"


class StaticCrmLink:
    """A CRM link over a fixed mapping, extended in memory by ``link``."""

    def __init__(self, mapping: dict[str, str] | None = None):
        self._ids: dict[str, str] = {}
        for key, customer_id in (mapping or {}).items():
            platform, _, handle = key.partition(":")
            self._ids[_key(handle, platform)] = customer_id

    @classmethod
    def from_settings(cls, settings: InboxSettings) -> StaticCrmLink:
        return cls(settings.crm_customers)

    def lookup(self, handle: str, platform: str) -> str | None:
        return self._ids.get(_key(handle, platform))

    def link(self, handle: str, platform: str, customer_id: str) -> None:
        self._ids[_key(handle, platform)] = customer_id
