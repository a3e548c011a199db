"""``veilleur kb ...``: import, list, export and query the knowledge base of approved answers and dated facts.

Thin: the work is in ``inbox.knowledge``. Imports ``cli.common`` and (lazily) the inbox room.
"""
from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import typer
from rich.table import Table

from veilleur.cli.common import ConfigOption, friendly, load_settings, open_store, out

kb_app = typer.Typer(help="Knowledge base: approved answers, dated facts, suggestions.", no_args_is_help=True)
AsOption = typer.Option("cli", "--as", help="login of the person acting (journaled)")
TodayOption = typer.Option(None, "--today", help="the day facts are checked against (default: today)")


def _knowledge_base(config: Path | None, migrate: bool = False):
    from veilleur.inbox.knowledge import KnowledgeBase

    settings = load_settings(config)
    return KnowledgeBase(open_store(settings, migrate=migrate), settings.knowledge)


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param_hint=option) from None


@kb_app.command("import")
@friendly
def import_files(files: list[Path] = typer.Argument(..., exists=True, dir_okay=False, help="TOML knowledge files"),
                 as_: str = AsOption, config: Path | None = ConfigOption) -> None:
    """Import [[facts]] and [[answers]] from TOML files (journaled; unchanged entries are left alone)."""
    kb = _knowledge_base(config)
    for file in files:
        report = kb.import_toml(file, actor=as_, now=datetime.now(UTC))
        out.print(f"{file}: facts {_counts(report.facts)}; answers {_counts(report.answers)}", highlight=False)


def _counts(outcomes: dict[str, int]) -> str:
    return ", ".join(f"{n} {outcome}" for outcome, n in sorted(outcomes.items())) or "none"


@kb_app.command("list")
@friendly
def list_answers(language: str | None = typer.Option(None, "--language", help="fr or en"),
                 today: str | None = TodayOption, config: Path | None = ConfigOption) -> None:
    """List the approved answers, with those a stale fact blocks."""
    kb = _knowledge_base(config)
    day = _day(today, "--today") or datetime.now(UTC).date()
    table = Table(title="approved answers")
    table.add_column("id", no_wrap=True)
    for column in ("lang", "title", "version", "approved by", "blocked"):
        table.add_column(column)
    shown = [a for a in kb.answers() if language is None or a.language == language]
    blocked = 0
    for answer in shown:
        reason = kb.blocked_reason(answer, day)
        blocked += reason is not None
        table.add_row(answer.id, answer.language, answer.title, str(answer.version), answer.approved_by, reason or "")
    out.print(table)
    out.print(f"{len(shown)} answers, {blocked} blocked by a stale fact on {day:%d/%m/%Y}", highlight=False)


@kb_app.command("facts")
@friendly
def list_facts(today: str | None = TodayOption, config: Path | None = ConfigOption) -> None:
    """List the facts with their dates, source and state (valid, stale, not yet in force)."""
    from veilleur.inbox.knowledge import fact_problem

    kb = _knowledge_base(config)
    day = _day(today, "--today") or datetime.now(UTC).date()
    table = Table(title=f"facts on {day:%d/%m/%Y}")
    for column in ("key", "value", "from", "until", "source", "state"):
        table.add_column(column)
    for fact in kb.facts():
        state = "stale or not in force" if fact_problem(fact, fact.key, day) else "valid"
        table.add_row(fact.key, f"{fact.value} {fact.unit or ''}".strip(), f"{fact.effective_from:%d/%m/%Y}",
                      f"{fact.valid_until:%d/%m/%Y}" if fact.valid_until else "—",
                      fact.source + (" [example]" if fact.example else ""), state)
    out.print(table)


fact_app = typer.Typer(help="Change one fact.", no_args_is_help=True)
kb_app.add_typer(fact_app, name="fact")


@fact_app.command("set")
@friendly
def set_fact(key: str, value: str, source: str = typer.Option(..., "--source", help="where the value comes from"),
             valid_until: str | None = typer.Option(None, "--valid-until", help="YYYY-MM-DD; none: until changed"),
             effective_from: str | None = typer.Option(None, "--effective-from", help="YYYY-MM-DD (default: today)"),
             unit: str | None = typer.Option(None, "--unit", help="e.g. %, €; default: the current unit"),
             as_: str = AsOption, config: Path | None = ConfigOption) -> None:
    """Set a fact's value (journaled with the old one); answers it blocked are unblocked if it is now valid."""
    kb = _knowledge_base(config)
    fact = kb.set_fact(key, value, source=source, actor=as_, now=datetime.now(UTC), unit=unit,
                       valid_until=_day(valid_until, "--valid-until"),
                       effective_from=_day(effective_from, "--effective-from"))
    out.print(f"{fact.key} = {fact.value} {fact.unit or ''} (version {fact.version})", highlight=False)


@kb_app.command("suggest")
@friendly
def suggest(text: str, language: str = typer.Option("fr", "--language"), k: int = typer.Option(3, "--k", min=1),
            today: str | None = TodayOption, config: Path | None = ConfigOption) -> None:
    """The best approved answers for a message, with the reason when a stale fact blocks one."""
    kb = _knowledge_base(config)
    table = Table(title=f"suggestions for {text!r}")
    for column in ("answer", "title", "score", "blocked"):
        table.add_column(column)
    for s in kb.suggest(text, language, k=k, today=_day(today, "--today")):
        table.add_row(s.answer_id, s.title, f"{s.score:.3f}", s.blocked or "")
    out.print(table)


@kb_app.command("render")
@friendly
def render(answer_id: str, var: list[str] = typer.Option([], "--var", help="name=value, e.g. prenom=Julie"),
           today: str | None = TodayOption, config: Path | None = ConfigOption) -> None:
    """Print an answer with its facts and variables filled in (refused when a fact is stale)."""
    pairs = [v.split("=", 1) for v in var]
    if any(len(p) != 2 for p in pairs):
        raise typer.BadParameter("write name=value", param_hint="--var")
    kb = _knowledge_base(config)
    typer.echo(kb.render(answer_id, dict(pairs), today=_day(today, "--today")))  # unwrapped: it is meant to be posted


@kb_app.command("export")
@friendly
def export(out_file: Path = typer.Option(..., "--out", dir_okay=False, help="TOML file to write"),
           config: Path | None = ConfigOption) -> None:
    """Write every fact and answer to one TOML file that `veilleur kb import` reads back."""
    from veilleur.inbox.knowledge import export_toml

    kb = _knowledge_base(config)
    out_file.write_text(export_toml(kb.facts(), kb.answers()), encoding="utf-8")
    out.print(f"{len(kb.facts())} facts and {len(kb.answers())} answers written to {out_file}", highlight=False)
