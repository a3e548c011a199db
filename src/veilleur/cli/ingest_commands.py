"""``veilleur ingest FILE``: JSON Lines or CSV (with a column mapping), optionally replayed live."""
from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from veilleur.cli.common import ConfigOption, console, friendly, load_settings, open_store, out
from veilleur.errors import ConfigError


class Format(StrEnum):
    AUTO = "auto"
    JSONL = "jsonl"
    CSV = "csv"


def _mapping(pairs: list[str], platform: str | None) -> dict:
    mapping: dict = {}
    for pair in pairs:
        field, sep, column = pair.partition("=")
        if not sep or not column:
            raise ConfigError(f"--map {pair!r}: expected FIELD=COLUMN (e.g. text=body or text=title,body)")
        if field.startswith("metrics."):
            mapping.setdefault("metrics", {})[field.removeprefix("metrics.")] = column
        else:
            mapping[field] = column.split(",") if field == "text" and "," in column else column
    if platform:
        mapping["default_platform"] = platform
    return mapping


def make_connector(path: Path, fmt: Format, mapping: list[str], platform: str | None,
                   replay_speed: float | None, page_size: int):
    from veilleur.connectors.files import CsvConfig, CsvConnector, JsonLinesConfig, JsonLinesConnector
    from veilleur.connectors.replay import ReplayConfig, ReplayConnector

    if not path.is_file():
        raise ConfigError(f"no such file: {path}")
    if fmt is Format.AUTO:
        fmt = Format.CSV if path.suffix.lower() in (".csv", ".tsv") else Format.JSONL
    if replay_speed is not None:
        if fmt is not Format.JSONL:
            raise ConfigError("--replay plays JSON Lines files only")
        return ReplayConnector(ReplayConfig(path=path, speed=replay_speed, page_size=min(page_size, 100)))
    if fmt is Format.CSV:
        delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
        return CsvConnector(CsvConfig(path=path, mapping=_mapping(mapping, platform), delimiter=delimiter,
                                      page_size=page_size))
    return JsonLinesConnector(JsonLinesConfig(path=path, page_size=page_size))


def run_ingest(settings, store, connector, label: str):
    """Ingest with a progress bar over the file's bytes; returns the report."""
    from veilleur.pipeline.factory import build_pipeline
    from veilleur.workers.ingest import ingest

    pipeline = build_pipeline(settings)
    total = connector.config.path.stat().st_size
    columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("bytes"), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task(label, total=total)

        def advance(page, report) -> None:
            progress.advance(task, sum(len(r.raw) + 1 for r in page.records))

        report = ingest(connector, pipeline, store, max_chars=settings.pipeline.max_analysis_chars,
                        on_page=advance)
        progress.update(task, completed=total)
    return report


def print_report(report) -> None:
    s = report.saved
    resumed = " (resumed from checkpoint)" if report.resumed_from else ""
    out.print(f"{report.records} records read{resumed}: {s.inserted} new posts, {s.updated} updated, "
              f"{s.dead} dead letters, {report.posts_per_second:,.0f} posts/s")


@friendly
def ingest_command(
    file: Path = typer.Argument(..., help="a .jsonl or .csv file"),
    fmt: Format = typer.Option(Format.AUTO, "--format", "-f"),
    mapping: list[str] = typer.Option([], "--map", help="CSV: FIELD=COLUMN, e.g. id=review_id text=title,body"),
    platform: str | None = typer.Option(None, help="CSV: platform for rows without a platform column"),
    replay: float | None = typer.Option(None, help="play the file as a live stream at this speed (×)"),
    config: Path | None = ConfigOption,
) -> None:
    """Read posts from a file, analyse them and store them (idempotent, resumable)."""
    settings = load_settings(config)
    store = open_store(settings)
    connector = make_connector(file, fmt, mapping, platform, replay, settings.pipeline.batch_size)
    print_report(run_ingest(settings, store, connector, f"ingest {file.name}"))
