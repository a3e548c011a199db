"""The watch over the store: follow new analysed posts, count them, run the detectors, keep alerts.

``update`` reads the feed after the watch's cursor page by page; for each page, in one
transaction: the counters (``analytics.series``), the alerts and incidents the detectors raised,
and the cursor. A crash replays at most the page that was not committed.

The detectors' memory (baselines, windows) lives in the ``Watcher``; at the start of a run it is
rebuilt by observing, alerts muted, the posts of the ``warm_days`` before the cursor's last post (a
bounded window, not history). A long-running worker keeps one ``WatchRun`` and skips that cost.

People act on alerts and incidents here too (acknowledge, close), with a journal entry each.
Imports ``analytics``, ``storage`` (feed, journal, watch_store), ``core`` and the standard library.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Connection

from veilleur.analytics import notify, series
from veilleur.analytics.alerts import AlertBook
from veilleur.analytics.banks import entity_of, networks, official_handles
from veilleur.analytics.errors import NotFound, StateConflict
from veilleur.analytics.incidents import IncidentBook
from veilleur.analytics.incidents import close as close_incident
from veilleur.analytics.signals.engine import Watcher
from veilleur.core.actor import Actor
from veilleur.core.alert import Alert, AlertState, Incident
from veilleur.storage import feed, watch_store
from veilleur.storage.journal import NewEntry, append

CURSOR = "watch"
WARM_DAYS = 28


@dataclass(slots=True)
class UpdateReport:
    posts: int = 0
    alerts_opened: int = 0
    alerts_updated: int = 0
    incidents_touched: int = 0
    last_post_id: int = 0


class WatchRun:
    """The watcher, alert book and incident book over one store, kept between updates by a long-running worker.

    The detectors' memory (``watcher``) is costly to rebuild (``WARM_DAYS`` of posts), so it is kept as
    long as it ends exactly at the watch's cursor (``seen``). Alerts and incidents are re-read at each
    update: people may have acknowledged or closed some in between.
    """

    def __init__(self, store, settings) -> None:
        self.store, self.settings, self.watch = store, settings, settings.watch
        self.tz = ZoneInfo(self.watch.timezone)
        self.watcher = self._new_watcher()
        self.seen: int | None = None  # the cursor the detectors' memory ends at; None: not warmed
        self._conn: Connection | None = None
        self.fresh_books()

    def _new_watcher(self) -> Watcher:
        organisation = self.settings.organisation
        return Watcher(self.watch, networks(organisation), official_handles(organisation))

    def fresh_books(self) -> None:
        """Forget the alerts and incidents held in memory; they are read again from the store when needed."""
        self.alerts = AlertBook(self.watch, latest=lambda subject: watch_store.latest_alert(self._conn, subject))
        self.incidents: IncidentBook | None = None

    def catch_up(self, conn: Connection, cursor: int) -> None:
        """Ready the run for posts after ``cursor``: fresh books, and detectors warmed unless they end there."""
        self.fresh_books()
        if self.seen != cursor:
            self.watcher = self._new_watcher()
            self.warm(conn, cursor)

    def warm(self, conn: Connection, cursor: int) -> None:
        """Observe the posts of the ``WARM_DAYS`` before the cursor's last post, firings discarded."""
        self.seen = cursor
        last = feed.posts_by_id(conn, [cursor]) if cursor else []
        if not last:
            return
        end = last[0].created_at + timedelta(seconds=1)
        ids = watch_store.post_ids_between(conn, end - timedelta(days=WARM_DAYS), end, max_id=cursor)
        for start in range(0, len(ids), 5000):
            for post in sorted(feed.posts_by_id(conn, ids[start:start + 5000]), key=lambda p: p.created_at):
                self.watcher.observe(post)

    def page(self, conn: Connection, posts: list[feed.AnalysedPost], now: datetime, report: UpdateReport) -> None:
        """Count, detect and keep alerts for one page, in the caller's transaction."""
        self._conn = conn
        if self.incidents is None:
            self.incidents = IncidentBook(self.watch, watch_store.incidents(conn, open_only=True))
        watch_store.add_counters(conn, series.increments(posts, self.tz))
        for post in sorted(posts, key=lambda p: p.created_at):
            for firing in self.watcher.observe(post):
                if firing.entity is None:
                    firing.entity = entity_of(self.settings.organisation, firing.bank)
                current = self.alerts.latest(firing.subject)
                rank_before = current.severity.rank if current is not None else None
                fired = self.alerts.fire(firing)
                if fired is not None:
                    self._keep(conn, *fired, firing.at, report)
                    self._notify(conn, fired[0], fired[1] or fired[0].severity.rank > (rank_before or 0), firing.at)
        watch_store.set_cursor(conn, CURSOR, posts[-1].id, now)
        report.posts += len(posts)
        report.last_post_id = posts[-1].id

    def _notify(self, conn: Connection, alert: Alert, news: bool, at: datetime) -> None:
        """Queue delivery of an alert that opened or rose in severity (merges alone would flood receivers),
        in the transaction that stores it: an alert is never kept without its deliveries, nor the reverse."""
        if news:
            notify.enqueue(conn, alert, self.settings, now=at)

    def _keep(self, conn: Connection, alert: Alert, is_new: bool, at: datetime, report: UpdateReport) -> None:
        saved_incident = alert.incident_id
        watch_store.save_alert(conn, alert)
        if is_new:
            report.alerts_opened += 1
        else:
            report.alerts_updated += 1
        incident = self.incidents.add(alert, is_new, at)
        if incident is not None:
            watch_store.save_incident(conn, incident)
            if saved_incident != incident.id:  # the alert joined an incident (maybe one just made)
                alert.incident_id = incident.id
                watch_store.save_alert(conn, alert)
            report.incidents_touched += 1


