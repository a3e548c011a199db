"""The ``veilleur`` command: one typer app; each command lives in a small module of this package."""
from __future__ import annotations

import typer

from veilleur.cli import (
    analyze_commands,
    demo_commands,
    inbox_commands,
    ingest_commands,
    journal_commands,
    knowledge_commands,
    model_commands,
    notify_commands,
    policy_commands,
    report_commands,
    serve_commands,
    service_level_commands,
    store_commands,
    users_commands,
    watch_commands,
    work_commands,
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
app.add_typer(notify_commands.notify_app, name="notify")
app.command("report")(report_commands.report)
app.add_typer(users_commands.users_app, name="users")
app.command("serve")(serve_commands.serve)
app.add_typer(inbox_commands.inbox_app, name="inbox")
app.add_typer(inbox_commands.rules_app, name="rules")
app.add_typer(knowledge_commands.kb_app, name="kb")
app.add_typer(service_level_commands.complaints_app, name="complaints")
app.command("figures")(service_level_commands.figures)
app.add_typer(watch_commands.watch_app, name="watch")
app.command("work")(work_commands.work)

if __name__ == "__main__":
    app()
