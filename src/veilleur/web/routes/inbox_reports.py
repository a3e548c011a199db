"""The inbox's reports: SLA status (per case, and for the open cases), the complaint register, the figures.

All are computed over the cases of the caller's entities only. Roles as in ``web.routes.inbox``'s
table: SLA status for every role (``read``); the complaint register (ACPR 2022-R-01, CSV) for
customer relations, compliance and admin; the figures for communication, compliance and admin.

Imports ``access``, ``core``, ``inbox``, ``storage`` (the inbox store, for complaint records),
``web`` and FastAPI.
"""
from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from veilleur.access.permissions import Action
from veilleur.core.case import CaseState
from veilleur.inbox import figures, sla
from veilleur.inbox.calendar import Calendars
from veilleur.inbox.complaints import write_register_csv
from veilleur.inbox.figures import CostEstimate, DurationStats
from veilleur.inbox.sla import ClockState, ClockStatus
from veilleur.storage import inbox_store
from veilleur.web.deps import NowDep, app_service
from veilleur.web.inbox_support import InboxDep, allowed, hidden
from veilleur.web.routes.inbox import CASE_NOT_FOUND, Reader

router = APIRouter(prefix="/inbox", tags=["inbox"])
ComplaintReader = allowed(Action.COMPLAINTS)
FiguresReader = allowed(Action.FIGURES)


class SlaOut(BaseModel):
    """Both clocks of a case: ``left`` is business time (ISO 8601 duration), negative when over."""

    case_id: int
    worst: ClockState
    breached: bool
    first_response: ClockStatus
    resolution: ClockStatus


def calendars_of(request: Request) -> Calendars:
    settings = request.app.state.settings
    return app_service(request, "calendars", lambda: Calendars(settings.service_levels, settings.organisation))


def _sla_of(request: Request, case: Any, now: datetime) -> SlaOut:
    settings = request.app.state.settings
    found = sla.status(case, calendars_of(request).for_entity(case.entity), settings.service_levels, now)
    return SlaOut(case_id=case.id, worst=found.worst, breached=found.breached, first_response=found.first_response,
                  resolution=found.resolution)


@router.get("/cases/{case_id}/sla", response_model=SlaOut, summary="SLA status of a case",
            responses=CASE_NOT_FOUND)
def case_sla(case_id: int, actor: Reader, inbox: InboxDep, request: Request, now: NowDep) -> SlaOut:
    """First-response and resolution clocks in business time of the case's entity: met, ok, warning, breached."""
    with hidden("case", case_id):
        case = inbox.get(actor, case_id)
    return _sla_of(request, case, now)


@router.get("/sla", response_model=list[SlaOut], summary="SLA status of the open cases")
def open_cases_sla(actor: Reader, inbox: InboxDep, request: Request, now: NowDep, queue: str | None = None,
                   worst: list[ClockState] | None = Query(default=None, description="only these states")
                   ) -> list[SlaOut]:
    """The open cases of your entities, most alarming first (breached, warning, ok, met), then oldest first."""
    open_states = [s.value for s in CaseState if s != CaseState.CLOSED]
    found = [_sla_of(request, case, now) for case in inbox.list(actor, queue=queue, states=open_states)]
    if worst:
        found = [s for s in found if s.worst in worst]
    order = [ClockState.BREACHED, ClockState.WARNING, ClockState.OK, ClockState.MET]
    return sorted(found, key=lambda s: (order.index(s.worst), s.resolution.due, s.case_id))


@router.get("/complaints.csv", summary="The complaint register (CSV, ACPR 2022-R-01)",
            response_class=Response, responses={200: {"content": {"text/csv": {}}}})
def complaint_register(actor: ComplaintReader, inbox: InboxDep, now: NowDep) -> Response:
    """Complaints of your entities with both clocks (acknowledge within 10 working days, answer within 2 months).

    Semicolon-separated UTF-8 with a byte-order mark, as spreadsheet programs in France expect.
    """
    with inbox.store.engine.connect() as conn:
        records = [r for r in inbox_store.complaints(conn, sorted(actor.scope) if actor.scope is not None else None)
                   if actor.sees(r.entity)]
    channels = {c.id: c.platform or "" for c in inbox.list(actor) if c.id is not None}
    out = io.StringIO(newline="")
    write_register_csv(records, out, now, channels=channels)
    return Response(out.getvalue().encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="registre-reclamations.csv"'})


class MonthCount(BaseModel):
    month: str
    queue: str
    entity: str
    cases: int


class FiguresOut(BaseModel):
    """The inbox's figures (``inbox.figures`` gives the definitions); durations are business time."""

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
    per_month: list[MonthCount]
    sla_breached: dict[str, int]
    sla_warning: dict[str, int]
    cost: CostEstimate


@router.get("/figures", response_model=FiguresOut, summary="The inbox's figures for your entities")
def inbox_figures(actor: FiguresReader, inbox: InboxDep, request: Request, now: NowDep, queue: str | None = None,
                  entity: str | None = Query(default=None, description="this entity and the ones below it"),
                  since: date | None = Query(default=None, description="cases opened on or after this day (UTC)"),
                  until: date | None = Query(default=None, description="cases opened before this day (UTC)")
                  ) -> FiguresOut:
    """Response and resolution times (median, p90), public answers without identification, escalation rate,
    backlog, cases per month by queue and entity, SLA breaches, deflection and cost estimate."""
    cases = [c for c in inbox.list(actor, queue=queue, entity=entity)
             if (since is None or c.opened_at.date() >= since) and (until is None or c.opened_at.date() < until)]
    found = figures.compute(cases, calendars_of(request), request.app.state.settings.service_levels, now)
    values = {name: getattr(found, name) for name in FiguresOut.model_fields if name != "per_month"}
    months = [MonthCount(month=m, queue=q, entity=e, cases=n) for (m, q, e), n in sorted(found.per_month.items())]
    return FiguresOut(**values, per_month=months)
