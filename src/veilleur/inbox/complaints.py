"""Complaint clocks of ACPR recommendation 2022-R-01 and the complaint register as CSV.

A complaint (« réclamation ») received on social media is a complaint: the bank acknowledges it
within 10 working days of receipt (unless it answers within that time) and answers within 2 months.

How the clocks are counted (the rules a compliance officer can check):
- Acknowledgement: the receipt day is not counted; the next ``acknowledge_days`` days of kind
  ``day_kind`` are — « jours ouvrables » by default (Monday to Saturday except public holidays of
  the entity's calendar, the ACPR's wording), or « jours ouvrés » (the days the entity's desk is
  open). Due at 23:59:59 local time on the last of those days.
- Answer: ``answer_months`` calendar months after the receipt day, on the same day number, or on
  the last day of the month when that month is shorter (received 31 December → due 28 February,
  29 in a leap year; received 30 November → 30 January). Due at 23:59:59 local time that day. The
  due date is not pushed past a weekend or holiday: answering earlier is never wrong.

The register is written for Excel as French users open it: UTF-8 with a byte-order mark (without
it Excel reads UTF-8 as Windows-1252 and « Réponse » turns into « RÃ©ponse »), ``;`` between fields
(French Excel uses ``,`` as the decimal mark and ``;`` as its list separator, so a ``,`` file opens
as one column), dates as JJ/MM/AAAA HH:MM in the entity's local time, and text cells that start
with ``= + - @`` prefixed with ``'`` so that a customer's words are never run as a formula.

Imports ``core.case``, ``inbox.calendar`` and ``inbox.service_level_settings``.
"""
from __future__ import annotations

import calendar as month_calendar
import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TextIO
from zoneinfo import ZoneInfo

from veilleur.core.case import ComplaintRecord
from veilleur.inbox.calendar import BusinessCalendar
from veilleur.inbox.service_level_settings import ServiceLevelSettings

REGISTER_COLUMNS = ("Référence", "Entité", "Canal", "Reçue le", "Accusé de réception dû le",
                    "Accusé de réception fait le", "Réponse due le", "Réponse faite le", "État",
                    "Jours restants", "En retard", "Objet")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True, slots=True)
class ComplaintClocks:
    acknowledge_due: datetime
    answer_due: datetime


def add_months(day: date, months: int) -> date:
    """The same day number ``months`` later, or the last day of that month when it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, month_calendar.monthrange(year, month)[1]))


def complaint_clocks(received_at: datetime, calendar: BusinessCalendar,
                     settings: ServiceLevelSettings) -> ComplaintClocks:
    """The acknowledgement and answer due times (UTC) of a complaint received at ``received_at``."""
    rules = settings.complaints
    acknowledge = calendar.add_working_days(received_at, rules.acknowledge_days, kind=rules.day_kind)
    answer_day = add_months(calendar.local_date(received_at), rules.answer_months)
    return ComplaintClocks(acknowledge, calendar.end_of_day(answer_day))


def acknowledged(record: ComplaintRecord) -> datetime | None:
    """When the complaint was acknowledged; an answer within the acknowledgement delay counts as one."""
    if record.acknowledged_at is not None:
        return record.acknowledged_at
    if record.answered_at is not None and record.answered_at <= record.acknowledge_due:
        return record.answered_at
    return None


def complaint_state(record: ComplaintRecord, now: datetime) -> str:
    """In French, what a compliance officer reads: where the complaint stands and whether it is late."""
    if record.answered_at is not None:
        return "répondue dans le délai" if record.answered_at <= record.answer_due else "répondue hors délai"
    if now > record.answer_due:
        return "réponse en retard"
    ack = acknowledged(record)
    if ack is None:
        return "accusé de réception en retard" if now > record.acknowledge_due else "à accuser réception"
    return "accusé de réception hors délai" if ack > record.acknowledge_due else "en cours"


def is_late(record: ComplaintRecord, now: datetime) -> bool:
    """A clock was or is missed: acknowledgement or answer after its due time (or still missing past it)."""
    ack = acknowledged(record)
    ack_late = (ack if ack is not None else now) > record.acknowledge_due
    answer_late = (record.answered_at if record.answered_at is not None else now) > record.answer_due
    return ack_late or answer_late


def reference(record: ComplaintRecord) -> str:
    """The register reference: REC-<year received>-<number>, from the record's id (the case's if unsaved)."""
    return f"REC-{record.received_at.year}-{record.id if record.id is not None else record.case_id:06d}"


def write_register_csv(records: Iterable[ComplaintRecord], out: TextIO, now: datetime, *,
                       channels: Mapping[int, str] | None = None, timezone: str = "Europe/Paris") -> int:
    """Write the complaint register to ``out`` (a text stream opened with ``newline=""``); return the row count.

    Args:
        records: the complaints, in the order to write them.
        out: where to write; the byte-order mark is written first, so open files with ``encoding="utf-8"``.
        now: the instant "days left" and "late" are computed at.
        channels: case id → platform ("x", "facebook"), for the channel column (a record's own
            ``platform`` attribute is used when it has one).
        timezone: the zone dates are shown in.
    """
    zone = ZoneInfo(timezone)
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(REGISTER_COLUMNS)
    count = 0
    for record in records:
        channel = getattr(record, "platform", None) or (channels or {}).get(record.case_id, "")
        writer.writerow(_row(record, channel, now, zone))
        count += 1
    return count


def _row(record: ComplaintRecord, channel: str, now: datetime, zone: ZoneInfo) -> list[str]:
    answered = record.answered_at is not None
    days_left = "" if answered else str((record.answer_due.astimezone(zone).date() - now.astimezone(zone).date()).days)
    return [reference(record), record.entity or "", channel, _when(record.received_at, zone),
            _when(record.acknowledge_due, zone), _when(acknowledged(record), zone), _when(record.answer_due, zone),
            _when(record.answered_at, zone), complaint_state(record, now), days_left,
            "oui" if is_late(record, now) else "non", _safe_text(record.summary)]


def _when(at: datetime | None, zone: ZoneInfo) -> str:
    return at.astimezone(zone).strftime("%d/%m/%Y %H:%M") if at is not None else ""


def _safe_text(text: str) -> str:
    """Neutralise spreadsheet formulas in free text (CSV injection) and keep one line per complaint."""
    flat = " ".join(text.split())
    return f"'{flat}" if flat.startswith(FORMULA_STARTS) else flat
