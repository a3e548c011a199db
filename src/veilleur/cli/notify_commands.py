"""``veilleur notify test|deliver|log|requeue``: alert delivery from the command line.

Imports ``cli.common`` at once and the notify room lazily (``--help`` stays quick).
"""
from __future__ import annotations

from pathlib import Path

import typer

from veilleur.cli.common import ConfigOption, friendly, load_settings, open_store, out

notify_app = typer.Typer(help="Alert delivery: test a channel, send what is due, read the delivery log.",
                         no_args_is_help=True)


@notify_app.command("test")
@friendly
def test_channel(channel: str = typer.Argument(..., help="a channel name of [[notify.channels]]"),
                 config: Path | None = ConfigOption) -> None:
    """Send a test message through one channel now, and say how it went (exit status 1 if it failed)."""
    from veilleur.analytics.notify import send_test

    settings = load_settings(config)
    delivery = send_test(open_store(settings), settings, channel)
    if delivery.state == "sent":
        out.print(f"test message sent through {channel} (delivery {delivery.key})", highlight=False)
        return
    out.print(f"[bold red]not sent[/] through {channel}: {delivery.last_error}; it will be retried by "
              "`veilleur notify deliver`", highlight=False)
    raise typer.Exit(1)


@notify_app.command("deliver")
@friendly
def deliver(limit: int = typer.Option(500, min=1, help="most deliveries attempted in this pass"),
            config: Path | None = ConfigOption) -> None:
    """Send every delivery that is due once (failed ones are retried later with back-off)."""
    from veilleur.analytics.notify import deliver_due

    settings = load_settings(config)
    run = deliver_due(open_store(settings), settings, limit=limit)
    out.print(f"{run.sent} sent, {run.failed} failed (to be retried), {run.dead} given up")


@notify_app.command("log")
@friendly
def log(limit: int = typer.Option(30, min=1, help="how many attempts to show"),
        channel: str | None = typer.Option(None, help="only this channel"),
        config: Path | None = ConfigOption) -> None:
    """The last delivery attempts (newest first) and the outbox by state."""
    from rich.table import Table

    from veilleur.storage import notify_store

    store = open_store(load_settings(config))
    with store.engine.connect() as conn:
        attempts = notify_store.attempts_log(conn, channel=channel, limit=limit)
        counts = notify_store.counts_by_state(conn)
    table = Table("when (UTC)", "channel", "alert", "try", "state", "status", "error", "ms")
    for a in attempts:
        table.add_row(a.at.strftime("%Y-%m-%d %H:%M:%S"), a.channel, str(a.alert_id or "test"), str(a.attempt),
                      a.state, str(a.status_code or ""), (a.error or "")[:80], str(a.duration_ms))
    out.print(table)
    summary = ", ".join(f"{counts.get(s, 0)} {s}" for s in ("pending", "failed", "sent", "dead"))
    out.print(f"outbox: {summary}")


@notify_app.command("requeue")
@friendly
def requeue(channel: str | None = typer.Option(None, help="only this channel"),
            config: Path | None = ConfigOption) -> None:
    """Give dead deliveries a new round of attempts (once the receiver is fixed)."""
    from datetime import UTC, datetime

    from veilleur.storage import notify_store

    store = open_store(load_settings(config))
    with store.engine.begin() as conn:
        count = notify_store.requeue_dead(conn, datetime.now(UTC), channel)
    out.print(f"{count} dead deliveries queued again; run `veilleur notify deliver`")
