"""The inbox part of ``veilleur demo``: queues, top cases, SLA status, complaints and the figures.

"Now" is the time of the last stored post (the end of the demo's story), not the wall clock, so
that SLA states read as they would have on that day. The figures come from ``inbox.figures``.

Imports ``cli.common`` and the inbox room.
"""
from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

from rich.table import Table

from veilleur.cli.common import out


def print_demo(settings: Any, store: Any, report: Any) -> None:
    from veilleur.inbox.calendar import Calendars
    from veilleur.storage import inbox_store as db
    from veilleur.storage.feed import last_post_id, posts_by_id

    out.rule("[bold]inbox (SAV)")
    out.print(f"{report.read} posts read: {report.opened} cases opened, {report.joined} posts joined a case, "
              f"{report.reopened} reopened, {report.bank_replies} bank replies seen, {report.skipped} needed no "
              f"case, {report.ignored} about other banks", highlight=False)
    with store.engine.connect() as conn:
        cases = db.list_cases(conn)
        complaints = db.complaints(conn)
        last = posts_by_id(conn, [last_post_id(conn)])
    now = last[0].created_at if last else datetime.now(UTC)
    out.print(queue_table(cases))
    out.print(top_table(cases, now))
    calendars = Calendars(settings.service_levels, settings.organisation)
    out.print(sla_table(cases, calendars, settings, now))
    print_complaints(complaints, now)
    by_rule = Counter(c.rule or "(default)" for c in cases)
    out.print("cases by routing rule: " + ", ".join(f"{rule} {n}" for rule, n in by_rule.most_common()),
              highlight=False)
    from veilleur.inbox import figures

    out.print(figures.render(figures.compute(cases, calendars, settings.service_levels, now)))


def queue_table(cases: list) -> Table:
    counts = Counter((c.queue, c.state.value) for c in cases)
    states = ["new", "assigned", "waiting_customer", "escalated", "answered", "closed"]
    table = Table(title="cases by queue and state")
    table.add_column("queue")
    for state in states:
        table.add_column(state, justify="right")
    table.add_column("total", justify="right")
    for queue in sorted({q for q, _ in counts}):
        row = [counts.get((queue, s), 0) for s in states]
        table.add_row(queue, *(str(n) for n in row), str(sum(row)))
    return table


def top_table(cases: list, now: datetime) -> Table:
    open_cases = sorted((c for c in cases if c.is_open), key=lambda c: (c.priority.rank, c.opened_at))[:10]
    table = Table(title=f"top 10 open cases by priority and age (as of {now:%Y-%m-%d %H:%M} UTC)")
    for column in ("id", "prio", "age", "state", "queue", "assignee", "author", "tags", "why"):
        table.add_column(column, overflow="fold")
    for c in open_cases:
        age = now - c.opened_at
        table.add_row(str(c.id), c.priority.value, f"{age.days} d {age.seconds // 3600} h", c.state.value, c.queue,
                      c.assignee or "-", c.author_handle or "-", ", ".join(c.tags), c.state_reason or c.rule or "-")
    return table


def sla_table(cases: list, calendars: Any, settings: Any, now: datetime) -> Table:
    from veilleur.inbox import sla

    first, resolution = Counter(), Counter()
    for case in cases:
        if case.first_response_due is None:
            continue
        status = sla.status(case, calendars.for_entity(case.entity), settings.service_levels, now)
        first[status.first_response.state.value] += 1
        resolution[status.resolution.state.value] += 1
    table = Table(title="SLA status (business hours)")
    table.add_column("clock")
    for state in ("met", "ok", "warning", "breached"):
        table.add_column(state, justify="right")
    for name, counts in (("first response", first), ("resolution", resolution)):
        table.add_row(name, *(str(counts.get(s, 0)) for s in ("met", "ok", "warning", "breached")))
    return table


def print_complaints(records: list, now: datetime) -> None:
    from veilleur.inbox.complaints import is_late

    late = sum(1 for r in records if is_late(r, now))
    acknowledged = sum(1 for r in records if r.acknowledged_at is not None)
    out.print(f"complaints (ACPR 2022-R-01): {len(records)} recorded, {acknowledged} acknowledged, {late} late",
              highlight=False)
