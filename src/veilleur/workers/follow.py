"""The loop that ties the rooms together after ingest: inbox intake, the watch, alert delivery.

Each room follows the stored, analysed posts with its own cursor (``storage.feed``), committed
with what it made of them, so a tick can be interrupted at any point and the next one resumes
with no loss and no duplicate. ``tick`` runs the three once; ``follow`` repeats it every few
seconds until stopped (``veilleur work``). Ingest itself stays separate (``veilleur ingest``, the
connectors), so collectors and this loop may run as separate processes on one PostgreSQL.

Imports ``inbox``, ``analytics`` and the standard library.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Connection

from veilleur.analytics import notify
from veilleur.analytics.watch import UpdateReport, WatchRun
from veilleur.analytics.watch import update as watch_update
from veilleur.core.alert import Alert, AlertKind, Explanation, Severity
from veilleur.core.case import Case, Priority
from veilleur.inbox.intake import AlertHook, Intake, IntakeReport
from veilleur.inbox.routing import Routing
from veilleur.storage import watch_store
from veilleur.storage.feed import AnalysedPost


@dataclass(slots=True)
class TickReport:
    """What one pass over the rooms did."""

    inbox: IntakeReport
    watch: UpdateReport
    deliveries: notify.DeliveryRun

    def summary(self) -> str:
        return (f"inbox: {self.inbox.read} posts read, {self.inbox.opened} cases opened, {self.inbox.joined} joined; "
                f"watch: {self.watch.posts} posts, {self.watch.alerts_opened} alerts opened, "
                f"{self.watch.alerts_updated} updated; deliveries: {self.deliveries.sent} sent, "
                f"{self.deliveries.failed} failed, {self.deliveries.dead} given up")


def case_alerts(settings: Any) -> AlertHook:
    """The inbox's ``alert`` routing action as a watch alert on the case, queued for delivery with it."""
    def raise_alert(conn: Connection, case: Case, routing: Routing, post: AnalysedPost) -> None:
        reasons = "; ".join(f"{r.name} ({', '.join(r.reasons)})" for r in routing.fired if r.reasons)
        severity = Severity.WARNING if case.priority in (Priority.P1, Priority.P2) else Severity.INFO
        alert = Alert(kind=AlertKind.CASE_FLAGGED, subject=f"case={case.id}", bank=case.bank, entity=case.entity,
                      severity=severity, title=f"Dossier {case.id} signalé par la règle « {routing.rule} »",
                      explanation=Explanation(observed=1, expected=0, threshold=1, window_s=0,
                                              measure="règle de routage de la boîte de réception",
                                              details={"reason": reasons or str(routing.rule), "case_id": case.id,
                                                       "queue": case.queue, "priority": case.priority.value}),
                      post_ids=[post.id], opened_at=post.created_at, updated_at=post.created_at)
        watch_store.save_alert(conn, alert)
        notify.enqueue(conn, alert, settings, now=post.created_at)
    return raise_alert


def tick(store: Any, settings: Any, now: datetime | None = None, *, transport: Any = None,
         watch_run: WatchRun | None = None) -> TickReport:
    """Inbox intake, then the watch, then the deliveries due: each room up to the last stored post.

    ``watch_run`` is the watch's detectors kept from the previous tick (warmed once, not every tick).
    """
    now = now or datetime.now(UTC)
    inbox = Intake(store, settings, on_alert=case_alerts(settings)).sync()
    watch = watch_update(store, settings, now, run=watch_run)
    deliveries = notify.deliver_due(store, settings, now, transport=transport)
    return TickReport(inbox, watch, deliveries)


def follow(store: Any, settings: Any, every_s: float, *, ticks: int | None = None,
           report: Callable[[TickReport], None] | None = None, sleep: Callable[[float], None] = time.sleep) -> int:
    """Run ``tick`` every ``every_s`` seconds (``ticks`` times, or until interrupted); returns the ticks run."""
    done, watch_run = 0, WatchRun(store, settings)
    while ticks is None or done < ticks:
        started = time.monotonic()
        result = tick(store, settings, watch_run=watch_run)
        done += 1
        if report is not None:
            report(result)
        if ticks is not None and done >= ticks:
            break
        sleep(max(0.0, every_s - (time.monotonic() - started)))
    return done
