"""Round robin inside a team: order, capacity, working hours (Europe/Paris, DST), absences."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from veilleur.inbox.assignment import choose, unavailable
from veilleur.inbox.settings import Absence, Agent

FRIDAY_10H_PARIS = datetime(2026, 10, 9, 8, 0, tzinfo=UTC)  # CEST: UTC+2
MONDAY_8H30_PARIS_WINTER = datetime(2026, 11, 2, 7, 30, tzinfo=UTC)  # CET: UTC+1
SATURDAY = datetime(2026, 10, 10, 9, 0, tzinfo=UTC)


def agents(*specs: dict) -> list[Agent]:
    return [Agent(team="cm", **spec) for spec in specs]


def test_round_robin_starts_after_the_last_agent_and_wraps():
    team = agents({"login": "a"}, {"login": "b"}, {"login": "c"})
    picks, last = [], None
    for _ in range(4):
        last = choose(team, last, {}, FRIDAY_10H_PARIS).agent
        picks.append(last)
    assert picks == ["a", "b", "c", "a"]


def test_capacity_absence_and_hours_are_respected_with_reasons():
    team = agents({"login": "a", "capacity": 2}, {"login": "b", "absences": [Absence(start=date(2026, 10, 5),
                                                                                       end=date(2026, 10, 9))]},
                  {"login": "c", "schedule": {"mon": ["14:00-18:00"]}}, {"login": "d"})
    choice = choose(team, None, {"a": 2}, FRIDAY_10H_PARIS)
    assert choice.agent == "d"
    assert choice.passed_over == {"a": "at capacity (2/2)", "b": "absent until 2026-10-09", "c": "off duty (fri 10:00)"}


def test_nobody_on_saturday():
    choice = choose(agents({"login": "a"}), None, {}, SATURDAY)
    assert (choice.agent, choice.reason) == (None, "nobody available: a off duty (sat 11:00)")


@pytest.mark.parametrize(("at", "expected"), [
    (MONDAY_8H30_PARIS_WINTER, "off duty (mon 08:30)"),  # 07:30 UTC is 08:30 in winter
    (datetime(2026, 11, 2, 8, 0, tzinfo=UTC), None),  # 09:00 Paris
    (datetime(2026, 10, 9, 16, 0, tzinfo=UTC), "off duty (fri 18:00)"),  # end of slot is exclusive
])
def test_working_hours_are_local_time_across_daylight_saving(at, expected):
    assert unavailable(Agent(login="a", team="cm"), at, 0) == expected


def test_split_shifts():
    agent = Agent(login="a", team="cm", schedule={"fri": ["08:00-12:00", "14:00-17:00"]})
    assert unavailable(agent, datetime(2026, 10, 9, 11, 0, tzinfo=UTC), 0) == "off duty (fri 13:00)"
    assert unavailable(agent, datetime(2026, 10, 9, 12, 30, tzinfo=UTC), 0) is None


def test_bad_schedules_are_refused():
    with pytest.raises(ValueError, match="weekday"):
        Agent(login="a", team="cm", schedule={"monday": ["09:00-18:00"]})
    with pytest.raises(ValueError, match="start before end"):
        Agent(login="a", team="cm", schedule={"mon": ["18:00-09:00"]})
