"""SLA clocks: due times per priority in business time, met / ok / warning / breached, and the settings' checks."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from veilleur.core.case import Case, CaseState, Priority
from veilleur.errors import ConfigError
from veilleur.inbox.calendar import BusinessCalendar
from veilleur.inbox.service_level_settings import (
    BusinessDuration,
    CalendarSettings,
    ServiceLevelSettings,
    parse_business_duration,
)
from veilleur.inbox.sla import ClockState, due_times, status
from veilleur.settings import get_settings

PARIS = ZoneInfo("Europe/Paris")
SETTINGS = ServiceLevelSettings()  # P1 30m/4h, P2 1h/1d, P3 4h/2d, P4 1d/5d; warn at 80 %
CAL = BusinessCalendar("default", CalendarSettings())
H = timedelta(hours=1)


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def case(priority: str = "P2", opened_at: datetime = paris(2026, 11, 24, 10, 0), **fields) -> Case:
    return Case(id=1, state=CaseState.ASSIGNED, priority=Priority(priority), queue="cm", opened_at=opened_at,
                conversation_key="thread:x:1", **fields)


def test_due_times_count_open_hours_and_working_days():
    friday_evening = paris(2026, 11, 27, 17, 45)
    due = due_times(CAL, "P1", friday_evening, SETTINGS)
    assert due.first_response_due == paris(2026, 11, 30, 9, 15)
    assert due.resolution_due == paris(2026, 11, 30, 12, 45)
    p3 = due_times(CAL, "P3", friday_evening, SETTINGS)
    assert p3.first_response_due == paris(2026, 11, 30, 12, 45)
    assert p3.resolution_due == paris(2026, 12, 1, 23, 59, 59)  # J+2: Monday, Tuesday


def test_unknown_priority_is_named():
    with pytest.raises(Exception, match="P9"):
        due_times(CAL, "P9", paris(2026, 11, 24, 10, 0), SETTINGS)


def test_a_running_clock_is_ok_then_warning_then_breached():
    c = case("P2")  # first response due 11:00
    assert status(c, CAL, SETTINGS, paris(2026, 11, 24, 10, 30)).first_response.state == ClockState.OK
    warning = status(c, CAL, SETTINGS, paris(2026, 11, 24, 10, 48)).first_response
    assert warning.state == ClockState.WARNING and warning.left == timedelta(minutes=12)
    over = status(c, CAL, SETTINGS, paris(2026, 11, 24, 11, 30)).first_response
    assert over.state == ClockState.BREACHED and over.left == -timedelta(minutes=30)


def test_nights_do_not_use_up_a_target():
    c = case("P2", opened_at=paris(2026, 11, 24, 17, 30))  # due 9:30 next morning
    night = status(c, CAL, SETTINGS, paris(2026, 11, 25, 7, 0)).first_response
    assert night.state == ClockState.OK and night.left == 30 * timedelta(minutes=1) and night.used == 0.5


def test_a_clock_stopped_in_time_is_met_and_late_is_breached():
    met = status(case("P2", first_response_at=paris(2026, 11, 24, 10, 40)), CAL, SETTINGS,
                 paris(2026, 11, 26, 10, 0))
    assert met.first_response.state == ClockState.MET and met.first_response.left == timedelta(minutes=20)
    late = status(case("P2", first_response_at=paris(2026, 11, 24, 11, 10)), CAL, SETTINGS,
                  paris(2026, 11, 24, 12, 0))
    assert late.first_response.state == ClockState.BREACHED and late.breached


def test_closing_stops_both_clocks():
    closed = case("P1", state_reason="policy", closed_at=paris(2026, 11, 24, 10, 5))
    result = status(closed, CAL, SETTINGS, paris(2026, 12, 24, 10, 0))
    assert result.worst == ClockState.MET


def test_stored_due_times_win_over_computed_ones():
    c = case("P2", first_response_due=paris(2026, 11, 24, 15, 0), resolution_due=paris(2026, 11, 25, 18, 0))
    assert status(c, CAL, SETTINGS, paris(2026, 11, 24, 12, 0)).first_response.due == paris(2026, 11, 24, 15, 0)


def test_a_time_done_in_the_future_of_now_does_not_count_yet():
    c = case("P2", first_response_at=paris(2026, 11, 24, 10, 50))
    assert status(c, CAL, SETTINGS, paris(2026, 11, 24, 10, 30)).first_response.state == ClockState.OK


@given(st.integers(min_value=1, max_value=99), st.integers(min_value=0, max_value=59))
def test_hours_and_minutes_parse_back(hours, minutes):
    parsed = parse_business_duration(f"{hours}h{minutes}m" if minutes else f"{hours}h")
    assert parsed == BusinessDuration(business=timedelta(hours=hours, minutes=minutes))
    assert parse_business_duration(str(parsed)) == parsed


@given(st.text(max_size=8))
def test_the_duration_parser_accepts_or_explains(text):
    try:
        parsed = parse_business_duration(text)
    except ValueError as exc:
        assert "business duration" in str(exc) or "longer than zero" in str(exc)
    else:
        assert parsed.working_days > 0 or parsed.business > timedelta(0)


@pytest.mark.parametrize(("toml", "key"), [
    ('[service_levels.targets]\nP1 = { first_response = "soon", resolution = "4h" }', "service_levels.targets.P1"),
    ('[service_levels.calendars.x]\nhours = { mon = ["18:00-09:00"] }', "service_levels.calendars.x.hours"),
    ('[service_levels.calendars.x]\nholidays = "FR-Bretagne"', "service_levels.calendars.x.holidays"),
    ('[service_levels.calendars.x]\ntimezone = "Europe/Lyon"', "service_levels.calendars.x.timezone"),
    ('[service_levels]\nentity_calendars = { helios = "nope" }', "entity_calendars.helios"),
    ('[service_levels]\nwarn_at = 1.5', "service_levels.warn_at"),
    ('[service_levels.calendars.x]\nhours = { mon = ["09:00-12:00", "11:00-18:00"] }', "overlap"),
])
def test_wrong_settings_name_the_key(tmp_path, toml, key):
    path = tmp_path / "veilleur.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        get_settings(path)


def test_the_demo_settings_give_provence_its_split_shift():
    from pathlib import Path

    from veilleur.inbox.calendar import Calendars

    demo = get_settings(Path(__file__).parents[2] / "data" / "demo" / "veilleur.toml")
    calendars = Calendars(demo.service_levels, demo.organisation)
    assert calendars.for_entity("helios-provence").name == "provence"
    assert calendars.for_entity("helios-normandie").name == "helios"
    assert not calendars.for_entity("helios-provence").is_open(datetime(2026, 11, 24, 12, 0, tzinfo=UTC))
