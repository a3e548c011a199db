"""The ``veilleur`` command: one typer app; each command lives in a small module of this package."""
from __future__ import annotations

import typer

from veilleur.cli import (
    analyze_commands,
    demo_commands,
    ingest_commands,
    journal_commands,
    model_commands,
    policy_commands,
    store_commands,
)

app = typer.Typer(name="veilleur", help="Social-media command centre for banks: watch, answer, measure.",
                  no_args_is_help=True, pretty_exceptions_enable=False, add_completion=False)
app.command("init")(store_commands.init)
app.command("ingest")(ingest_commands.ingest_command)
app.command("analyze")(analyze_commands.analyze)
app.command("search")(store_commands.search)
app.command("stats")(store_commands.stats)
app.command("demo")(demo_commands.demo)
app.command("train")(model_commands.train)
app.command("eval")(model_commands.evaluate)
app.add_typer(store_commands.db_app, name="db")
app.add_typer(policy_commands.policy_app, name="policy")
app.add_typer(journal_commands.journal_app, name="journal")
app.add_typer(journal_commands.gdpr_app, name="gdpr")

if __name__ == "__main__":
    app()
