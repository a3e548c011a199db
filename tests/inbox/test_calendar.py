"""Business calendars: weekends, split shifts, French and Alsace-Moselle holidays, daylight saving, inheritance."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from veilleur.core.organisation import Entity, Organisation
from veilleur.inbox.calendar import BusinessCalendar, Calendars, ServiceLevelError
from veilleur.inbox.service_level_settings import CalendarSettings, ServiceLevelSettings

PARIS = ZoneInfo("Europe/Paris")
H = timedelta(hours=1)


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def calendar(**fields) -> BusinessCalendar:
    return BusinessCalendar("test", CalendarSettings(**fields))


PLAIN = calendar()  # Monday–Friday 9:00–18:00 Europe/Paris, French holidays
SPLIT = calendar(hours={"mon": ["09:00-12:30", "13:30-18:00"], "tue": ["09:00-12:30", "13:30-18:00"],
                        "wed": ["09:00-12:30"], "thu": ["09:00-12:30", "13:30-18:00"],
                        "fri": ["09:00-12:30", "13:30-17:00"], "sat": ["09:00-12:00"]})
ALSACE = calendar(holidays="FR-Alsace-Moselle")


def test_an_hour_before_closing_runs_into_the_next_morning():
    assert PLAIN.add(paris(2026, 11, 24, 17, 30), H) == paris(2026, 11, 25, 9, 30)


def test_friday_evening_runs_into_monday():
    assert PLAIN.add(paris(2026, 11, 27, 17, 0), 2 * H) == paris(2026, 11, 30, 10, 0)
    assert PLAIN.between(paris(2026, 11, 27, 17, 0), paris(2026, 11, 30, 10, 0)) == 2 * H


def test_the_weekend_counts_nothing():
    assert PLAIN.between(paris(2026, 11, 28, 8, 0), paris(2026, 11, 29, 23, 0)) == timedelta(0)
    assert PLAIN.between(paris(2026, 11, 23, 9, 0), paris(2026, 11, 28, 9, 0)) == 45 * H  # 5 × 9 h


def test_a_duration_that_fills_the_morning_ends_at_the_break_not_after_it():
    assert SPLIT.add(paris(2026, 11, 23, 9, 0), 3.5 * H) == paris(2026, 11, 23, 12, 30)
    assert SPLIT.add(paris(2026, 11, 23, 12, 0), H) == paris(2026, 11, 23, 14, 0)


def test_split_shift_lunch_break_is_not_business_time():
    assert SPLIT.between(paris(2026, 11, 23, 12, 0), paris(2026, 11, 23, 14, 0)) == H
    assert not SPLIT.is_open(paris(2026, 11, 23, 13, 0))
    assert SPLIT.is_open(paris(2026, 11, 23, 13, 30))
    assert not SPLIT.is_open(paris(2026, 11, 23, 18, 0))  # the end is excluded


def test_saturday_morning_and_wednesday_half_day():
    assert SPLIT.between(paris(2026, 11, 25, 0, 0), paris(2026, 11, 26, 0, 0)) == 3.5 * H
    assert SPLIT.add(paris(2026, 11, 27, 16, 30), H) == paris(2026, 11, 28, 9, 30)


def test_french_public_holidays_are_closed():
    assert not PLAIN.is_working_day(date(2026, 11, 11))  # Armistice, a Wednesday
    assert PLAIN.holiday_name(date(2026, 11, 11)) == "Armistice"
    assert PLAIN.add(paris(2026, 11, 10, 17, 0), 2 * H) == paris(2026, 11, 12, 10, 0)
    assert PLAIN.add(paris(2026, 12, 24, 17, 0), 2 * H) == paris(2026, 12, 28, 10, 0)  # Christmas on Friday


def test_alsace_moselle_closes_good_friday_and_saint_stephen():
    good_friday, stephen = date(2026, 4, 3), date(2026, 12, 26)
    assert PLAIN.is_working_day(good_friday) and not ALSACE.is_working_day(good_friday)
    assert ALSACE.holiday_name(stephen) == "Saint-Étienne" and PLAIN.holiday_name(stephen) is None
    assert PLAIN.add(paris(2026, 4, 2, 17, 0), 2 * H) == paris(2026, 4, 3, 10, 0)
    assert ALSACE.add(paris(2026, 4, 2, 17, 0), 2 * H) == paris(2026, 4, 7, 10, 0)  # Friday, weekend, Easter Monday


def test_moselle_alone_names_the_same_days():
    moselle = calendar(holidays="FR-57")
    assert moselle.holiday_name(date(2026, 4, 3)) == "Vendredi saint"


def test_extra_closed_and_open_dates():
    bridge = calendar(closed_dates=[date(2026, 5, 15)], open_dates=[date(2026, 5, 25)])
    assert not bridge.is_working_day(date(2026, 5, 15))  # Friday after Ascension
    assert bridge.is_working_day(date(2026, 5, 25))  # Pentecost Monday worked
    assert not PLAIN.is_working_day(date(2026, 5, 25))


@pytest.mark.parametrize("day", [date(2026, 3, 29), date(2026, 3, 30), date(2026, 10, 25), date(2026, 10, 26)])
def test_daylight_saving_changes_keep_nine_open_hours(day):
    every_day = calendar(hours={d: ["09:00-18:00"] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
                         holidays="none")
    start = datetime.combine(day, datetime.min.time(), PARIS)
    end = datetime.combine(day + timedelta(days=1), datetime.min.time(), PARIS)
    assert every_day.between(start, end) == 9 * H
    assert every_day.add(start, 9 * H) == datetime.combine(day, datetime.min.time(), PARIS).replace(hour=18)


def test_a_round_the_clock_day_lasts_as_long_as_it_really_does():
    always = calendar(hours={d: ["00:00-24:00"] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
                      holidays="none")
    assert always.between(paris(2026, 3, 29, 0, 0), paris(2026, 3, 30, 0, 0)) == 23 * H
    assert always.between(paris(2026, 10, 25, 0, 0), paris(2026, 10, 26, 0, 0)) == 25 * H
    assert always.add(paris(2026, 3, 29, 1, 0), 2 * H) == datetime(2026, 3, 29, 2, 0, tzinfo=UTC)


def test_add_working_days_ends_at_the_end_of_the_day():
    due = PLAIN.add_working_days(paris(2026, 11, 27, 15, 0), 2)  # Friday → Tuesday
    assert due == paris(2026, 12, 1, 23, 59, 59)
    assert due.tzinfo is UTC


def test_ouvrables_count_saturdays_but_not_sundays_or_holidays():
    # Received Monday 9 Nov 2026; 11 Nov is a holiday; Saturdays count, Sundays do not.
    received = paris(2026, 11, 9, 10, 0)
    assert PLAIN.add_working_days(received, 10, kind="ouvrables") == paris(2026, 11, 21, 23, 59, 59)
    assert PLAIN.add_working_days(received, 10) == paris(2026, 11, 24, 23, 59, 59)


def test_results_are_utc_and_inputs_must_be_aware():
    assert PLAIN.add(paris(2026, 11, 24, 10, 0), H).tzinfo is UTC
    with pytest.raises(ServiceLevelError, match="timezone-aware"):
        PLAIN.add(datetime(2026, 11, 24, 10, 0), H)
    with pytest.raises(ServiceLevelError, match="negative"):
        PLAIN.add(paris(2026, 11, 24, 10, 0), -H)
    with pytest.raises(ServiceLevelError, match="kind"):
        PLAIN.add_working_days(paris(2026, 11, 24, 10, 0), 1, kind="jours")


def test_between_is_signed():
    a, b = paris(2026, 11, 24, 10, 0), paris(2026, 11, 24, 12, 0)
    assert PLAIN.between(b, a) == -2 * H


def test_a_calendar_whose_every_day_is_closed_says_so():
    never = calendar(hours={"mon": ["09:00-10:00"]}, holidays="none",
                     closed_dates=[date(2026, 11, 30) + timedelta(weeks=w) for w in range(600)])
    with pytest.raises(ServiceLevelError, match="no open time"):
        never.add(paris(2026, 11, 24, 10, 0), H)


def test_entities_inherit_their_parents_calendar_then_the_default():
    settings = ServiceLevelSettings(
        calendars={"default": CalendarSettings(), "alsace": CalendarSettings(holidays="FR-Alsace-Moselle")},
        entity_calendars={"helios-est": "alsace"})
    organisation = Organisation(entities=[Entity(id="helios", name="H"),
                                          Entity(id="helios-est", name="E", parent="helios"),
                                          Entity(id="agence-metz", name="M", kind="branch", parent="helios-est")])
    assert BusinessCalendar.for_entity(settings, "agence-metz", organisation).name == "alsace"
    assert BusinessCalendar.for_entity(settings, "helios", organisation).name == "default"
    assert BusinessCalendar.for_entity(settings, None, organisation).name == "default"
    assert Calendars(settings).for_entity("unknown").name == "default"


# -- properties ---------------------------------------------------------------------------------------
instants = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31),
                        timezones=st.just(UTC))
durations = st.integers(min_value=60, max_value=120 * 3600).map(lambda seconds: timedelta(seconds=seconds))
calendars = st.sampled_from([PLAIN, SPLIT, ALSACE])


@given(calendars, instants, durations)
def test_add_then_between_gives_the_duration_back(cal, start, duration):
    assert cal.between(start, cal.add(start, duration)) == duration


@given(calendars, instants, durations)
def test_results_of_add_lie_inside_opening_hours(cal, start, duration):
    result = cal.add(start, duration)
    intervals = cal.open_intervals(cal.local_date(result))
    assert any(opening < result <= closing for opening, closing in intervals)


@given(calendars, instants, instants, instants)
def test_between_is_additive(cal, a, b, c):
    assert cal.between(a, b) + cal.between(b, c) == cal.between(a, c)


@given(calendars, instants, st.integers(min_value=0, max_value=30))
def test_working_days_end_on_a_working_day(cal, start, days):
    due = cal.add_working_days(start, days)
    assert due >= start
    assert days == 0 or cal.is_working_day(cal.local_date(due))
