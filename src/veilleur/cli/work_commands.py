"""``veilleur work``: the loop after ingest (inbox intake, the watch, alert delivery), once or every N seconds."""
from __future__ import annotations

from pathlib import Path

import typer

from veilleur.cli.common import ConfigOption, friendly, load_settings, open_store, out


@friendly
def work(every: float = typer.Option(30.0, min=1.0, help="seconds between passes"),
         once: bool = typer.Option(False, "--once", help="one pass, then exit"),
         config: Path | None = ConfigOption) -> None:
    """Follow new analysed posts: open cases, update the watch and its alerts, deliver what is due."""
    from veilleur.workers.follow import follow

    settings = load_settings(config)
    store = open_store(settings)
    try:
        follow(store, settings, every, ticks=1 if once else None,
               report=lambda r: out.print(r.summary(), highlight=False))
    except KeyboardInterrupt:
        out.print("stopped: every room's cursor is committed; the next run resumes from there")
    finally:
        store.close()
