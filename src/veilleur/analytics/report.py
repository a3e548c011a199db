"""The monthly report: one self-contained HTML file for the communication team and executives, plus PNGs.

``write_report(store, settings, bank, period, out_dir)`` gathers the figures
(``analytics.report_data``), writes ``<out_dir>/rapport-<bank>-<period>.html`` and the slide
charts beside it in ``<out_dir>/rapport-<bank>-<period>-png/``. The page embeds plotly's
JavaScript from the installed Python package (no CDN, no network: it opens offline, can be
mailed as one file) and is rendered with a Jinja2 template that escapes every text by default.
At the top, a short executive summary written from the figures.

Inbox figures come from ``inbox.figures`` over the bank's cases opened in the period; without
cases the section says the inbox has none.

Imports ``analytics.report_data``, ``analytics.report_charts``, ``analytics.notify_messages``
(French names of severities and kinds), ``inbox.figures`` and ``storage.inbox_store`` (lazily), jinja2 and plotly.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import plotly.offline
from jinja2 import Environment, PackageLoader, select_autoescape

from veilleur.analytics.notify_messages import KIND_FR, SEVERITY_FR
from veilleur.analytics.report_charts import fr, plotly_figures, topic_fr, week_label, write_pngs
from veilleur.analytics.report_data import ReportFigures, gather
from veilleur.errors import VeilleurError


class ReportError(VeilleurError):
    """A report cannot be made (unknown bank, nothing to report, folder not writable)."""


@dataclass(slots=True)
class ReportFiles:
    html: Path
    pngs: list[Path]
    figures: ReportFigures


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "banque"


def percent_change(now: int, before: int) -> float | None:
    return None if before == 0 else 100 * (now - before) / before


def summary(f: ReportFigures, inbox: dict[str, Any] | None) -> list[str]:
    """The executive summary: a few French sentences written from the figures."""
    lines = [_volume_line(f), _reputation_line(f), _share_line(f)]
    if f.topics:
        top = f.topics[0]
        worst = min(f.topics, key=lambda t: t[2])
        lines.append(f"Thème le plus discuté : {topic_fr(top[0])} ({top[1]} publications, net {fr(top[2])} points) ; "
                     f"le plus négatif : {topic_fr(worst[0])} (net {fr(worst[2])} points).")
    lines.append(_watch_line(f))
    if inbox:
        lines.append("Boîte de réception : " + " ; ".join(f"{k.lower()} {v}" for k, v in list(inbox.items())[:3]) + ".")
    return lines


def _watch_line(f: ReportFigures) -> str:
    if not f.alerts:
        return "Veille : aucune alerte sur la période."
    by_level = Counter(str(a.severity) for a in f.alerts)
    names = {"critical": ("critique", "critiques"), "warning": ("de vigilance",) * 2, "info": ("d'information",) * 2}
    levels = ", ".join(f"{by_level[level]} {names[level][by_level[level] > 1]}" for level in names if by_level[level])
    line = f"Veille : {len(f.alerts)} alerte(s) ({levels}) ; {len(f.incidents)} incident(s)"
    if f.incidents:
        largest = max(f.incidents, key=lambda i: len(i.post_ids))
        line += (f", le plus important ouvert le {largest.opened_at.astimezone(f.zone):%d/%m à %H:%M} "
                 f"({len(largest.post_ids)} publications) : {largest.title}")
    return line + "."


def _volume_line(f: ReportFigures) -> str:
    change = percent_change(f.posts, f.previous_posts)
    base = f"Volume : {fr(f.posts, 0)} publications sur {f.bank} et son réseau ({f.period_label})"
    if change is None:
        return base + " ; aucune publication en base sur la période précédente, pas de comparaison."
    trend = "en hausse" if change > 0 else "en baisse" if change < 0 else "stable"
    return base + (f", {trend} de {fr(abs(change), 0)} % par rapport à la période précédente "
                   f"({fr(f.previous_posts, 0)}).")


def _reputation_line(f: ReportFigures) -> str:
    r = f.reputation
    line = (f"E-réputation nette {fr(r.net)} points [{fr(r.low)} ; {fr(r.high)}] ; pondérée par l'audience "
            f"{fr(r.net_by_reach)} points")
    weeks = [(week, rep) for week, rep in f.weekly if rep.posts >= 30]
    if len(weeks) > 1:
        week, worst = min(weeks, key=lambda pair: pair[1].net)
        line += f" ; semaine la plus négative : {week_label(week, f)} ({fr(worst.net)} points)"
    p = f.previous_reputation
    if p is None:
        return line + "."
    significant = r.low > p.high or r.high < p.low
    verdict = "écart significatif" if significant else "écart dans le bruit statistique"
    return line + f" ; {fr(r.net - p.net)} points par rapport à la période précédente ({verdict})."


def _share_line(f: ReportFigures) -> str:
    total = sum(n for _, n, _ in f.share_of_voice) or 1
    reach = sum(r for _, _, r in f.share_of_voice) or 1
    own = next((row for row in f.share_of_voice if row[0] == f.bank), (f.bank, 0, 0))
    rivals = ", ".join(f"{b} {fr(100 * n / total)} %" for b, n, _ in f.share_of_voice if b != f.bank)
    return (f"Part de voix : {fr(100 * own[1] / total)} % des publications"
            + (f" face à {rivals}" if rivals else "") + f" ; {fr(100 * own[2] / reach)} % de l'audience.")


def inbox_figures(store, settings, f: ReportFigures, now: datetime) -> dict[str, str] | None:
    """The inbox's figures (``inbox.figures``) for the bank's cases opened in the period, as label → value.

    None when the inbox has no case for the bank over the period. Backlog and service levels are
    taken at the end of the period (or now, if the period is not over).
    """
    from veilleur.inbox import figures as inbox
    from veilleur.inbox.calendar import Calendars
    from veilleur.storage import inbox_store

    with store.engine.connect() as conn:
        cases = [c for c in inbox_store.list_cases(conn)
                 if c.bank in f.banks and f.period.start <= c.opened_at < f.period.end]
    if not cases:
        return None
    at = min(now, f.period.end)
    found = inbox.compute(cases, Calendars(settings.service_levels, settings.organisation), settings.service_levels,
                          at)
    share = found.public_unidentified_share
    return {
        "Dossiers ouverts sur la période": fr(found.cases, 0),
        "Première réponse (médiane, heures ouvrées)": f"{inbox.business(found.first_response.median)} "
                                                      f"(9 sur 10 en {inbox.business(found.first_response.p90)})",
        "Résolution (médiane, heures ouvrées)": inbox.business(found.resolution.median),
        "Questions réglées en public sans identification": "—" if share is None else f"{fr(100 * share, 0)} %",
        "Taux d'escalade": "—" if found.escalation_rate is None else f"{fr(100 * found.escalation_rate, 0)} %",
        "Dossiers encore ouverts en fin de période": fr(found.backlog, 0),
        "Délais de service dépassés (première réponse / résolution)":
            f"{found.sla_breached.get('first_response', 0)} / {found.sla_breached.get('resolution', 0)}",
        "Contacts traités sur les réseaux sociaux": fr(found.cost.responded, 0),
    }


def _environment() -> Environment:
    env = Environment(loader=PackageLoader("veilleur.analytics", "report_templates"),
                      autoescape=select_autoescape(["html", "j2"]), trim_blocks=True, lstrip_blocks=True)
    env.filters["fr"] = fr
    env.filters["topic"] = topic_fr
    env.filters["severity"] = lambda value: SEVERITY_FR.get(value, str(value))
    env.filters["kind"] = lambda value: KIND_FR.get(value, str(value))
    return env


def render_html(f: ReportFigures, inbox: dict[str, Any] | None, zone: ZoneInfo, generated_at: datetime) -> str:
    """The report page, with plotly's JavaScript inlined once."""
    charts = {name: fig.to_html(full_html=False, include_plotlyjs=False, div_id=f"graphique-{name}",
                                config={"displayModeBar": False, "responsive": True})
              for name, fig in plotly_figures(f).items()}
    template = _environment().get_template("report.html.j2")
    return template.render(f=f, charts=charts, plotly_js=plotly.offline.get_plotlyjs(), summary=summary(f, inbox),
                           inbox=inbox, zone=zone, generated_at=generated_at.astimezone(zone),
                           local=lambda moment: moment.astimezone(zone).strftime("%d/%m/%Y %H:%M") if moment else "—")


def write_report(store, settings, bank: str, period: str, out_dir: Path, now: datetime | None = None) -> ReportFiles:
    """Write the HTML report and its PNG charts for ``bank`` over ``period``; returns where."""
    with store.engine.connect() as conn:
        figures = gather(conn, settings, bank, period)
    if figures.posts == 0:
        known = ", ".join(b.name for b in settings.organisation.brands) or "none configured"
        raise ReportError(f"no analysed post about {bank!r} over {period}: nothing to report "
                          f"(banks of organisation.brands: {known})")
    zone = ZoneInfo(settings.watch.timezone)
    stem = f"rapport-{slug(bank)}-{slug(period)}"
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        html_path = out_dir / f"{stem}.html"
        now = now or datetime.now(UTC)
        page = render_html(figures, inbox_figures(store, settings, figures, now), zone, now)
        html_path.write_text(page, encoding="utf-8")
        pngs = write_pngs(figures, out_dir / f"{stem}-png")
    except OSError as exc:
        raise ReportError(f"cannot write the report into {out_dir}: {exc}") from exc
    return ReportFiles(html_path, pngs, figures)
