"""The inbox's figures: response times in business time, public answers, escalations, backlog, SLA, costs.

``compute`` reads a list of cases (whatever period the caller chose) at an instant ``now`` and
returns ``InboxFigures``; ``render`` turns them into rich tables for the CLI and the demo.

Definitions (what a reader of the figures should know):
- First response: business time of the case's entity calendar from ``opened_at`` to
  ``first_response_at``. Resolution: to ``answered_at``, or to ``closed_at`` when the case was
  closed as resolved, answered in public or handled privately (cases closed by policy, as spam,
  duplicates or needing no answer are left out). Median and 90th percentile (linear interpolation).
- Public answer without identification (BNP Paribas answers 75% of its Twitter questions so): among
  cases whose intent is ``question`` and that got a response, the share answered in public and
  neither escalated nor moved to private messages.
- Escalation rate: cases ever escalated / all cases. Backlog: open cases, with their business age.
- SLA: each case's clocks at ``now`` (``inbox.sla``): breached and warning counts per clock.
- Deflection and cost: a case of a deflection intent answered in public without escalation is a
  contact the classic support did not take. Every responded case is costed at the social channel's
  cost, against what the same contacts would have cost on the classic channel. The default costs
  are labelled examples (the seeds' "web support costs 20 times less than classic channels"):
  a bank sets its own in ``service_levels.figures.costs``.

Imports ``core.case``, ``inbox.calendar``, ``inbox.sla``, ``inbox.service_level_settings``, numpy, rich.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from rich.console import Group
from rich.table import Table

from veilleur.core.case import Case, CloseReason
from veilleur.inbox.calendar import Calendars
from veilleur.inbox.service_level_settings import ServiceLevelSettings
from veilleur.inbox.sla import ClockState, status

RESOLVING_CLOSES = frozenset({CloseReason.RESOLVED, CloseReason.ANSWERED_PUBLIC, CloseReason.HANDLED_PRIVATELY})


@dataclass(frozen=True, slots=True)
class DurationStats:
    count: int
    median: timedelta | None
    p90: timedelta | None

    @classmethod
    def of(cls, durations: Sequence[timedelta]) -> DurationStats:
        if not durations:
            return cls(0, None, None)
        seconds = np.asarray([d.total_seconds() for d in durations], dtype=np.float64)
        return cls(len(durations), timedelta(seconds=round(float(np.median(seconds)))),
                   timedelta(seconds=round(float(np.percentile(seconds, 90)))))


@dataclass(frozen=True, slots=True)
class CostEstimate:
    responded: int  # cases that got a response on social media
    deflected: int  # of which: questions answered in public, never escalated nor moved private
    social_cost: float  # responded × cost of a social contact
    classic_cost: float  # the same contacts on the classic channel
    saving: float
    ratio: float  # classic / social cost of one contact
    social_label: str
    classic_label: str


@dataclass(frozen=True, slots=True)
class InboxFigures:
    now: datetime
    cases: int
    first_response: DurationStats
    resolution: DurationStats
    questions_responded: int
    questions_public_unidentified: int
    public_unidentified_share: float | None
    escalated: int
    escalation_rate: float | None
    backlog: int
    backlog_age: DurationStats
    oldest_open: timedelta | None
    backlog_by_queue: dict[str, int]
    per_month: dict[tuple[str, str, str], int]  # (YYYY-MM, queue, entity) → cases opened
    sla_breached: dict[str, int]  # clock → cases breached
    sla_warning: dict[str, int]  # clock → open cases in warning
    cost: CostEstimate


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _resolved_at(case: Case) -> datetime | None:
    if case.answered_at is not None:
        return case.answered_at
    if case.closed_at is not None and case.state_reason in RESOLVING_CLOSES:
        return case.closed_at
    return None


def _public_unidentified(case: Case) -> bool:
    return case.answered_in_public and not case.escalated and not case.moved_private


def compute(cases: list[Case], calendars: Calendars, settings: ServiceLevelSettings, now: datetime) -> InboxFigures:
    """Every figure of the inbox for ``cases`` at ``now`` (business times on each case's entity calendar)."""
    first, resolution, backlog_ages = [], [], []
    breached, warning = Counter[str](), Counter[str]()
    for case in cases:
        calendar = calendars.for_entity(case.entity)
        if case.first_response_at is not None:
            first.append(calendar.between(case.opened_at, case.first_response_at))
        if (resolved := _resolved_at(case)) is not None:
            resolution.append(calendar.between(case.opened_at, resolved))
        if case.is_open:
            backlog_ages.append(calendar.between(case.opened_at, now))
        clocks = status(case, calendar, settings, now)
        for clock in (clocks.first_response, clocks.resolution):
            if clock.state == ClockState.BREACHED:
                breached[clock.name] += 1
            elif clock.state == ClockState.WARNING:
                warning[clock.name] += 1
    questions = [c for c in cases if c.intent == "question" and (c.first_response_at or c.answered_at)]
    public = sum(_public_unidentified(c) for c in questions)
    escalated = sum(c.escalated for c in cases)
    open_cases = [c for c in cases if c.is_open]
    return InboxFigures(
        now=now, cases=len(cases), first_response=DurationStats.of(first), resolution=DurationStats.of(resolution),
        questions_responded=len(questions), questions_public_unidentified=public,
        public_unidentified_share=_share(public, len(questions)), escalated=escalated,
        escalation_rate=_share(escalated, len(cases)), backlog=len(open_cases),
        backlog_age=DurationStats.of(backlog_ages), oldest_open=max(backlog_ages, default=None),
        backlog_by_queue=dict(sorted(Counter(c.queue for c in open_cases).items())),
        per_month=_per_month(cases, settings), sla_breached=dict(breached), sla_warning=dict(warning),
        cost=_cost(cases, settings))


def _per_month(cases: list[Case], settings: ServiceLevelSettings) -> dict[tuple[str, str, str], int]:
    zone = ZoneInfo(settings.calendars[settings.default_calendar].timezone)
    counts = Counter((c.opened_at.astimezone(zone).strftime("%Y-%m"), c.queue, c.entity or "—") for c in cases)
    return dict(sorted(counts.items()))


def _cost(cases: list[Case], settings: ServiceLevelSettings) -> CostEstimate:
    costs = settings.figures.costs
    social, classic = costs["social"], costs["classic"]
    responded = [c for c in cases if c.first_response_at is not None or c.answered_at is not None]
    deflected = sum(1 for c in responded
                    if c.intent in settings.figures.deflection_intents and _public_unidentified(c))
    social_cost, classic_cost = len(responded) * social.cost_eur, len(responded) * classic.cost_eur
    return CostEstimate(len(responded), deflected, social_cost, classic_cost,
                        deflected * (classic.cost_eur - social.cost_eur), classic.cost_eur / social.cost_eur,
                        social.label, classic.label)


# -- rendering --------------------------------------------------------------------------------------
def business(duration: timedelta | None) -> str:
    """A business duration as "2 h 05" or "35 min" ("—" when there is none)."""
    if duration is None:
        return "—"
    minutes = round(duration.total_seconds() / 60)
    hours, rest = divmod(abs(minutes), 60)
    sign = "-" if minutes < 0 else ""
    return f"{sign}{hours} h {rest:02d}" if hours else f"{sign}{rest} min"


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def render(figures: InboxFigures) -> Group:
    """The figures as rich tables: key figures, cases per month, and the cost estimate."""
    key = Table(title=f"Inbox figures at {figures.now.astimezone(UTC):%d/%m/%Y %H:%M} UTC ({figures.cases} cases)",
                show_header=True)
    key.add_column("figure")
    key.add_column("value", justify="right")
    key.add_column("detail")
    key.add_row("first response (business time)", business(figures.first_response.median),
                f"median; p90 {business(figures.first_response.p90)}; n = {figures.first_response.count}")
    key.add_row("resolution (business time)", business(figures.resolution.median),
                f"median; p90 {business(figures.resolution.p90)}; n = {figures.resolution.count}")
    key.add_row("questions answered in public, unidentified", _percent(figures.public_unidentified_share),
                f"{figures.questions_public_unidentified} of {figures.questions_responded} (BNP Paribas: 75%)")
    key.add_row("escalation rate", _percent(figures.escalation_rate), f"{figures.escalated} escalated")
    key.add_row("backlog", str(figures.backlog),
                f"median age {business(figures.backlog_age.median)}, oldest {business(figures.oldest_open)}; "
                + ", ".join(f"{q}: {n}" for q, n in figures.backlog_by_queue.items()))
    for clock in ("first_response", "resolution"):
        key.add_row(f"SLA {clock.replace('_', ' ')} breached", str(figures.sla_breached.get(clock, 0)),
                    f"{figures.sla_warning.get(clock, 0)} open in warning")
    return Group(key, _months_table(figures), _cost_table(figures.cost))


def _months_table(figures: InboxFigures) -> Table:
    months = Table(title="Cases opened per month, queue and entity")
    for column in ("month", "queue", "entity", "cases"):
        months.add_column(column, justify="right" if column == "cases" else "left")
    for (month, queue, entity), count in figures.per_month.items():
        months.add_row(month, queue, entity, str(count))
    return months


def _cost_table(cost: CostEstimate) -> Table:
    table = Table(title="Deflection and cost estimate (labelled example costs; set service_levels.figures.costs)")
    table.add_column("item")
    table.add_column("value", justify="right")
    table.add_row("contacts handled on social media", str(cost.responded))
    table.add_row("of which questions settled in public (deflected)", str(cost.deflected))
    table.add_row(f"cost on social media — {cost.social_label}", f"{cost.social_cost:,.2f} €")
    table.add_row(f"same contacts on the classic channel — {cost.classic_label}", f"{cost.classic_cost:,.2f} €")
    table.add_row(f"saving on deflected contacts (classic / social = {cost.ratio:.0f}×)", f"{cost.saving:,.2f} €")
    return table
