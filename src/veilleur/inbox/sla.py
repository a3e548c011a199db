"""Service-level clocks of a case: when its first response and resolution are due, and how each stands.

``due_times`` places the two targets of a priority on the case's business calendar; ``status``
says, for each clock, whether it is met, ok, warning (``warn_at`` of the target used) or
breached, with the business time left (negative: over). Clocks do not pause while the case
waits on the customer: the targets are the bank's promise to answer, whatever happens after.

A clock stops at the first of: its own time (``first_response_at``; ``answered_at`` for the
resolution) or the case's closing (a case closed by policy, "never answer an insult", needs no
answer and is not late for it). Imports ``core.case`` and ``inbox.calendar`` / ``inbox.service_level_settings``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from veilleur.core.case import Case
from veilleur.inbox.calendar import BusinessCalendar, ServiceLevelError
from veilleur.inbox.service_level_settings import BusinessDuration, ServiceLevelSettings


class ClockState(StrEnum):
    MET = "met"  # done on or before the due time
    OK = "ok"  # running, less than warn_at of the target used
    WARNING = "warning"  # running, warn_at of the target used or more
    BREACHED = "breached"  # running past the due time, or done after it


@dataclass(frozen=True, slots=True)
class SlaDue:
    first_response_due: datetime
    resolution_due: datetime


@dataclass(frozen=True, slots=True)
class ClockStatus:
    """One clock of one case at one instant.

    Attributes:
        state: met / ok / warning / breached.
        due: when the clock is due (UTC).
        done_at: when it stopped, or None while it runs.
        left: business time from now (or from ``done_at``) to ``due``; negative when over.
        used: share of the target's business time used (1.0 = at the due time).
    """

    name: str
    state: ClockState
    due: datetime
    done_at: datetime | None
    left: timedelta
    used: float


@dataclass(frozen=True, slots=True)
class SlaStatus:
    first_response: ClockStatus
    resolution: ClockStatus

    @property
    def worst(self) -> ClockState:
        """The most alarming state of the two clocks (breached > warning > ok > met)."""
        order = [ClockState.MET, ClockState.OK, ClockState.WARNING, ClockState.BREACHED]
        return max(self.first_response.state, self.resolution.state, key=order.index)

    @property
    def breached(self) -> bool:
        return ClockState.BREACHED in (self.first_response.state, self.resolution.state)


def due_after(calendar: BusinessCalendar, start: datetime, duration: BusinessDuration) -> datetime:
    """When a target ``duration`` started at ``start`` is due: open time, or the end of the N-th working day."""
    if duration.working_days:
        return calendar.add_working_days(start, duration.working_days)
    return calendar.add(start, duration.business)


def due_times(calendar: BusinessCalendar, priority: str, opened_at: datetime,
              settings: ServiceLevelSettings) -> SlaDue:
    """The first-response and resolution due times of a case of ``priority`` opened at ``opened_at``."""
    target = settings.targets.get(str(priority))  # type: ignore[call-overload]
    if target is None:
        raise ServiceLevelError(f"service_levels.targets: no target for priority {priority!r} "
                                f"({', '.join(settings.targets)})")
    return SlaDue(due_after(calendar, opened_at, target.first_response_duration),
                  due_after(calendar, opened_at, target.resolution_duration))


def clock_status(name: str, calendar: BusinessCalendar, started: datetime, due: datetime,
                 done_at: datetime | None, now: datetime, warn_at: float) -> ClockStatus:
    """The state of one clock started at ``started``, due at ``due``, stopped at ``done_at`` (or running)."""
    target = calendar.between(started, due)
    until = done_at if done_at is not None and done_at <= now else now
    used_time = calendar.between(started, until)
    used = used_time / target if target > timedelta(0) else (1.0 if until >= due else 0.0)
    left = calendar.between(until, due)
    stopped = done_at is not None and done_at <= now
    if stopped:
        state = ClockState.MET if done_at <= due else ClockState.BREACHED
    elif now > due:
        state = ClockState.BREACHED
    else:
        state = ClockState.WARNING if used >= warn_at else ClockState.OK
    return ClockStatus(name, state, due, done_at if stopped else None, left, used)


def status(case: Case, calendar: BusinessCalendar, settings: ServiceLevelSettings, now: datetime) -> SlaStatus:
    """Both clocks of ``case`` at ``now``; due times come from the case, or are computed when it has none."""
    computed = None
    if case.first_response_due is None or case.resolution_due is None:
        computed = due_times(calendar, case.priority, case.opened_at, settings)
    first_due = case.first_response_due or computed.first_response_due  # type: ignore[union-attr]
    resolution_due = case.resolution_due or computed.resolution_due  # type: ignore[union-attr]
    first_done = _earliest(case.first_response_at, case.answered_at, case.closed_at)
    resolved = _earliest(case.answered_at, case.closed_at)
    return SlaStatus(
        clock_status("first_response", calendar, case.opened_at, first_due, first_done, now, settings.warn_at),
        clock_status("resolution", calendar, case.opened_at, resolution_due, resolved, now, settings.warn_at))


def _earliest(*times: datetime | None) -> datetime | None:
    present = [t for t in times if t is not None]
    return min(present) if present else None
