"""SQL of the watch: counters upserted as posts arrive, the feed cursor, alerts and incidents.

Every function takes an open ``Connection`` so the caller decides the transaction: the watch
commits its counters, alerts and cursor together (``analytics.watch.update``). Imports SQLAlchemy,
``storage.tables``, ``storage.watch_tables`` and ``core.alert``.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from veilleur.core.alert import (
    Alert,
    AlertKind,
    AlertState,
    Explanation,
    Incident,
    IncidentState,
    Severity,
    TimelineEntry,
)
from veilleur.storage.base import utc
from veilleur.storage.tables import analyses, posts
from veilleur.storage.watch_tables import watch_alerts, watch_counters, watch_cursors, watch_incidents

COUNTER_KEY = ("grain", "bucket", "bank", "dimension", "value")


def _insert(conn: Connection):
    return (sqlite.insert if conn.dialect.name == "sqlite" else postgresql.insert)


# -- counters ----------------------------------------------------------------------------------
def add_counters(conn: Connection, increments: Mapping[Any, tuple[int, int]]) -> None:
    """Add (posts, reach) to each counter key (an object with the ``COUNTER_KEY`` attributes)."""
    if not increments:
        return
    rows = [{"grain": k.grain, "bucket": k.bucket, "bank": k.bank, "dimension": k.dimension, "value": k.value,
             "posts": n, "reach": r} for k, (n, r) in increments.items()]
    stmt = _insert(conn)(watch_counters)
    stmt = stmt.on_conflict_do_update(
        index_elements=list(COUNTER_KEY),
        set_={"posts": watch_counters.c.posts + stmt.excluded.posts,
              "reach": watch_counters.c.reach + stmt.excluded.reach})
    for start in range(0, len(rows), 5000):
        conn.execute(stmt, rows[start:start + 5000])


def series(conn: Connection, grain: str, start: datetime, end: datetime, *, banks: Sequence[str] | None,
           dimension: str = "all", value: str | None = None) -> list[tuple[datetime, str, int, int]]:
    """(bucket, value, posts, reach) summed over ``banks`` (None = every bank), buckets in [start, end)."""
    c = watch_counters.c
    query = (select(c.bucket, c.value, func.sum(c.posts), func.sum(c.reach))
             .where(c.grain == grain, c.bucket >= start, c.bucket < end, c.dimension == dimension)
             .group_by(c.bucket, c.value).order_by(c.bucket, c.value))
    if banks is not None:
        query = query.where(c.bank.in_(list(banks)))
    if value is not None:
        query = query.where(c.value == value)
    return [(utc(b), v, int(n), int(r)) for b, v, n, r in conn.execute(query)]


def totals(conn: Connection, grain: str, start: datetime, end: datetime, dimension: str,
           banks: Sequence[str] | None = None) -> dict[tuple[str, str], tuple[int, int]]:
    """(bank, value) → (posts, reach) over [start, end), from the ``grain`` counters."""
    c = watch_counters.c
    query = (select(c.bank, c.value, func.sum(c.posts), func.sum(c.reach))
             .where(c.grain == grain, c.bucket >= start, c.bucket < end, c.dimension == dimension)
             .group_by(c.bank, c.value))
    if banks is not None:
        query = query.where(c.bank.in_(list(banks)))
    return {(b, v): (int(n), int(r)) for b, v, n, r in conn.execute(query)}


def hourly_history(conn: Connection, start: datetime, end: datetime) -> dict[tuple[str, str, str], dict[datetime, int]]:
    """(bank, dimension, value) → {hour: posts} for the "all" and "topic" dimensions (detector warm-up)."""
    c = watch_counters.c
    query = select(c.bank, c.dimension, c.value, c.bucket, c.posts).where(
        c.grain == "hour", c.bucket >= start, c.bucket < end, c.dimension.in_(["all", "topic", "sentiment"]))
    found: dict[tuple[str, str, str], dict[datetime, int]] = defaultdict(dict)
    for bank, dimension, value, bucket, n in conn.execute(query):
        found[(bank, dimension, value)][utc(bucket)] = int(n)
    return found


# -- cursor ------------------------------------------------------------------------------------
def cursor(conn: Connection, name: str) -> int:
    """The last post id ``name`` handled (0 before the first run)."""
    found = conn.execute(select(watch_cursors.c.last_post_id).where(watch_cursors.c.name == name)).scalar()
    return int(found or 0)


def set_cursor(conn: Connection, name: str, last_post_id: int, now: datetime) -> None:
    stmt = _insert(conn)(watch_cursors).values(name=name, last_post_id=last_post_id, updated_at=now)
    conn.execute(stmt.on_conflict_do_update(index_elements=["name"],
                                            set_={"last_post_id": last_post_id, "updated_at": now}))


def post_ids_between(conn: Connection, start: datetime, end: datetime, *, banks: Sequence[str] | None = None,
                     max_id: int | None = None) -> list[int]:
    """Ids of the analysed posts created in [start, end) (about ``banks`` if given), in id order."""
    query = (select(posts.c.id).join(analyses, analyses.c.post_id == posts.c.id)
             .where(posts.c.created_at >= start, posts.c.created_at < end).order_by(posts.c.id))
    if banks is not None:
        query = query.where(analyses.c.bank.in_(list(banks)))
    if max_id is not None:
        query = query.where(posts.c.id <= max_id)
    return list(conn.execute(query).scalars())


# -- alerts ------------------------------------------------------------------------------------
def _alert_values(alert: Alert) -> dict[str, Any]:
    e = alert.explanation
    return {"kind": alert.kind.value, "subject": alert.subject, "bank": alert.bank, "entity": alert.entity,
            "severity": alert.severity.value, "state": alert.state.value, "title": alert.title,
            "explanation": {"observed": e.observed, "expected": e.expected, "threshold": e.threshold,
                            "window_s": e.window_s, "measure": e.measure, "details": e.details},
            "post_ids": list(alert.post_ids), "fired": alert.fired, "opened_at": alert.opened_at,
            "updated_at": alert.updated_at, "closed_at": alert.closed_at, "handled_by": alert.handled_by,
            "incident_id": alert.incident_id}


def _alert(row) -> Alert:
    e = row.explanation
    return Alert(kind=AlertKind(row.kind), subject=row.subject, bank=row.bank, entity=row.entity,
                 severity=Severity(row.severity), title=row.title,
                 explanation=Explanation(e["observed"], e["expected"], e["threshold"], e["window_s"], e["measure"],
                                         e.get("details") or {}),
                 post_ids=list(row.post_ids), opened_at=utc(row.opened_at), updated_at=utc(row.updated_at),
                 state=AlertState(row.state), id=row.id, incident_id=row.incident_id, fired=row.fired,
                 closed_at=utc(row.closed_at), handled_by=row.handled_by)


def save_alert(conn: Connection, alert: Alert) -> int:
    """Insert the alert (no id yet) or update it (by id); returns its id."""
    values = _alert_values(alert)
    if alert.id is None:
        alert.id = int(conn.execute(watch_alerts.insert().values(**values).returning(watch_alerts.c.id)).scalar())
    else:
        conn.execute(update(watch_alerts).where(watch_alerts.c.id == alert.id).values(**values))
    return alert.id


def latest_alert(conn: Connection, subject: str) -> Alert | None:
    """The most recently updated alert on ``subject`` (any state): what a new firing merges into."""
    row = conn.execute(select(watch_alerts).where(watch_alerts.c.subject == subject)
                       .order_by(watch_alerts.c.updated_at.desc(), watch_alerts.c.id.desc()).limit(1)).first()
    return _alert(row) if row else None


def _opened_in(query, c, start: datetime | None, end: datetime | None, banks: Sequence[str] | None):
    """``query`` (alerts or incidents) limited to those opened in [start, end) about ``banks``, newest first."""
    query = query.order_by(c.opened_at.desc(), c.id.desc())
    if start is not None:
        query = query.where(c.opened_at >= start)
    if end is not None:
        query = query.where(c.opened_at < end)
    if banks is not None:
        query = query.where(c.bank.in_(list(banks)))
    return query


def alerts(conn: Connection, *, start: datetime | None = None, end: datetime | None = None,
           banks: Sequence[str] | None = None, states: Iterable[str] | None = None,
           limit: int = 500) -> list[Alert]:
    """Alerts opened in [start, end), newest first."""
    c = watch_alerts.c
    query = _opened_in(select(watch_alerts), c, start, end, banks).limit(limit)
    if states is not None:
        query = query.where(c.state.in_(list(states)))
    return [_alert(r) for r in conn.execute(query)]


def alert(conn: Connection, alert_id: int) -> Alert | None:
    row = conn.execute(select(watch_alerts).where(watch_alerts.c.id == alert_id)).first()
    return _alert(row) if row else None


# -- incidents ---------------------------------------------------------------------------------
def _incident_values(incident: Incident) -> dict[str, Any]:
    return {"bank": incident.bank, "entity": incident.entity, "topic": incident.topic, "title": incident.title,
            "state": incident.state.value, "severity": incident.severity.value, "opened_at": incident.opened_at,
            "updated_at": incident.updated_at, "closed_at": incident.closed_at,
            "alert_ids": list(incident.alert_ids), "post_ids": list(incident.post_ids),
            "timeline": [t.to_json() for t in incident.timeline], "holding_statement": incident.holding_statement,
            "statement_status": incident.statement_status}


def _incident(row) -> Incident:
    timeline = [TimelineEntry(datetime.fromisoformat(t["at"]), t["what"], t.get("alert_id"), t.get("post_id"))
                for t in row.timeline]
    return Incident(bank=row.bank, entity=row.entity, topic=row.topic, title=row.title,
                    severity=Severity(row.severity), opened_at=utc(row.opened_at), updated_at=utc(row.updated_at),
                    holding_statement=row.holding_statement, statement_status=row.statement_status,
                    alert_ids=list(row.alert_ids), post_ids=list(row.post_ids), timeline=timeline,
                    state=IncidentState(row.state), closed_at=utc(row.closed_at), id=row.id)


def save_incident(conn: Connection, incident: Incident) -> int:
    values = _incident_values(incident)
    if incident.id is None:
        incident.id = int(conn.execute(watch_incidents.insert().values(**values)
                                       .returning(watch_incidents.c.id)).scalar())
    else:
        conn.execute(update(watch_incidents).where(watch_incidents.c.id == incident.id).values(**values))
    return incident.id


def incidents(conn: Connection, *, start: datetime | None = None, end: datetime | None = None,
              banks: Sequence[str] | None = None, open_only: bool = False, limit: int = 200) -> list[Incident]:
    """Incidents opened in [start, end) (or still open), newest first."""
    c = watch_incidents.c
    query = _opened_in(select(watch_incidents), c, start, end, banks).limit(limit)
    if open_only:
        query = query.where(c.state == IncidentState.OPEN.value)
    return [_incident(r) for r in conn.execute(query)]


def incident(conn: Connection, incident_id: int) -> Incident | None:
    row = conn.execute(select(watch_incidents).where(watch_incidents.c.id == incident_id)).first()
    return _incident(row) if row else None
