"""What every command shares: settings, the store, the console, and errors turned into messages.

Imports ``settings``, ``errors`` and (lazily) ``storage``.
"""
from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

from veilleur.errors import VeilleurError
from veilleur.settings import Settings, get_settings

console = Console(stderr=True)
out = Console()

ConfigOption = typer.Option(None, "--config", "-c", help="settings file (default: $VEILLEUR_CONFIG or ./veilleur.toml)")


def friendly(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn veilleur's errors into a red message and exit status 2, without a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except VeilleurError as exc:
            console.print(f"[bold red]error:[/] {exc}", markup=True, highlight=False)
            raise typer.Exit(2) from exc

    return wrapper


def load_settings(config: Path | None, **overrides: Any) -> Settings:
    return get_settings(config, **overrides)


def open_store(settings: Settings, *, migrate: bool = False):
    from veilleur.compliance.settings_journal import record_settings
    from veilleur.storage.sql import SqlStore

    store = SqlStore(settings.effective_database_url, compliance=settings.compliance_storage)
    if migrate:
        store.upgrade()
    else:
        store.check_schema()
    record_settings(store, settings)  # a changed setting is journaled before anything else happens
    return store


def stdin_is_terminal() -> bool:
    return sys.stdin.isatty()
