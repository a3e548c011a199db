"""``veilleur policy check``: run the reply policy on a text, as the inbox will before sending it."""
from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from veilleur.cli.common import ConfigOption, friendly, load_settings, out

policy_app = typer.Typer(help="Reply policy: check a text before it leaves.", no_args_is_help=True)

CONTEXT = 30  # characters shown either side of a finding's span


def _excerpt(text: str, span: tuple[int, int] | None) -> str:
    if span is None:
        return "[dim]—[/]"
    start, end = span
    before = ("…" if start > CONTEXT else "") + text[max(0, start - CONTEXT):start]
    after = text[end:end + CONTEXT] + ("…" if end + CONTEXT < len(text) else "")
    return f"{escape(before)}[bold reverse]{escape(text[start:end])}[/]{escape(after)}".replace("\n", " ")


@policy_app.command("check")
@friendly
def check(text: str = typer.Argument(..., help="the reply to check ('-': read it from standard input)"),
          private: bool = typer.Option(False, "--private", help="a private message (default: a public reply)"),
          entity: str | None = typer.Option(None, "--entity", "-e", help="the entity whose policy applies"),
          needs_identification: bool = typer.Option(
              False, "--needs-identification", help="the case needs the customer identified"),
          config: Path | None = ConfigOption) -> None:
    """Print the findings of the reply policy; exit with status 1 when one blocks the reply."""
    from veilleur.compliance.policy import blocks, check_reply, personal_data_finder

    if text == "-":
        text = sys.stdin.read()
    settings = load_settings(config)
    policy = settings.compliance.policy_for(entity, settings.organisation)
    channel = "private" if private else "public"
    findings = check_reply(text, channel, {"needs_identification": needs_identification}, policy=policy,
                           detector=personal_data_finder(settings))
    out.print(f"[bold]{'message privé / private message' if private else 'réponse publique / public reply'}[/]"
              f" · politique / policy: {escape(entity or 'default')}")
    if findings:
        table = Table(show_lines=True)
        table.add_column("")
        table.add_column("code", no_wrap=True)
        table.add_column("message", ratio=3, overflow="fold")
        table.add_column("extrait / excerpt", ratio=2)
        for f in findings:
            mark = "[bold red]bloqué\nblock[/]" if f.severity == "block" else "[yellow]à revoir\nwarn[/]"
            table.add_row(mark, f.code, f"{escape(f.message_fr)}\n[dim]{escape(f.message_en)}[/]",
                          _excerpt(text, f.span))
        out.print(table)
    if blocks(findings):
        out.print(f"[bold red]✗ bloqué / blocked[/] ({len(findings)} finding(s))")
        raise typer.Exit(1)
    out.print(f"[green]✓ peut partir / may be sent[/] ({len(findings)} warning(s))")
