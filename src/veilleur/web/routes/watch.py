"""``/watch``: the watch's measures, alerts and incidents over the API.

Roles (admin may do everything):

    route                                    community_manager  communication  compliance  others
    GET series, reputation, share-of-voice,  yes                yes            yes         403
        topics, terms, alerts, incidents
    GET authors (handles and bios)           no                 yes            yes         403
    POST alerts/{id}/acknowledge|close,      no                 yes            no          403
         incidents/{id}/close

Entity scope: an actor attached to an entity sees the measures of the banks of its entities
(others: 404) and the alerts and incidents of its entities (others: 404, as if absent); share of
voice shows its own banks beside the competitors. Periods are ``YYYY-MM``, ``YYYY-MM-DD`` or
``YYYY-MM-DD..YYYY-MM-DD`` (Europe/Paris days). Every measure carries its formula.

Imports ``analytics`` (queries, watch, series), ``core``, ``web.deps`` and FastAPI.
"""
from __future__ import annotations

from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query

from veilleur.analytics import queries
from veilleur.analytics.series import Period, parse_period
from veilleur.analytics.watch import close_incident_by, set_alert_state
from veilleur.core.actor import Actor, Role
from veilleur.core.alert import AlertState
from veilleur.web.deps import NowDep, SettingsDep, StoreDep, require_roles

router = APIRouter(prefix="/watch", tags=["watch"])
Reader = Annotated[Actor, Depends(require_roles(Role.COMMUNITY_MANAGER, Role.COMMUNICATION, Role.COMPLIANCE))]
AuthorReader = Annotated[Actor, Depends(require_roles(Role.COMMUNICATION, Role.COMPLIANCE))]
Responder = Annotated[Actor, Depends(require_roles(Role.COMMUNICATION))]
PeriodQuery = Annotated[str, Query(description="YYYY-MM, YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD", examples=["2026-10"])]
BankQuery = Annotated[str | None, Query(description="a bank's name; its regional banks are included")]


def period_of(settings, text: str) -> Period:
    return parse_period(text, ZoneInfo(settings.watch.timezone))


@router.get("/series", summary="Posts and reach per bucket")
def series(actor: Reader, settings: SettingsDep, store: StoreDep, period: PeriodQuery, bank: BankQuery = None,
           grain: str = "day", dimension: str = "all", value: str | None = None) -> dict[str, Any]:
    found = queries.series(store, settings, period_of(settings, period), grain=grain, bank=bank, dimension=dimension,
                           value=value, actor=actor)
    return {"period": period, "grain": grain, "dimension": dimension, "bank": bank,
            "series": {v: [{"bucket": p.bucket.isoformat(), "posts": p.posts, "reach": p.reach} for p in points]
                       for v, points in found.items()}}


@router.get("/reputation", summary="Net sentiment with its interval, change and trend")
def reputation(actor: Reader, settings: SettingsDep, store: StoreDep, period: PeriodQuery, bank: BankQuery = None,
               topic: str | None = None) -> dict[str, Any]:
    return queries.reputation(store, settings, period_of(settings, period), bank=bank, topic=topic,
                              actor=actor).to_json()


@router.get("/share-of-voice", summary="Shares of own and competitor banks, overall and per topic")
def share_of_voice(actor: Reader, settings: SettingsDep, store: StoreDep, period: PeriodQuery) -> dict[str, Any]:
    return queries.share_of_voice(store, settings, period_of(settings, period), actor=actor).to_json()


@router.get("/topics", summary="Top topics with their net sentiment")
def topics(actor: Reader, settings: SettingsDep, store: StoreDep, period: PeriodQuery,
           bank: BankQuery = None) -> list[dict[str, Any]]:
    return queries.top_topics(store, settings, period_of(settings, period), bank=bank, actor=actor)


@router.get("/terms", summary="Trending terms (Dunning log-likelihood against the period before)")
def terms(actor: Reader, settings: SettingsDep, store: StoreDep, period: PeriodQuery, bank: BankQuery = None,
          baseline: str | None = None) -> dict[str, Any]:
    base = period_of(settings, baseline) if baseline else None
    return queries.trending_terms(store, settings, period_of(settings, period), bank=bank, baseline=base, actor=actor)


@router.get("/authors", summary="Most active, widest reach, opinion leaders, trolls, super-users")
def authors(actor: AuthorReader, settings: SettingsDep, store: StoreDep, period: PeriodQuery,
            bank: BankQuery = None) -> dict[str, Any]:
    return queries.authors(store, settings, period_of(settings, period), bank=bank, actor=actor).to_json()


@router.get("/alerts", summary="Alerts, newest first")
def alerts(actor: Reader, settings: SettingsDep, store: StoreDep, period: str | None = None, bank: BankQuery = None,
           state: Annotated[list[str] | None, Query()] = None) -> list[dict[str, Any]]:
    chosen = period_of(settings, period) if period else None
    return [a.to_json() for a in queries.alerts(store, settings, chosen, bank=bank, states=state, actor=actor)]


@router.get("/alerts/{alert_id}", summary="One alert, why it fired and its posts")
def alert(alert_id: int, actor: Reader, store: StoreDep) -> dict[str, Any]:
    return queries.alert(store, alert_id, actor).to_json()


@router.post("/alerts/{alert_id}/acknowledge", summary="Acknowledge an alert (journaled)")
def acknowledge(alert_id: int, actor: Responder, store: StoreDep, now: NowDep) -> dict[str, Any]:
    return set_alert_state(store, actor, alert_id, AlertState.ACKNOWLEDGED, now).to_json()


@router.post("/alerts/{alert_id}/close", summary="Close an alert (journaled; its subject then cools down)")
def close(alert_id: int, actor: Responder, store: StoreDep, now: NowDep) -> dict[str, Any]:
    return set_alert_state(store, actor, alert_id, AlertState.CLOSED, now).to_json()


@router.get("/incidents", summary="Incidents, newest first")
def incidents(actor: Reader, settings: SettingsDep, store: StoreDep, period: str | None = None,
              bank: BankQuery = None, open_only: bool = False) -> list[dict[str, Any]]:
    chosen = period_of(settings, period) if period else None
    return [i.to_json() for i in queries.incidents(store, settings, chosen, bank=bank, open_only=open_only,
                                                   actor=actor)]


@router.get("/incidents/{incident_id}", summary="One incident: alerts, posts, timeline, holding statement (draft)")
def incident(incident_id: int, actor: Reader, store: StoreDep) -> dict[str, Any]:
    return queries.incident(store, incident_id, actor).to_json()


@router.post("/incidents/{incident_id}/close", summary="Close an incident (journaled)")
def close_incident(incident_id: int, actor: Responder, store: StoreDep, now: NowDep) -> dict[str, Any]:
    return close_incident_by(store, actor, incident_id, now).to_json()