def update(store, settings, now: datetime | None = None, *,
           progress: Callable[[int], None] | None = None, run: WatchRun | None = None) -> UpdateReport:
    """Follow the feed from the watch's cursor to its end; returns what was done.

    ``run``: a ``WatchRun`` kept by the caller between updates (``workers.follow``), so that the
    detectors are warmed once rather than at every update; by default a new one.
    """
    now = now or datetime.now(UTC)
    run, report = run or WatchRun(store, settings), UpdateReport()
    with store.engine.connect() as conn:
        report.last_post_id = watch_store.cursor(conn, CURSOR)
        run.catch_up(conn, report.last_post_id)
    while True:
        run.seen = None  # until the page commits: a rolled-back page leaves the detectors to be warmed again
        with store.engine.begin() as conn:
            cursor = watch_store.cursor(conn, CURSOR)
            posts = feed.analysed_posts(conn, cursor, settings.watch.batch_size)
            if not posts:
                run.seen = cursor
                break
            run.page(conn, posts, now, report)
        run.seen = posts[-1].id
        if progress is not None:
            progress(len(posts))
    return report


# -- what people do with alerts and incidents ---------------------------------------------------
def _visible_alert(conn: Connection, actor: Actor, alert_id: int) -> Alert:
    alert = watch_store.alert(conn, alert_id)
    if alert is None or not actor.sees(alert.entity):
        raise NotFound(f"alert {alert_id} not found")
    return alert


def set_alert_state(store, actor: Actor, alert_id: int, state: AlertState, now: datetime | None = None) -> Alert:
    """Acknowledge or close an alert the actor may see; journaled. Closing starts the cool-down."""
    now = now or datetime.now(UTC)
    with store.engine.begin() as conn:
        alert = _visible_alert(conn, actor, alert_id)
        if alert.state == AlertState.CLOSED:
            raise StateConflict(f"alert {alert_id} is already closed")
        before = alert.state
        alert.state, alert.handled_by, alert.updated_at = state, actor.name, now
        if state == AlertState.CLOSED:
            alert.closed_at = now
        watch_store.save_alert(conn, alert)
        append(conn, [NewEntry(actor.name, f"alert_{state.value}", "watch_action", f"alert:{alert_id}",
                               {"from": before.value, "to": state.value, "subject": alert.subject})], now)
    return alert


def close_incident_by(store, actor: Actor, incident_id: int, now: datetime | None = None) -> Incident:
    """Close an incident the actor may see; journaled."""
    now = now or datetime.now(UTC)
    with store.engine.begin() as conn:
        incident = watch_store.incident(conn, incident_id)
        if incident is None or not actor.sees(incident.entity):
            raise NotFound(f"incident {incident_id} not found")
        if incident.state == "closed":
            raise StateConflict(f"incident {incident_id} is already closed")
        watch_store.save_incident(conn, close_incident(incident, now, actor.name))
        append(conn, [NewEntry(actor.name, "incident_closed", "watch_action", f"incident:{incident_id}",
                               {"bank": incident.bank})], now)
    return incident
