"""Complaint clocks (ACPR 2022-R-01) and the register CSV as French Excel opens it."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from veilleur.core.case import ComplaintRecord
from veilleur.inbox.calendar import BusinessCalendar
from veilleur.inbox.complaints import REGISTER_COLUMNS, add_months, complaint_clocks, write_register_csv
from veilleur.inbox.service_level_settings import CalendarSettings, ComplaintClockSettings, ServiceLevelSettings

PARIS = ZoneInfo("Europe/Paris")
SETTINGS = ServiceLevelSettings()
CAL = BusinessCalendar("default", CalendarSettings())


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)


@pytest.mark.parametrize(("received", "due"), [
    (date(2026, 12, 31), date(2027, 2, 28)),
    (date(2027, 12, 31), date(2028, 2, 29)),  # leap year
    (date(2026, 11, 30), date(2027, 1, 30)),
    (date(2026, 8, 31), date(2026, 10, 31)),
    (date(2026, 1, 15), date(2026, 3, 15)),
])
def test_two_months_are_calendar_months_clamped_to_the_month_end(received, due):
    assert add_months(received, 2) == due


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)), st.integers(min_value=0, max_value=24))
def test_add_months_lands_in_the_right_month_never_past_its_day(day, months):
    result = add_months(day, months)
    assert (result.year * 12 + result.month) - (day.year * 12 + day.month) == months
    assert result.day <= day.day


def test_clocks_of_a_complaint_received_on_new_years_eve():
    clocks = complaint_clocks(paris(2026, 12, 31, 22, 0), CAL, SETTINGS)
    assert clocks.answer_due == paris(2027, 2, 28, 23, 59, 59)
    # ouvrables after 31 Dec: Fri 1 Jan is a holiday, Sat 2 counts, Sun 3 does not: Sat 2, Mon 4 … Sat 9,
    # Mon 11, Tue 12, Wed 13 → the 10th is Wednesday 13 January
    assert clocks.acknowledge_due == paris(2027, 1, 13, 23, 59, 59)


def test_acknowledgement_in_jours_ouvres_when_the_bank_chooses_them():
    settings = ServiceLevelSettings(complaints=ComplaintClockSettings(day_kind="ouvres"))
    clocks = complaint_clocks(paris(2026, 12, 31, 22, 0), CAL, settings)
    assert clocks.acknowledge_due == paris(2027, 1, 15, 23, 59, 59)  # Mon 4 … Fri 15


def test_local_day_decides_receipt_not_utc():
    # 23:30 in Paris on 30 November is still 30 November, although UTC says 22:30 — same day either way;
    # 00:30 in Paris on 1 December is 30 November 23:30 UTC: the Paris day (1 Dec) counts.
    clocks = complaint_clocks(paris(2026, 12, 1, 0, 30), CAL, SETTINGS)
    assert clocks.answer_due == paris(2027, 2, 1, 23, 59, 59)


def record(n: int, received: datetime, **fields) -> ComplaintRecord:
    clocks = complaint_clocks(received, CAL, SETTINGS)
    return ComplaintRecord(case_id=n, entity="helios", received_at=received, acknowledge_due=clocks.acknowledge_due,
                           answer_due=clocks.answer_due, id=n, **fields)


def read_register(records, now, **kwargs) -> tuple[str, list[dict[str, str]]]:
    out = io.StringIO(newline="")
    write_register_csv(records, out, now, **kwargs)
    text = out.getvalue()
    return text, list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline=""), delimiter=";"))


def test_register_has_a_bom_semicolons_and_french_headers():
    text, rows = read_register([record(7, paris(2026, 11, 2, 10, 0), summary="Frais prélevés deux fois")],
                               paris(2026, 11, 24, 12, 0), channels={7: "x"})
    assert text.startswith("\ufeffRéférence;Entité;Canal;")
    assert list(rows[0]) == list(REGISTER_COLUMNS)
    row = rows[0]
    assert row["Référence"] == "REC-2026-000007" and row["Canal"] == "x"
    assert row["Reçue le"] == "02/11/2026 10:00" and row["Réponse due le"] == "02/01/2027 23:59"
    assert row["État"] == "accusé de réception en retard" and row["En retard"] == "oui"
    assert row["Jours restants"] == "39"


def test_register_states_and_late_flags():
    received = paris(2026, 11, 2, 10, 0)
    rows = read_register([
        record(1, received, acknowledged_at=paris(2026, 11, 3, 9, 0)),
        record(2, received, answered_at=paris(2026, 11, 5, 9, 0)),  # answered within 10 days: no separate ack
        record(3, received, acknowledged_at=paris(2026, 11, 3, 9, 0), answered_at=paris(2027, 1, 5, 9, 0)),
        record(4, received, acknowledged_at=paris(2026, 11, 3, 9, 0)),
    ], paris(2027, 1, 10, 12, 0))[1]
    assert [r["État"] for r in rows] == ["réponse en retard", "répondue dans le délai", "répondue hors délai",
                                         "réponse en retard"]
    assert rows[1]["Accusé de réception fait le"] == "05/11/2026 09:00"
    assert [r["En retard"] for r in rows] == ["oui", "non", "oui", "oui"]
    assert rows[1]["Jours restants"] == "" and rows[0]["Jours restants"] == "-8"


def test_register_neutralises_formulas_and_keeps_one_line_per_complaint():
    text, rows = read_register([record(1, paris(2026, 11, 2, 10, 0), summary="=HYPERLINK(\"http://x\")\nsuite")],
                               paris(2026, 11, 3, 12, 0))
    assert rows[0]["Objet"] == "'=HYPERLINK(\"http://x\") suite"
    assert rows[0]["État"] == "à accuser réception" and rows[0]["En retard"] == "non"
    assert text.count("\r\n") == 2
