"""Assignment inside a team: round robin that respects capacity, working hours and absences.

The agents of a team are taken in the order of ``inbox.agents``, starting after the one who got
the team's last case (``inbox_round_robin``), so work goes round. An agent is skipped when absent
that day, off duty at that moment (their weekly schedule, in their time zone, Europe/Paris by
default), or at capacity (open cases assigned to them). When nobody can take the case, it stays
unassigned in its queue and its ``state_reason`` says why, agent by agent. Deterministic: the time
is given, never read from the system clock.

Imports ``core``, ``storage.inbox_store``, ``inbox.settings`` and ``inbox.cases``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Connection

from veilleur.core.case import Case, CaseState
from veilleur.inbox.cases import move, save
from veilleur.inbox.settings import WEEKDAYS, Agent, InboxSettings
from veilleur.storage import inbox_store as db
from veilleur.storage.inbox_store import CaseFilter


@dataclass(slots=True)
class Choice:
    """Who gets the case (None: nobody) and, for each agent passed over, why."""

    agent: str | None
    passed_over: dict[str, str] = field(default_factory=dict)

    @property
    def reason(self) -> str:
        if self.agent is not None:
            return f"assigned to {self.agent} (round robin)"
        if not self.passed_over:
            return "no agent in the team"
        return "nobody available: " + "; ".join(f"{a} {why}" for a, why in self.passed_over.items())


def unavailable(agent: Agent, at: datetime, load: int) -> str | None:
    """Why ``agent`` cannot take a case at ``at`` with ``load`` open cases, or None if they can."""
    local = at.astimezone(ZoneInfo(agent.timezone))
    for absence in agent.absences:
        if absence.start <= local.date() <= absence.end:
            return f"absent until {absence.end.isoformat()}"
    slots = agent.schedule.get(WEEKDAYS[local.weekday()], [])
    now = local.strftime("%H:%M")
    if not any(slot[:5] <= now < slot[6:] for slot in slots):
        return f"off duty ({WEEKDAYS[local.weekday()]} {now})"
    if load >= agent.capacity:
        return f"at capacity ({load}/{agent.capacity})"
    return None


def choose(agents: list[Agent], last: str | None, loads: dict[str, int], at: datetime) -> Choice:
    """The next available agent after ``last`` in ``agents``' order."""
    logins = [a.login for a in agents]
    start = logins.index(last) + 1 if last in logins else 0
    choice = Choice(None)
    for agent in agents[start:] + agents[:start]:
        why = unavailable(agent, at, loads.get(agent.login, 0))
        if why is None:
            choice.agent = agent.login
            return choice
        choice.passed_over[agent.login] = why
    return choice


def offer(conn: Connection, case: Case, settings: InboxSettings, at: datetime, actor: str,
          journal_at: datetime | None = None) -> Choice:
    """Assign ``case`` to the next available agent of its team, or record why it waits."""
    agents = [a for a in settings.agents if a.team == case.team]
    if not agents or case.assignee is not None or not case.is_open:
        return Choice(case.assignee)
    choice = choose(agents, db.last_agent(conn, case.team), db.open_cases_by_assignee(conn), at)
    if choice.agent is None:
        if case.state_reason == f"unassigned: {choice.reason}":
            return choice  # nothing new to say
        case.state_reason = f"unassigned: {choice.reason}"
        save(conn, case, actor, "assignment_waiting", {"team": case.team, "why": choice.passed_over}, at, journal_at)
        return choice
    case.assignee = choice.agent
    if case.state == CaseState.NEW:
        move(case, CaseState.ASSIGNED, choice.reason, at)
    save(conn, case, actor, "assigned", {"assignee": choice.agent, "team": case.team, "round_robin": True,
                                         "passed_over": choice.passed_over}, at, journal_at)
    db.set_last_agent(conn, case.team, choice.agent, at)
    return choice


def assign_waiting(store, settings: InboxSettings, at: datetime, actor: str) -> dict[int, Choice]:
    """Offer every unassigned open case (most urgent, then oldest first) to its team, in one transaction."""
    done: dict[int, Choice] = {}
    with store.engine.begin() as conn:
        waiting = [c for c in db.list_cases(conn, CaseFilter(states=[CaseState.NEW.value, CaseState.ESCALATED.value]))
                   if c.assignee is None and c.team]
        for case in sorted(waiting, key=lambda c: (c.priority.rank, c.opened_at, c.id)):
            done[case.id] = offer(conn, case, settings, at, actor)
    return done
