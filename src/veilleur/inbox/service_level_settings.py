"""Settings of service levels: business-hours calendars per entity, SLA targets, complaint clocks, figures' costs.

Pydantic only (plus ``zoneinfo`` and ``holidays`` to check names); imported by ``veilleur.settings``.

Durations are written as business time: ``"30m"``, ``"1h"``, ``"1h30m"``, ``"4h"`` count open hours of
the calendar; ``"2d"`` counts working days (the due time is the end of the second working day after
the start's day, "J+2"). A value mixes no days with hours, so "1d4h" is refused rather than guessed.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holidays_lib
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
PRIORITIES = ("P1", "P2", "P3", "P4")
HOLIDAY_SETS = {"none": None, "FR": "", "FR-Alsace-Moselle": "6AE"}
"""Holiday set name → ``holidays.France`` subdivision ("" = national days only; None = no holidays).

Alsace-Moselle (Bas-Rhin 67, Haut-Rhin 68: subdivision ``6AE``; Moselle 57, same days) adds Good
Friday and 26 December. ``FR-<code>`` names any other subdivision the ``holidays`` package knows (``FR-974``)."""

_INTERVAL = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_DURATION = re.compile(r"^\s*(?:(?P<days>\d+)\s*d|(?:(?P<hours>\d+)\s*h)?\s*(?:(?P<minutes>\d+)\s*m(?:in)?)?)\s*$")


@dataclass(frozen=True, slots=True)
class BusinessDuration:
    """A parsed service-level duration: either open business time, or a number of working days."""

    business: timedelta = timedelta(0)
    working_days: int = 0

    def __str__(self) -> str:
        if self.working_days:
            return f"{self.working_days}d"
        minutes = int(self.business.total_seconds() // 60)
        hours, rest = divmod(minutes, 60)
        return (f"{hours}h" if hours else "") + (f"{rest}m" if rest or not hours else "")


def parse_business_duration(text: str) -> BusinessDuration:
    """Parse "30m", "1h", "1h30m", "4h" (open time) or "2d" (working days).

    Raises:
        ValueError: the text is not one of these forms, or is zero.
    """
    match = _DURATION.match(str(text)) if str(text).strip() else None
    if not match or not any(match.groupdict().values()):
        raise ValueError(f"{text!r} is not a business duration: write e.g. '30m', '1h', '1h30m', '4h' or '2d' "
                         "(d = working days; days and hours are not mixed)")
    if match["days"] is not None:
        duration = BusinessDuration(working_days=int(match["days"]))
    else:
        duration = BusinessDuration(business=timedelta(hours=int(match["hours"] or 0),
                                                        minutes=int(match["minutes"] or 0)))
    if duration.working_days == 0 and duration.business <= timedelta(0):
        raise ValueError(f"{text!r}: a target must be longer than zero")
    return duration


def parse_interval(text: str) -> tuple[time, time | None]:
    """Parse "09:00-12:30" into (start, end); an end of "24:00" is returned as None (midnight after)."""
    match = _INTERVAL.match(text)
    if not match:
        raise ValueError(f"{text!r} is not an opening interval: write 'HH:MM-HH:MM', e.g. '09:00-12:30'")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or m1 > 59 or m2 > 59 or h2 > 24 or (h2 == 24 and m2):
        raise ValueError(f"{text!r}: not a time of day (00:00 to 24:00)")
    start, end = time(h1, m1), (None if h2 == 24 else time(h2, m2))
    if end is not None and end <= start:
        raise ValueError(f"{text!r}: the end must come after the start; split a night shift at midnight "
                         "('22:00-24:00' one day, '00:00-06:00' the next)")
    return start, end


def holiday_subdivision(name: str) -> str | None:
    """The ``holidays.France`` subdivision of a holiday set name ("" for national days, None for none)."""
    if name in HOLIDAY_SETS:
        return HOLIDAY_SETS[name]
    code = name.removeprefix("FR-")
    if name.startswith("FR-") and (code in holidays_lib.France.subdivisions
                                   or code in holidays_lib.France.subdivisions_aliases):
        return code
    raise ValueError(f"{name!r} is not a holiday set: use 'FR', 'FR-Alsace-Moselle', 'none' or 'FR-<subdivision>' "
                     f"({', '.join(holidays_lib.France.subdivisions)})")


def _default_week() -> dict[Weekday, list[str]]:
    return {day: ["09:00-18:00"] for day in ("mon", "tue", "wed", "thu", "fri")}


class CalendarSettings(BaseModel):
    """One business-hours calendar: a timezone, weekly opening intervals, public holidays, closures."""

    model_config = ConfigDict(extra="forbid")

    timezone: str = Field(default="Europe/Paris", description="IANA timezone of the opening hours")
    hours: dict[Weekday, list[str]] = Field(
        default_factory=_default_week,
        description="weekday (mon..sun) → opening intervals 'HH:MM-HH:MM'; several for split shifts; "
                    "a missing day is closed")
    holidays: str = Field(default="FR", description="public holidays: 'FR', 'FR-Alsace-Moselle', 'FR-<code>', 'none'")
    closed_dates: list[date] = Field(default_factory=list, description="extra closed days (bridges, closures)")
    open_dates: list[date] = Field(default_factory=list,
                                   description="public holidays worked anyway (e.g. Pentecost Monday, the "
                                               "« journée de solidarité »)")

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"{value!r} is not an IANA timezone (e.g. 'Europe/Paris')") from exc
        return value

    @field_validator("hours")
    @classmethod
    def _valid_intervals(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for day, intervals in value.items():
            parsed = sorted(((parse_interval(text), text) for text in intervals), key=lambda pair: pair[0][0])
            for (earlier, text_a), (later, text_b) in itertools.pairwise(parsed):
                if earlier[1] is None or later[0] < earlier[1]:
                    raise ValueError(f"{day}: intervals {text_a!r} and {text_b!r} overlap")
        if not any(value.values()):
            raise ValueError("a calendar must be open at least one interval a week")
        return value

    @field_validator("holidays")
    @classmethod
    def _known_holidays(cls, value: str) -> str:
        holiday_subdivision(value)
        return value


class SlaTarget(BaseModel):
    """The targets of one priority, in business time of the case's calendar."""

    model_config = ConfigDict(extra="forbid")

    first_response: str = Field(description="e.g. '1h', '30m', '1d' (working days)")
    resolution: str = Field(description="e.g. '4h', '2d'")

    @field_validator("first_response", "resolution")
    @classmethod
    def _duration(cls, value: str) -> str:
        parse_business_duration(value)
        return value

    @property
    def first_response_duration(self) -> BusinessDuration:
        return parse_business_duration(self.first_response)

    @property
    def resolution_duration(self) -> BusinessDuration:
        return parse_business_duration(self.resolution)


