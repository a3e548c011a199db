"""``veilleur watch ...``: follow the feed, alerts, incidents, e-reputation, share of voice, terms, replay.

Also ``print_watch_demo(settings, store)``, which ``veilleur demo`` calls. Imports ``cli.common``
at once and the analytics room lazily (``--help`` stays quick).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from veilleur.cli.common import ConfigOption, console, friendly, load_settings, open_store, out

watch_app = typer.Typer(help="« La veille »: e-reputation, share of voice, weak signals, alerts, incidents.",
                        no_args_is_help=True)
JsonOption = typer.Option(False, "--json", help="print JSON instead of tables")
PeriodOption = typer.Option(..., "--period", "-p", help="2026-10, 2026-10-09 or 2026-10-01..2026-10-15")
BankOption = typer.Option(None, "--bank", "-b", help="a bank's name (its regional banks included)")


def _period(settings, text: str):
    from zoneinfo import ZoneInfo

    from veilleur.analytics.series import parse_period

    return parse_period(text, ZoneInfo(settings.watch.timezone))


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:+.1%}"


@watch_app.command("update")
@friendly
def update(config: Path | None = ConfigOption) -> None:
    """Follow new analysed posts: count them, run the detectors, keep alerts and incidents."""
    from rich.progress import Progress

    from veilleur.analytics.watch import update as run_update
    from veilleur.storage.feed import last_post_id
    from veilleur.storage.watch_store import cursor

    settings = load_settings(config)
    store = open_store(settings)
    with store.engine.connect() as conn:
        todo = max(last_post_id(conn) - cursor(conn, "watch"), 0)
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("watch", total=todo)
        report = run_update(store, settings, progress=lambda n: progress.advance(task, n))
    out.print(f"{report.posts} posts followed; {report.alerts_opened} alerts opened, "
              f"{report.alerts_updated} firings merged into open alerts; cursor at post {report.last_post_id}")


def print_alerts(alerts: list) -> None:
    from rich.table import Table

    table = Table("id", "opened (UTC)", "severity", "kind", "bank", "title", "why", "posts", "state")
    for a in alerts:
        table.add_row(str(a.id), a.opened_at.strftime("%Y-%m-%d %H:%M"), a.severity.value, a.kind.value,
                      a.bank or "–", a.title, a.explanation.sentence(), str(len(a.post_ids)), a.state.value)
    out.print(table)


@watch_app.command("alerts")
@friendly
def alerts(period: str | None = typer.Option(None, "--period", "-p", help="opened in this period"),
           bank: str | None = BankOption, state: list[str] | None = typer.Option(None, "--state"),
           as_json: bool = JsonOption, config: Path | None = ConfigOption) -> None:
    """The alerts, newest first, with why they fired."""
    from veilleur.analytics import queries

    settings = load_settings(config)
    found = queries.alerts(open_store(settings), settings, _period(settings, period) if period else None, bank=bank,
                           states=state)
    _print_json([a.to_json() for a in found]) if as_json else print_alerts(found)


@watch_app.command("incidents")
@friendly
def incidents(open_only: bool = typer.Option(False, "--open", help="only open incidents"),
              as_json: bool = JsonOption, config: Path | None = ConfigOption) -> None:
    """Incidents: their alerts, posts, timeline and draft holding statement."""
    from veilleur.analytics import queries

    settings = load_settings(config)
    found = queries.incidents(open_store(settings), settings, open_only=open_only)
    if as_json:
        _print_json([i.to_json() for i in found])
        return
    for i in found:
        out.rule(f"incident {i.id} · {i.severity.value} · {i.state.value} · {i.bank or '–'}")
        out.print(f"{i.title}\nopened {i.opened_at:%Y-%m-%d %H:%M} UTC, {len(i.alert_ids)} alerts, "
                  f"{len(i.post_ids)} posts")
        for entry in i.timeline[:8]:
            out.print(f"  {entry.at:%Y-%m-%d %H:%M}  {entry.what}", highlight=False)
        out.print(f"[italic]{i.holding_statement}[/]")


def print_reputation(r) -> None:
    low, high = r.interval or (None, None)
    change = (f"; change {_pct(r.change.difference)} ({'significant' if r.change.significant else 'noise'}, "
              f"z={r.change.z})" if r.change else "")
    out.print(f"e-reputation {r.bank or 'all banks'} {r.period}: net {_pct(r.net)} "
              f"[{int(r.level * 100)}% interval {_pct(low)} … {_pct(high)}], reach-weighted {_pct(r.net_weighted)}, "
              f"{r.balance.posts} posts ({r.balance.positive} positive, {r.balance.negative} negative){change}; "
              f"trend {r.direction}", highlight=False)


@watch_app.command("reputation")
@friendly
def reputation(period: str = PeriodOption, bank: str | None = BankOption,
               topic: str | None = typer.Option(None, help="only this topic's posts"),
               as_json: bool = JsonOption, config: Path | None = ConfigOption) -> None:
    """Net sentiment with its confidence interval, change against the period before, and trend."""
    from veilleur.analytics import queries

    settings = load_settings(config)
    result = queries.reputation(open_store(settings), settings, _period(settings, period), bank=bank, topic=topic)
    if as_json:
        _print_json(result.to_json())
        return
    print_reputation(result)
    out.print(f"[dim]{result.formula}[/]")


def print_share_of_voice(result) -> None:
    from rich.table import Table

    table = Table("bank", "kind", "posts", "share", "reach", "reach share", title=f"share of voice {result.period}")
    for v in result.overall:
        table.add_row(v.bank, v.kind, str(v.posts), f"{v.share:.1%}", f"{v.reach:,}".replace(",", " "),
                      f"{v.reach_share:.1%}")
    out.print(table)


@watch_app.command("share-of-voice")
@friendly
def share_of_voice(period: str = PeriodOption, as_json: bool = JsonOption, config: Path | None = ConfigOption) -> None:
    """Shares of volume and reach of own banks against the competitors, overall and per topic."""
    from veilleur.analytics import queries

    settings = load_settings(config)
    result = queries.share_of_voice(open_store(settings), settings, _period(settings, period))
    if as_json:
        _print_json(result.to_json())
        return
    print_share_of_voice(result)
    for topic, voices in result.by_topic.items():
        out.print(f"  {topic}: " + ", ".join(f"{v.bank} {v.share:.0%}" for v in voices), highlight=False)


@watch_app.command("terms")
@friendly
def terms(period: str = PeriodOption, bank: str | None = BankOption,
          baseline: str | None = typer.Option(None, help="compare with this period (default: the one before)"),
          as_json: bool = JsonOption, config: Path | None = ConfigOption) -> None:
    """Trending terms and phrases by log-likelihood (G²) against a baseline period."""
    from veilleur.analytics import queries

    settings = load_settings(config)
    result = queries.trending_terms(open_store(settings), settings, _period(settings, period), bank=bank,
                                    baseline=_period(settings, baseline) if baseline else None)
    if as_json:
        _print_json(result)
        return
    out.print(f"trending {result['period']} against {result['baseline']}:")
    for t in result["terms"]:
        out.print(f"  {t['term']:<32} {t['posts']:>5} posts (baseline {t['baseline_posts']}), G² {t['g2']}",
                  highlight=False)


@watch_app.command("authors")
@friendly
def authors(period: str = PeriodOption, bank: str | None = BankOption, as_json: bool = JsonOption,
            config: Path | None = ConfigOption) -> None:
    """Most active authors, widest reach, opinion leaders, trolls and super-users."""
    from veilleur.analytics import queries

    settings = load_settings(config)
    board = queries.authors(open_store(settings), settings, _period(settings, period), bank=bank)
    if as_json:
        _print_json(board.to_json())
        return
    for title, people in (("opinion leaders", board.opinion_leaders), ("most active", board.most_active),
                          ("widest reach", board.most_reach), ("trolls", board.trolls),
                          ("super-users", board.super_users)):
        out.print(f"{title}: " + (", ".join(f"@{a.handle} ({a.role or a.posts})" if title == "opinion leaders"
                                            else f"@{a.handle}" for a in people) or "–"), highlight=False)


@watch_app.command("replay")
@friendly
def replay(scenario: str = typer.Argument(..., help="a scenario name of data/scenarios (tuning, heldout) or a path"),
           folder: Path = typer.Option(Path("data/scenarios"), help="where scenarios are"),
           as_json: bool = JsonOption, config: Path | None = ConfigOption) -> None:
    """Run the detectors over a scenario on a simulated clock: detection delays and false alarms."""
    from veilleur.analytics.replay import find_scenario
    from veilleur.analytics.replay import replay as run_replay

    if not folder.is_dir():
        folder = Path(__file__).resolve().parents[3] / "data" / "scenarios"
    settings = load_settings(config)
    result = run_replay(find_scenario(scenario, folder), settings.watch)
    if as_json:
        print(json.dumps(result.to_json(), ensure_ascii=False))
        return
    _print_replay(result)


def _print_replay(result) -> None:
    from rich.table import Table

    table = Table("incident", "bank", "onset (UTC)", "detected", "delay", "crisis alerts")
    for i in result.incidents:
        delay = "not expected" if not i["must_detect"] else ("MISSED" if i["delay_s"] is None
                                                             else f"{i['delay_s'] // 60} min {i['delay_s'] % 60} s")
        table.add_row(i["name"], i["bank"], i["onset"][:16], (i["detected_at"] or "–")[:16], delay,
                      str(i["crisis_alerts"]))
    out.print(table)
    out.print(f"false alarms: {len(result.false_alarms)} over {result.weeks:.1f} simulated weeks = "
              f"{result.false_alarms_per_week} per week; {result.alerts} alerts in all; "
              f"{result.to_json()['posts_per_s']} posts/s (labels from the scenario file)")
    for j in result.false_alarms:
        out.print(f"  false alarm {j.at:%Y-%m-%d %H:%M} {j.alert.severity.value} {j.alert.title}", highlight=False)
    out.print("[dim]false alarm = an alert not attributable to an injected incident or demo storyline event "
              "(under half its posts from it), or a crisis alert on an event that must not raise one[/]")


def print_watch_demo(settings, store) -> None:
    """For ``veilleur demo``: follow the demo month, then its e-reputation, share of voice and alerts."""
    from veilleur.analytics import queries
    from veilleur.analytics.watch import update as run_update

    report = run_update(store, settings)
    period = _period(settings, "2026-10")
    out.rule("[bold]la veille · octobre 2026")
    out.print(f"{report.posts} posts followed, {report.alerts_opened} alerts opened")
    for bank in [b.name for b in settings.organisation.brands if b.kind == "own" and not b.network]:
        print_reputation(queries.reputation(store, settings, period, bank=bank))
    print_share_of_voice(queries.share_of_voice(store, settings, period))
    found = list(reversed(queries.alerts(store, settings, period)))
    print_alerts([a for a in found if a.severity.is_crisis])
    for a in (a for a in found if not a.severity.is_crisis):
        out.print(f"  for the record (info, no crisis): {a.opened_at:%d/%m %H:%M} UTC {a.title}", highlight=False)
    for incident in reversed(queries.incidents(store, settings, period)):
        out.print(f"incident {incident.id} ({incident.bank}, {incident.opened_at:%d/%m %H:%M} UTC): "
                  f"{len(incident.alert_ids)} alerts, {len(incident.post_ids)} posts", highlight=False)
