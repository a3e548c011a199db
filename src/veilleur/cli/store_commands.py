"""``veilleur init``, ``veilleur db upgrade``, ``veilleur search``, ``veilleur stats``."""
from __future__ import annotations

import re
from pathlib import Path

import typer
from rich.table import Table
from rich.text import Text

from veilleur.cli.common import ConfigOption, friendly, load_settings, open_store, out

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)


@friendly
def init(config: Path | None = ConfigOption) -> None:
    """Create the data directory and the database schema."""
    settings = load_settings(config)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = open_store(settings, migrate=True)
    out.print(f"data directory: {settings.data_dir.resolve()}")
    out.print(f"database: {store.url.render_as_string()} (schema up to date)")


@db_app.command("upgrade")
@friendly
def upgrade(config: Path | None = ConfigOption) -> None:
    """Apply the Alembic migrations up to the latest schema."""
    settings = load_settings(config)
    store = open_store(settings, migrate=True)
    out.print(f"schema up to date on {store.url.render_as_string()}")


@friendly
def search(query: str = typer.Argument(..., help="words to find (accents and case do not matter)"),
           limit: int = typer.Option(20, min=1, max=1000), bank: str | None = typer.Option(None),
           config: Path | None = ConfigOption) -> None:
    """French full-text search over stored posts."""
    store = open_store(load_settings(config))
    hits = store.search(query, limit=limit, bank=bank)
    table = Table("date (UTC)", "platform", "bank", "post", title=f"{len(hits)} result(s) for {query!r}")
    for hit in hits:
        table.add_row(hit.created_at.strftime("%Y-%m-%d %H:%M"), hit.platform, hit.bank or "",
                      _highlighted(hit.snippet.replace("\n", " ")))
    out.print(table)


def _highlighted(snippet: str) -> Text:
    """The snippet with the matched words ("[...]" from the store) in bold, other text as is."""
    text = Text()
    for i, part in enumerate(re.split(r"\[([^\]]*)\]", snippet)):
        text.append(part, style="bold yellow" if i % 2 else None)
    return text


@friendly
def stats(config: Path | None = ConfigOption) -> None:
    """Posts by bank, platform, language and day; dead letters; busiest hours."""
    from veilleur.cli.summary import print_stats

    print_stats(open_store(load_settings(config)).stats())