def _default_targets() -> dict[str, SlaTarget]:
    return {"P1": SlaTarget(first_response="30m", resolution="4h"),
            "P2": SlaTarget(first_response="1h", resolution="1d"),
            "P3": SlaTarget(first_response="4h", resolution="2d"),
            "P4": SlaTarget(first_response="1d", resolution="5d")}


class ComplaintClockSettings(BaseModel):
    """The clocks of ACPR recommendation 2022-R-01 for complaints (« réclamations »)."""

    model_config = ConfigDict(extra="forbid")

    acknowledge_days: int = Field(default=10, ge=1, le=60, description="acknowledge within N working days")
    day_kind: Literal["ouvrables", "ouvres"] = Field(
        default="ouvrables",
        description="ouvrables: Monday–Saturday except public holidays (the ACPR's « dix jours ouvrables »); "
                    "ouvres: the days the entity's calendar is open")
    answer_months: int = Field(default=2, ge=1, le=12, description="answer within N calendar months of receipt")


class ChannelCost(BaseModel):
    """What one contact costs on a channel, in euros (an estimate the bank sets)."""

    model_config = ConfigDict(extra="forbid")

    label: str
    cost_eur: float = Field(gt=0)


def _default_costs() -> dict[str, ChannelCost]:
    return {"classic": ChannelCost(label="support classique (téléphone, agence) — valeur d'exemple", cost_eur=10.0),
            "social": ChannelCost(label="réponse sur les réseaux sociaux — 20 fois moins chère que le support "
                                        "classique (chiffre cité dans les sources, défaut à remplacer)",
                                  cost_eur=0.5)}


class FigureSettings(BaseModel):
    """Settings of the inbox figures: costs per channel for the deflection and cost estimate."""

    model_config = ConfigDict(extra="forbid")

    costs: dict[str, ChannelCost] = Field(default_factory=_default_costs,
                                          description="channel → cost of one contact; needs 'classic' and 'social'")
    deflection_intents: list[str] = Field(default_factory=lambda: ["question"],
                                          description="intents whose public answer avoids a classic contact")

    @field_validator("costs")
    @classmethod
    def _both_channels(cls, value: dict[str, ChannelCost]) -> dict[str, ChannelCost]:
        missing = {"classic", "social"} - set(value)
        if missing:
            raise ValueError(f"missing channel(s): {', '.join(sorted(missing))}")
        return value


class ServiceLevelSettings(BaseModel):
    """Settings of service levels: business-hours calendars per entity, SLA targets, complaint clocks."""

    model_config = ConfigDict(extra="forbid")

    calendars: dict[str, CalendarSettings] = Field(
        default_factory=lambda: {"default": CalendarSettings()},
        description="calendar name → calendar; the default one is Monday–Friday 9:00–18:00 Europe/Paris")
    default_calendar: str = Field(default="default", description="the calendar of entities that have none")
    entity_calendars: dict[str, str] = Field(
        default_factory=dict, description="entity id → calendar name; an entity without one inherits its parent's")
    targets: dict[Literal["P1", "P2", "P3", "P4"], SlaTarget] = Field(
        default_factory=_default_targets, description="priority → first-response and resolution targets")
    warn_at: float = Field(default=0.8, gt=0, lt=1, description="warn when this share of a target is used")
    complaints: ComplaintClockSettings = Field(default_factory=ComplaintClockSettings)
    figures: FigureSettings = Field(default_factory=FigureSettings)

    @model_validator(mode="after")
    def _known_calendars(self) -> ServiceLevelSettings:
        if self.default_calendar not in self.calendars:
            raise ValueError(f"default_calendar: {self.default_calendar!r} is not a calendar "
                             f"({', '.join(self.calendars) or 'none defined'})")
        for entity, name in self.entity_calendars.items():
            if name not in self.calendars:
                raise ValueError(f"entity_calendars.{entity}: {name!r} is not a calendar ({', '.join(self.calendars)})")
        missing = [p for p in PRIORITIES if p not in self.targets]
        if missing:
            raise ValueError(f"targets: missing priority {', '.join(missing)}")
        return self
