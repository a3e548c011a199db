"""What the watch answers, over a period and a bank, seen by an actor: the functions the CLI, the API
and the reports (``analytics.report*``, ``analytics.notify*``) call.

Every function takes the store, the ``Settings``, a ``Period`` (``series.parse_period``), an
optional bank (its regional banks included) and an ``Actor``; an actor scoped to entities sees
only the banks of those entities (``banks.visible_banks``) and the alerts and incidents of those
entities; asking for another bank raises ``NotFound``.

Imports ``analytics`` modules, ``storage.watch_store``, ``core`` and the standard library.
"""
from __future__ import annotations

from typing import Any

from veilleur.analytics import authors as authors_module
from veilleur.analytics import reputation as reputation_module
from veilleur.analytics import share_of_voice as sov_module
from veilleur.analytics import terms as terms_module
from veilleur.analytics.banks import family, visible_banks
from veilleur.analytics.errors import NotFound
from veilleur.analytics.series import DIMENSIONS, GRAINS, Period, Point
from veilleur.core.actor import SYSTEM, Actor
from veilleur.core.alert import Alert, Incident
from veilleur.storage import watch_store


def banks_for(settings, bank: str | None, actor: Actor = SYSTEM) -> list[str] | None:
    """The bank names a query covers: ``bank`` and its family, or everything the actor may see."""
    visible = visible_banks(settings.organisation, actor.scope)
    if bank is None:
        return visible
    names = family(settings.organisation, bank)
    if visible is not None:
        names = [n for n in names if n in visible]
        if not names:
            raise NotFound(f"no bank {bank!r} among the banks you may see ({', '.join(visible) or 'none'})")
    return names


def series(store, settings, period: Period, *, grain: str = "day", bank: str | None = None,
           dimension: str = "all", value: str | None = None, actor: Actor = SYSTEM) -> dict[str, list[Point]]:
    """Posts and reach per bucket, one series per value of ``dimension`` (summed over the banks)."""
    if grain not in GRAINS:
        raise NotFound(f"unknown grain {grain!r} (one of {', '.join(GRAINS)})")
    if dimension not in DIMENSIONS:
        raise NotFound(f"unknown dimension {dimension!r} (one of {', '.join(DIMENSIONS)})")
    found: dict[str, list[Point]] = {}
    with store.engine.connect() as conn:
        rows = watch_store.series(conn, grain, period.start, period.end, banks=banks_for(settings, bank, actor),
                                  dimension=dimension, value=value)
    for bucket, val, posts, reach in rows:
        found.setdefault(val, []).append(Point(bucket, posts, reach))
    return found


def reputation(store, settings, period: Period, *, bank: str | None = None, topic: str | None = None,
               actor: Actor = SYSTEM) -> reputation_module.Reputation:
    with store.engine.connect() as conn:
        return reputation_module.reputation(conn, period, banks_for(settings, bank, actor), bank=bank,
                                            level=settings.watch.confidence, topic=topic)


def share_of_voice(store, settings, period: Period, *, actor: Actor = SYSTEM) -> sov_module.ShareOfVoice:
    """Shares of own and competitor banks; a scoped actor sees its own banks and the competitors."""
    with store.engine.connect() as conn:
        result = sov_module.share_of_voice(conn, settings.organisation, period)
    visible = visible_banks(settings.organisation, actor.scope)
    if visible is not None:
        keep = set(visible)
        result.overall = [v for v in result.overall if v.kind == "competitor" or v.bank in keep]
        result.by_topic = {t: [v for v in vs if v.kind == "competitor" or v.bank in keep]
                           for t, vs in result.by_topic.items()}
    return result


def top_topics(store, settings, period: Period, *, bank: str | None = None, actor: Actor = SYSTEM,
               top: int = 10) -> list[dict[str, Any]]:
    """Topics by posts over the period, with reach and their net sentiment."""
    with store.engine.connect() as conn:
        banks = banks_for(settings, bank, actor)
        rows = watch_store.totals(conn, "hour", period.start, period.end, "topic", banks)
        counts: dict[str, list[int]] = {}
        for (_bank, topic), (n, r) in rows.items():
            c = counts.setdefault(topic, [0, 0])
            c[0] += n
            c[1] += r
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1][0], kv[0]))[:top]
        return [{"topic": t, "posts": n, "reach": r,
                 "net": reputation_module.balance(conn, period.start, period.end, banks, topic=t).net}
                for t, (n, r) in ranked]


def trending_terms(store, settings, period: Period, *, bank: str | None = None, baseline: Period | None = None,
                   actor: Actor = SYSTEM, top: int = 20) -> dict[str, Any]:
    with store.engine.connect() as conn:
        return terms_module.trending(conn, period, banks_for(settings, bank, actor), baseline, top=top)


def authors(store, settings, period: Period, *, bank: str | None = None, actor: Actor = SYSTEM,
            top: int = 10) -> authors_module.AuthorBoard:
    with store.engine.connect() as conn:
        return authors_module.author_board(conn, period, banks_for(settings, bank, actor), settings.watch,
                                           settings.organisation, top)


def alerts(store, settings, period: Period | None = None, *, bank: str | None = None, states: list[str] | None = None,
           actor: Actor = SYSTEM, limit: int = 500) -> list[Alert]:
    """Alerts opened in the period (all when None), newest first, that the actor may see."""
    with store.engine.connect() as conn:
        found = watch_store.alerts(conn, start=period.start if period else None, end=period.end if period else None,
                                   banks=family(settings.organisation, bank) if bank else None, states=states,
                                   limit=limit)
    return [a for a in found if actor.sees(a.entity)]


def alert(store, alert_id: int, actor: Actor = SYSTEM) -> Alert:
    with store.engine.connect() as conn:
        found = watch_store.alert(conn, alert_id)
    if found is None or not actor.sees(found.entity):
        raise NotFound(f"alert {alert_id} not found")
    return found


def incidents(store, settings, period: Period | None = None, *, bank: str | None = None, open_only: bool = False,
              actor: Actor = SYSTEM) -> list[Incident]:
    with store.engine.connect() as conn:
        found = watch_store.incidents(conn, start=period.start if period else None,
                                      end=period.end if period else None,
                                      banks=family(settings.organisation, bank) if bank else None, open_only=open_only)
    return [i for i in found if actor.sees(i.entity)]


def incident(store, incident_id: int, actor: Actor = SYSTEM) -> Incident:
    with store.engine.connect() as conn:
        found = watch_store.incident(conn, incident_id)
    if found is None or not actor.sees(found.entity):
        raise NotFound(f"incident {incident_id} not found")
    return found
