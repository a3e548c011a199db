"""``veilleur journal verify|export|purge`` and ``veilleur gdpr export|erase|hold``.

Imports ``cli.common`` at once and the compliance room lazily (``--help`` stays quick).
"""
from __future__ import annotations

import getpass
from datetime import UTC, date, datetime
from pathlib import Path

import typer

from veilleur.cli.common import ConfigOption, console, friendly, load_settings, open_store, out, stdin_is_terminal

journal_app = typer.Typer(help="The hash-chained journal: verify, export for an archive, purge.",
                          no_args_is_help=True)
gdpr_app = typer.Typer(help="Personal-data rights: export or erase what is held about a person.",
                       no_args_is_help=True)


def _default_actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


ActorOption = typer.Option(None, "--actor", help="who does this, for the journal (default: cli:<user>)")


def _store(config: Path | None):
    return open_store(load_settings(config))


def _when(value: str | None, name: str) -> date | datetime | None:
    """A date (2026-10-09) or a time (2026-10-09T08:00, UTC unless it says otherwise)."""
    if value is None:
        return None
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r}: expected a date (2026-10-09) or a time (2026-10-09T08:00)",
                                 param_hint=name) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


@journal_app.command("verify")
@friendly
def verify(config: Path | None = ConfigOption) -> None:
    """Check every entry's hash and link; say where the chain breaks (exit status 1 if it does)."""
    from veilleur.compliance.journal import Journal

    found = Journal(_store(config)).verify()
    span = f"entries {found.first_id}..{found.last_id}" if found.checked else "no entries"
    purged = f", {found.anchors} purged run(s) bridged" if found.anchors else ""
    if found.ok:
        out.print(f"journal intact: {found.checked} entries checked ({span}{purged}); last hash {found.last_hash}")
        return
    out.print(f"[bold red]journal broken:[/] {len(found.problems) + found.more_problems} problem(s) in "
              f"{found.checked} entries ({span})", highlight=False)
    for problem in found.problems[:50]:
        out.print(f"  entry {problem.id} [{problem.kind}]: {problem.message}", markup=False, highlight=False)
    if len(found.problems) > 50:
        out.print(f"  … and {len(found.problems) - 50 + found.more_problems} more")
    raise typer.Exit(1)


@journal_app.command("export")
@friendly
def export(start: str = typer.Option(..., "--from", help="first day (or time), UTC"),
           end: str = typer.Option(..., "--to", help="last day, included (or a time, excluded), UTC"),
           out_file: Path = typer.Option(..., "--out", help="the JSON Lines file to write"),
           config: Path | None = ConfigOption) -> None:
    """Write a period of the journal as JSON Lines, with a manifest of hashes beside it."""
    from veilleur.compliance.journal import Journal

    report = Journal(_store(config)).export(_when(start, "--from"), _when(end, "--to"), out_file)
    out.print(f"{report.count} entries written to {report.path} (ids {report.first_id}..{report.last_id})")
    out.print(f"manifest: {report.manifest} (file SHA-256 {report.sha256})")


@journal_app.command("purge")
@friendly
def purge(now: str | None = typer.Option(None, "--now", help="purge as of this date (default: now)"),
          actor: str | None = ActorOption, config: Path | None = ConfigOption) -> None:
    """Delete the entries past their retention (compliance_storage.retention_days); the chain stays verifiable."""
    from veilleur.compliance.journal import Journal

    moment = _when(now, "--now")
    if isinstance(moment, date) and not isinstance(moment, datetime):
        moment = datetime(moment.year, moment.month, moment.day, tzinfo=UTC)
    report = Journal(_store(config)).purge(moment, actor=actor or _default_actor())
    if not report.deleted:
        out.print("nothing to purge")
        return
    by_type = ", ".join(f"{t}: {n}" for t, n in sorted(report.by_type.items()))
    out.print(f"{report.deleted} expired entries deleted ({by_type}); {len(report.anchors)} anchor(s) keep the "
              "chain verifiable")


@gdpr_app.command("export")
@friendly
def gdpr_export(author: str = typer.Argument(..., help="the person's handle, e.g. @jdupont"),
                out_file: Path | None = typer.Option(None, "--out", help="write the JSON here (default: stdout)"),
                actor: str | None = ActorOption, config: Path | None = ConfigOption) -> None:
    """Everything held about a person, as JSON (GDPR right of access)."""
    import orjson

    from veilleur.compliance.gdpr import Gdpr

    data = Gdpr(_store(config)).export(author, actor=actor or _default_actor())
    text = orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS).decode()
    if out_file is None:
        typer.echo(text)
        return
    out_file.write_text(text + "\n", encoding="utf-8")
    counts = ", ".join(f"{k}: {len(v)}" for k, v in data.items() if isinstance(v, list))
    console.print(f"written to {out_file} ({counts})", highlight=False)


@gdpr_app.command("erase")
@friendly
def gdpr_erase(author: str = typer.Argument(..., help="the person's handle, e.g. @jdupont"),
               actor: str | None = ActorOption,
               yes: bool = typer.Option(False, "--yes", "-y", help="do not ask for confirmation"),
               config: Path | None = ConfigOption) -> None:
    """Erase a person's content and identifiers everywhere, leaving tombstones (GDPR right to erasure)."""
    from veilleur.compliance.gdpr import Gdpr

    store = _store(config)
    if not yes and stdin_is_terminal():
        typer.confirm(f"Erase everything held about {author}? This cannot be undone", abort=True)
    report = Gdpr(store).erase(author, actor=actor or _default_actor())
    if not report.found:
        out.print(f"nothing held about {author}", highlight=False)
        return
    changed = ", ".join(f"{k}: {n}" for k, n in report.changed.items())
    out.print(f"erased; the author is now {report.pseudonym} ({changed})", highlight=False)
    for post_id, holds in report.held_posts.items():
        out.print(f"  kept post {post_id}: under legal hold {', '.join(f'#{h}' for h in holds)}", highlight=False)


@gdpr_app.command("hold")
@friendly
def gdpr_hold(subject: str = typer.Argument(..., help="author:<handle>, author:<platform>:<handle>, "
                                                       "post:<platform>:<id>, or @handle"),
              reason: str = typer.Option(..., "--reason", help="why the records must be kept"),
              until: str | None = typer.Option(None, "--until", help="last day of the hold (default: until "
                                                                      "released)"),
              by: str | None = typer.Option(None, "--by", help="who sets it (default: cli:<user>)"),
              config: Path | None = ConfigOption) -> None:
    """Keep a person's or a post's records whatever an erasure asks (legal claims)."""
    from veilleur.compliance.gdpr import Gdpr

    moment = _when(until, "--until")
    if isinstance(moment, date) and not isinstance(moment, datetime):
        moment = datetime(moment.year, moment.month, moment.day, 23, 59, 59, tzinfo=UTC)
    hold_id = Gdpr(_store(config)).hold(subject, reason, moment, by or _default_actor())
    out.print(f"legal hold #{hold_id} set on {subject}", highlight=False)
