"""Inbox figures on hand-made cases whose answers are known."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from rich.console import Console

from veilleur.core.case import Case, CaseState, Priority
from veilleur.inbox.calendar import Calendars
from veilleur.inbox.figures import DurationStats, business, compute, render
from veilleur.inbox.service_level_settings import ChannelCost, FigureSettings, ServiceLevelSettings

PARIS = ZoneInfo("Europe/Paris")
SETTINGS = ServiceLevelSettings()
CALENDARS = Calendars(SETTINGS)
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=PARIS)  # a Friday
MIN = timedelta(minutes=1)


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def case(n: int, opened: datetime, **fields) -> Case:
    values = {"id": n, "state": CaseState.CLOSED, "priority": Priority.P3, "queue": "community", "opened_at": opened,
              "conversation_key": f"thread:x:{n}", "entity": "helios", "intent": "question"}
    values.update(fields)
    return Case(**values)


CASES = [
    # Four questions answered in public; the third also moved to private; the fourth escalated.
    case(1, paris(2026, 11, 23, 10, 0), first_response_at=paris(2026, 11, 23, 10, 10),
         answered_at=paris(2026, 11, 23, 10, 10), answered_in_public=True, state_reason="answered_public",
         closed_at=paris(2026, 11, 23, 11, 0)),
    case(2, paris(2026, 11, 23, 17, 50), first_response_at=paris(2026, 11, 24, 9, 20),  # 30 business minutes
         answered_at=paris(2026, 11, 24, 9, 20), answered_in_public=True, state_reason="answered_public",
         closed_at=paris(2026, 11, 24, 10, 0)),
    case(3, paris(2026, 11, 24, 14, 0), first_response_at=paris(2026, 11, 24, 15, 0), answered_in_public=True,
         moved_private=True, answered_at=paris(2026, 11, 24, 16, 0), state_reason="handled_privately",
         closed_at=paris(2026, 11, 24, 16, 0)),
    case(4, paris(2026, 10, 30, 9, 0), first_response_at=paris(2026, 10, 30, 11, 0), answered_in_public=True,
         escalated=True, state=CaseState.ANSWERED, answered_at=paris(2026, 10, 30, 13, 0), queue="back-office"),
    # An insult closed by policy: no response, no resolution time.
    case(5, paris(2026, 11, 25, 9, 0), intent="other", state_reason="policy", closed_at=paris(2026, 11, 25, 9, 5)),
    # Open complaint, first response due long ago: breached; escalated.
    case(6, paris(2026, 11, 20, 9, 0), intent="complaint", state=CaseState.ESCALATED, escalated=True,
         queue="back-office", entity="helios-normandie", priority=Priority.P2),
    # Open question received last evening, P3 first response 4 h: 3 h 30 used of 4 (88 %) → warning.
    case(7, paris(2026, 11, 26, 17, 30), state=CaseState.NEW),
]


def test_response_times_are_business_time_medians_and_p90():
    figures = compute(CASES, CALENDARS, SETTINGS, NOW)
    assert figures.first_response == DurationStats(4, timedelta(minutes=45), timedelta(minutes=102))
    # resolutions: 10 min, 30 min, 2 h, 4 h (case 4, answered) → median 75 min; policy close left out
    assert figures.resolution.count == 4 and figures.resolution.median == 75 * MIN


def test_public_unidentified_share_counts_only_questions_neither_escalated_nor_private():
    figures = compute(CASES, CALENDARS, SETTINGS, NOW)
    assert (figures.questions_public_unidentified, figures.questions_responded) == (2, 4)
    assert figures.public_unidentified_share == 0.5


def test_escalation_backlog_and_months():
    figures = compute(CASES, CALENDARS, SETTINGS, NOW)
    assert figures.escalated == 2 and figures.escalation_rate == 2 / 7
    assert figures.backlog == 3 and figures.backlog_by_queue == {"back-office": 2, "community": 1}
    # case 4, 30 Oct 9:00 → 27 Nov 12:00: 19 working days (11 Nov is a holiday) × 9 h + 3 h
    assert figures.oldest_open == 174 * timedelta(hours=1)
    assert figures.per_month[("2026-10", "back-office", "helios")] == 1
    assert figures.per_month[("2026-11", "community", "helios")] == 5


def test_sla_breaches_and_warnings():
    figures = compute(CASES, CALENDARS, SETTINGS, NOW)
    assert figures.sla_breached["first_response"] == 1  # case 6
    assert figures.sla_warning["first_response"] == 1  # case 7
    assert figures.sla_breached["resolution"] == 1  # case 6 (P2: end of Monday); case 4 answered in time


def test_cost_estimate_uses_the_configured_costs():
    settings = ServiceLevelSettings(figures=FigureSettings(costs={
        "classic": ChannelCost(label="téléphone", cost_eur=8.0), "social": ChannelCost(label="social", cost_eur=2.0)}))
    cost = compute(CASES, CALENDARS, settings, NOW).cost
    assert (cost.responded, cost.deflected) == (4, 2)
    assert (cost.social_cost, cost.classic_cost, cost.saving, cost.ratio) == (8.0, 32.0, 12.0, 4.0)
    default = compute(CASES, CALENDARS, SETTINGS, NOW).cost
    assert default.ratio == 20 and "20 fois" in default.social_label


def test_no_cases_give_empty_figures_not_errors():
    figures = compute([], CALENDARS, SETTINGS, NOW)
    assert figures.public_unidentified_share is None and figures.first_response.median is None
    assert business(None) == "—" and business(timedelta(minutes=125)) == "2 h 05"


def test_render_prints_every_figure():
    console = Console(record=True, width=160)
    console.print(render(compute(CASES, CALENDARS, SETTINGS, NOW)))
    text = console.export_text()
    for expected in ("first response", "45 min", "50%", "BNP Paribas: 75%", "2026-10", "saving", "20×"):
        assert expected in text, expected
