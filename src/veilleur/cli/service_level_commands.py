"""``veilleur complaints export`` (the ACPR complaint register as CSV) and ``veilleur figures`` (the inbox figures).

Thin: the work is in ``inbox.complaints`` and ``inbox.figures``. Imports ``cli.common`` and (lazily)
the inbox room and its store.
"""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import typer

from veilleur.cli.common import ConfigOption, friendly, load_settings, open_store, out

complaints_app = typer.Typer(help="Complaints (ACPR 2022-R-01): the register.", no_args_is_help=True)
EntityOption = typer.Option(None, "--entity", help="only this entity and the ones below it")


def _scope(settings, entity: str | None) -> set[str] | None:
    if entity is None:
        return None
    if entity not in {e.id for e in settings.organisation.entities}:
        raise typer.BadParameter(f"unknown entity {entity!r}", param_hint="--entity")
    return settings.organisation.descendants(entity)


@complaints_app.command("export")
@friendly
def export(out_file: Path = typer.Option(..., "--out", dir_okay=False, help="CSV file to write"),
           entity: str | None = EntityOption, config: Path | None = ConfigOption) -> None:
    """Write the complaint register as CSV for Excel (UTF-8 with BOM, ';' separator, French headers)."""
    from veilleur.inbox.complaints import write_register_csv
    from veilleur.storage import inbox_store

    settings = load_settings(config)
    store = open_store(settings)
    scope = _scope(settings, entity)
    with store.engine.connect() as conn:
        records = inbox_store.complaints(conn, scope)
        channels = {c.id: c.platform or "" for c in inbox_store.list_cases(conn) if c.id is not None}
    zone = settings.service_levels.calendars[settings.service_levels.default_calendar].timezone
    with out_file.open("w", encoding="utf-8", newline="") as handle:
        count = write_register_csv(records, handle, datetime.now(UTC), channels=channels, timezone=zone)
    out.print(f"{count} complaints written to {out_file}", highlight=False)


@friendly
def figures(entity: str | None = EntityOption, config: Path | None = ConfigOption) -> None:
    """Print the inbox figures: response times in business time, public answers, escalations, SLA, costs."""
    from veilleur.inbox import figures as inbox_figures
    from veilleur.inbox.calendar import Calendars
    from veilleur.storage import inbox_store

    settings = load_settings(config)
    store = open_store(settings)
    scope = _scope(settings, entity)
    with store.engine.connect() as conn:
        cases = [c for c in inbox_store.list_cases(conn) if scope is None or c.entity in scope]
    calendars = Calendars(settings.service_levels, settings.organisation)
    result = inbox_figures.compute(cases, calendars, settings.service_levels, datetime.now(UTC))
    out.print(inbox_figures.render(result))
