"""Business-hours calendars: open intervals per weekday, French public holidays, closures, timezones.

``BusinessCalendar`` answers the four questions SLAs and complaint clocks ask: when is a business
duration used up (``add``), how much business time lies between two instants (``between``), which
day is N working days later (``add_working_days``), and is the desk open now (``is_open``).

All instants go in and out as timezone-aware datetimes (results in UTC). Opening hours are local
wall-clock times: each day's intervals are placed in the calendar's timezone and measured in UTC, so
an interval 9:00–18:00 stays 9 business hours on the days clocks change (29 March and 25 October
2026 in Europe/Paris), and a 00:00–24:00 interval lasts 23 or 25 hours on those days, as it really does.

Written by hand rather than taken from a library: ``businesstimedelta`` (pytz, last release 2017),
``businesstime`` and ``biztime`` each know one interval per day and no per-weekday split shifts;
none knows French « jours ouvrables » (Monday–Saturday except public holidays) which the ACPR's
complaint clock counts. The public holidays themselves come from the maintained ``holidays`` package.

Imports ``core.organisation``, ``errors`` and ``inbox.service_level_settings``.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays as holidays_lib

from veilleur.core.organisation import Organisation
from veilleur.errors import VeilleurError
from veilleur.inbox.service_level_settings import (
    WEEKDAYS,
    CalendarSettings,
    ServiceLevelSettings,
    holiday_subdivision,
    parse_interval,
)

SEARCH_DAYS = 3660
"""How far (about ten years) ``add`` looks for open time before deciding the calendar never opens."""


class ServiceLevelError(VeilleurError):
    """A business-time computation cannot be done (naive datetime, negative duration, calendar never open)."""


Interval = tuple[datetime, datetime]


def _aware(at: datetime, what: str) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ServiceLevelError(f"{what} must be timezone-aware (got {at.isoformat()}); veilleur keeps times in UTC")
    return at.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class _WeeklyHours:
    """Parsed opening intervals per weekday index (0 = Monday); an end of None means midnight after."""

    days: tuple[tuple[tuple[time, time | None], ...], ...]

    @classmethod
    def parse(cls, hours: dict[str, list[str]]) -> _WeeklyHours:
        return cls(tuple(tuple(sorted((parse_interval(t) for t in hours.get(day, [])), key=lambda pair: pair[0]))
                         for day in WEEKDAYS))


class BusinessCalendar:
    """One calendar's business time. Build it with ``for_entity`` or ``from_settings``."""

    def __init__(self, name: str, settings: CalendarSettings):
        self.name = name
        self.settings = settings
        self.zone = ZoneInfo(settings.timezone)
        self._weekly = _WeeklyHours.parse(settings.hours)
        subdivision = holiday_subdivision(settings.holidays)
        self._holidays = (None if subdivision is None
                          else holidays_lib.country_holidays("FR", subdiv=subdivision or None, language="fr"))
        self._closed = frozenset(settings.closed_dates)
        self._open = frozenset(settings.open_dates)
        self._intervals: dict[date, tuple[Interval, ...]] = {}

    def __repr__(self) -> str:
        return f"BusinessCalendar({self.name!r}, {self.settings.timezone}, holidays={self.settings.holidays})"

    @classmethod
    def from_settings(cls, settings: ServiceLevelSettings, name: str) -> BusinessCalendar:
        """The calendar called ``name`` in the settings (built once per distinct definition)."""
        if name not in settings.calendars:
            raise ServiceLevelError(f"service_levels.calendars: no calendar named {name!r}")
        return _cached_calendar(name, settings.calendars[name].model_dump_json())

    @classmethod
    def for_entity(cls, settings: ServiceLevelSettings, entity: str | None,
                   organisation: Organisation | None = None) -> BusinessCalendar:
        """The calendar of ``entity``: its own, else its nearest ancestor's, else the default."""
        return cls.from_settings(settings, calendar_name_for(settings, entity, organisation))

    # -- days -------------------------------------------------------------------------------------
    def holiday_name(self, day: date) -> str | None:
        """The public holiday on ``day`` (in French), or None."""
        return self._holidays.get(day) if self._holidays is not None else None

    def is_working_day(self, day: date) -> bool:
        """A « jour ouvré » of this calendar: it has opening hours and is neither a holiday nor closed."""
        if not self._weekly.days[day.weekday()] or day in self._closed:
            return False
        return day in self._open or self.holiday_name(day) is None

    def is_ouvrable(self, day: date) -> bool:
        """A « jour ouvrable »: Monday to Saturday, except public holidays (whatever the opening hours)."""
        return day.weekday() != 6 and self.holiday_name(day) is None

    def open_intervals(self, day: date) -> tuple[Interval, ...]:
        """The open intervals of a local day, as UTC instants (empty on closed days)."""
        found = self._intervals.get(day)
        if found is None:
            found = self._intervals[day] = self._place(day) if self.is_working_day(day) else ()
        return found

    def _place(self, day: date) -> tuple[Interval, ...]:
        placed = []
        for start, end in self._weekly.days[day.weekday()]:
            local_end = (datetime.combine(day + timedelta(days=1), time(0), self.zone) if end is None
                         else datetime.combine(day, end, self.zone))
            placed.append((datetime.combine(day, start, self.zone).astimezone(UTC), local_end.astimezone(UTC)))
        return tuple(placed)

    def local_date(self, at: datetime) -> date:
        return _aware(at, "the instant").astimezone(self.zone).date()

    # -- the four questions -----------------------------------------------------------------------
    def is_open(self, at: datetime) -> bool:
        """Whether the desk is open at ``at`` (intervals include their start, exclude their end)."""
        instant = _aware(at, "at")
        return any(start <= instant < end for start, end in self.open_intervals(self.local_date(instant)))

    def add(self, start: datetime, business: timedelta) -> datetime:
        """The instant (UTC) when ``business`` open time has passed since ``start``.

        A positive duration ends inside an open interval or exactly at its end (12:30, not 13:30).
        """
        cursor, remaining = _aware(start, "start"), business
        if remaining < timedelta(0):
            raise ServiceLevelError(f"a business duration cannot be negative ({business})")
        if remaining == timedelta(0):
            return cursor
        day = self.local_date(cursor)
        for _ in range(SEARCH_DAYS):
            for open_at, close_at in self.open_intervals(day):
                if close_at <= cursor:
                    continue
                begin = max(open_at, cursor)
                if remaining <= close_at - begin:
                    return begin + remaining
                remaining -= close_at - begin
            day += timedelta(days=1)
        raise ServiceLevelError(f"calendar {self.name!r} has no open time in the {SEARCH_DAYS} days after {start}")

    def between(self, start: datetime, end: datetime) -> timedelta:
        """The open time between two instants; negative when ``end`` is before ``start``."""
        begin, finish = _aware(start, "start"), _aware(end, "end")
        if finish < begin:
            return -self.between(finish, begin)
        total, day, last = timedelta(0), self.local_date(begin), self.local_date(finish)
        while day <= last:
            for open_at, close_at in self.open_intervals(day):
                overlap = min(close_at, finish) - max(open_at, begin)
                if overlap > timedelta(0):
                    total += overlap
            day += timedelta(days=1)
        return total

    def add_working_days(self, start: datetime, days: int, *, kind: str = "ouvres") -> datetime:
        """The end (23:59:59 local, as UTC) of the ``days``-th working day after the start's local day.

        The start's own day is not counted (a complaint received on Monday, 10 working days: the count
        begins on Tuesday). ``kind`` is "ouvres" (days this calendar is open) or "ouvrables" (Monday to
        Saturday except public holidays, the unit of the ACPR's acknowledgement clock).
        """
        if days < 0:
            raise ServiceLevelError(f"a number of working days cannot be negative ({days})")
        counts = {"ouvres": self.is_working_day, "ouvrables": self.is_ouvrable}.get(kind)
        if counts is None:
            raise ServiceLevelError(f"kind must be 'ouvres' or 'ouvrables', not {kind!r}")
        day, counted = self.local_date(start), 0
        for _ in range(SEARCH_DAYS):
            if counted == days:
                return self.end_of_day(day)
            day += timedelta(days=1)
            counted += counts(day)
        raise ServiceLevelError(f"calendar {self.name!r} has no working day in the {SEARCH_DAYS} days after {start}")

    def end_of_day(self, day: date) -> datetime:
        """23:59:59 local time on ``day``, as UTC: the due time of a clock that ends "on" a day."""
        return datetime.combine(day, time(23, 59, 59), self.zone).astimezone(UTC)


@functools.lru_cache(maxsize=64)
def _cached_calendar(name: str, definition: str) -> BusinessCalendar:
    return BusinessCalendar(name, CalendarSettings.model_validate_json(definition))


def calendar_name_for(settings: ServiceLevelSettings, entity: str | None,
                      organisation: Organisation | None = None) -> str:
    """The calendar name of ``entity``: its own assignment, else its nearest ancestor's, else the default."""
    parents = {e.id: e.parent for e in organisation.entities} if organisation is not None else {}
    seen: set[str] = set()
    node = entity
    while node is not None and node not in seen:
        if node in settings.entity_calendars:
            return settings.entity_calendars[node]
        seen.add(node)
        node = parents.get(node)
    return settings.default_calendar


class Calendars:
    """Every entity's calendar for one set of settings: what ``figures.compute`` and batch work take."""

    def __init__(self, settings: ServiceLevelSettings, organisation: Organisation | None = None):
        self.settings = settings
        self.organisation = organisation

    def for_entity(self, entity: str | None) -> BusinessCalendar:
        return BusinessCalendar.for_entity(self.settings, entity, self.organisation)
