"""The watch room's errors. Imports ``veilleur.errors`` only."""
from __future__ import annotations

from veilleur.errors import VeilleurError


class WatchError(VeilleurError):
    """A watch request cannot be served (unknown bank, period, scenario, alert or incident)."""


class NotFound(WatchError):
    """The alert, incident or scenario asked for does not exist (or the actor may not see it)."""


class BadPeriod(WatchError):
    """A period is not 'YYYY-MM', 'YYYY-MM-DD' or 'YYYY-MM-DD..YYYY-MM-DD'."""


class StateConflict(WatchError):
    """The alert or incident is not in a state that allows this (e.g. already closed)."""
