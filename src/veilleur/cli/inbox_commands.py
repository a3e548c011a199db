"""``veilleur inbox ...`` (the social customer-care inbox) and ``veilleur rules test``; the demo's inbox part.

Acting commands take ``--as LOGIN --role ROLE --entity ENTITY``: until users exist (the access
room), the CLI acts as the person it is told (``cli_actor``, one small function to swap for a
real login). ``print_inbox_demo`` builds the inbox from the demo corpus for ``make demo``.

Imports ``cli.common`` at once and the inbox room lazily (``--help`` stays quick).
"""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from veilleur.cli.common import ConfigOption, console, friendly, load_settings, open_store, out

inbox_app = typer.Typer(help="The social customer-care inbox: cases, queues, escalation, replies.",
                        no_args_is_help=True)
rules_app = typer.Typer(help="Routing rules of the inbox.", no_args_is_help=True)

AsOption = typer.Option("cli", "--as", help="login of the person acting (journaled)")
RoleOption = typer.Option("community_manager", "--role", help="role of the person acting")
EntityOption = typer.Option(None, "--entity", help="entity of the person acting (default: the whole group)")
VersionOption = typer.Option(None, "--version", help="the case version you saw (a newer one is a conflict)")


def cli_actor(settings: Any, login: str, role: str, entity: str | None):
    """The ``Actor`` the CLI acts as (swap for the access room's users when they exist)."""
    from veilleur.core.actor import Actor, Role

    try:
        role_value = Role(role)
    except ValueError:
        raise typer.BadParameter(f"{role!r}: one of {', '.join(r.value for r in Role)}", param_hint="--role") from None
    if entity is None:
        return Actor(login, role_value)
    if entity not in {e.id for e in settings.organisation.entities}:
        raise typer.BadParameter(f"unknown entity {entity!r}", param_hint="--entity")
    return Actor(login, role_value, entity, frozenset(settings.organisation.descendants(entity)))


def _open(config: Path | None):
    settings = load_settings(config)
    return settings, open_store(settings)


@inbox_app.command("sync")
@friendly
def sync(config: Path | None = ConfigOption) -> None:
    """Open or update cases from the analysed posts not handled yet."""
    settings, store = _open(config)
    report = run_sync(settings, store)
    out.print(f"{report.read} posts read: {report.opened} cases opened, {report.joined} joined, "
              f"{report.reopened} reopened, {report.bank_replies} bank replies, {report.skipped} need no case, "
              f"{report.ignored} not about the organisation")


def run_sync(settings: Any, store: Any):
    from rich.progress import Progress

    from veilleur.inbox.intake import Intake
    from veilleur.storage.feed import last_post_id
    from veilleur.storage.inbox_store import cursor

    with store.engine.connect() as conn:
        todo = max(0, last_post_id(conn) - cursor(conn))
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("inbox intake", total=todo)
        return Intake(store, settings).sync(progress=lambda n: progress.advance(task, n))


@inbox_app.command("list")
@friendly
def list_cases(queue: str | None = typer.Option(None, help="only this queue"),
               state: list[str] = typer.Option(None, help="only these states (repeatable)"),
               entity: str | None = typer.Option(None, help="act as a person of this entity: its cases and those "
                                                            "below it"),
               limit: int = typer.Option(50, help="at most this many"),
               as_: str = AsOption, role: str = RoleOption, config: Path | None = ConfigOption) -> None:
    """List cases, most urgent and oldest first."""
    from veilleur.inbox.cases import Inbox

    settings, store = _open(config)
    cases = Inbox(store, settings).list(cli_actor(settings, as_, role, entity), queue=queue,
                                        states=state or None, entity=entity)
    cases.sort(key=lambda c: (not c.is_open, c.priority.rank, c.opened_at))
    out.print(case_table(cases[:limit], f"{len(cases)} case(s)"))


def case_table(cases: list, title: str) -> Table:
    table = Table(title=title)
    for column in ("id", "prio", "state", "queue", "assignee", "entity", "platform", "author", "opened", "tags"):
        table.add_column(column)
    for c in cases:
        table.add_row(str(c.id), c.priority.value, c.state.value, c.queue, c.assignee or "-", c.entity or "-",
                      c.platform or "-", c.author_handle or "-", f"{c.opened_at:%Y-%m-%d %H:%M}", ", ".join(c.tags))
    return table


@inbox_app.command("show")
@friendly
def show(case_id: int, as_: str = AsOption, role: str = RoleOption, acting_entity: str | None = EntityOption,
         config: Path | None = ConfigOption) -> None:
    """A case: its fields, posts (masked), private notes, replies and history."""
    from veilleur.inbox.escalation import Escalations
    from veilleur.storage import inbox_store as db

    settings, store = _open(config)
    packet = Escalations(store, settings).packet(cli_actor(settings, as_, role, acting_entity), case_id)
    c = packet.case
    out.rule(f"case {c.id} · {c.priority.value} · {c.state.value}" + (f" ({c.state_reason})" if c.state_reason else ""))
    out.print(f"queue {c.queue} · team {c.team or '-'} · assignee {c.assignee or '-'} · entity {c.entity or '-'} · "
              f"version {c.version} · rule {c.rule or '-'}\nauthor {c.author_handle} on {c.platform} · "
              f"CRM {c.crm_customer_id or '-'} · tags {', '.join(c.tags) or '-'}\nopened {c.opened_at:%Y-%m-%d %H:%M} "
              f"UTC · first response due {_when(c.first_response_due)} · resolution due {_when(c.resolution_due)}",
              highlight=False)
    for post in packet.posts:
        out.print(f"[bold]{post.author_handle}[/] {post.created_at:%Y-%m-%d %H:%M}: {post.text}", highlight=False)
    for note in packet.notes:
        out.print(f"[italic]note {note.author} {note.at:%Y-%m-%d %H:%M}: {note.text}[/]", highlight=False)
    with store.engine.connect() as conn:
        for reply in db.replies(conn, c.id):
            out.print(f"reply {reply['id']} [{reply['state']}, {reply['channel']}] by {reply['author']}: "
                      f"{reply['text']}", highlight=False)
    for event in packet.history:
        out.print(f"  {event.at:%Y-%m-%d %H:%M} {event.actor} {event.action} {event.details}", highlight=False)


def _when(at: datetime | None) -> str:
    return f"{at:%Y-%m-%d %H:%M} UTC" if at else "-"


def _act(config: Path | None, as_: str, role: str, entity: str | None, cls: str = "Escalations"):
    from veilleur.inbox.escalation import Escalations
    from veilleur.inbox.replies import Replies

    settings, store = _open(config)
    box = {"Escalations": Escalations, "Replies": Replies}[cls](store, settings)
    return box, cli_actor(settings, as_, role, entity)


@inbox_app.command("assign")
@friendly
def assign(case_id: int | None = typer.Argument(None), login: str | None = typer.Argument(None),
           auto: bool = typer.Option(False, "--auto", help="offer every unassigned case to its team's round robin"),
           version: int | None = VersionOption, as_: str = AsOption, role: str = RoleOption,
           acting_entity: str | None = EntityOption, config: Path | None = ConfigOption) -> None:
    """Assign a case to LOGIN (none: back to the queue), or --auto the waiting ones."""
    box, actor = _act(config, as_, role, acting_entity)
    if auto:
        from veilleur.inbox.assignment import assign_waiting

        for cid, choice in assign_waiting(box.store, box.settings.inbox, datetime.now(UTC), actor.name).items():
            out.print(f"case {cid}: {choice.reason}", highlight=False)
        return
    if case_id is None:
        raise typer.BadParameter("give a case id (or --auto)")
    case = box.assign(actor, case_id, login, expected_version=version)
    out.print(f"case {case.id}: {case.state.value}, assignee {case.assignee or '-'} (version {case.version})")


@inbox_app.command("escalate")
@friendly
def escalate(case_id: int, context: str = typer.Option(..., "--context", help="why, for the back office"),
             version: int | None = VersionOption, as_: str = AsOption, role: str = RoleOption,
             acting_entity: str | None = EntityOption, config: Path | None = ConfigOption) -> None:
    """Escalate a case to the back office (customer relations)."""
    box, actor = _act(config, as_, role, acting_entity)
    case = box.escalate(actor, case_id, context, expected_version=version)
    out.print(f"case {case.id} escalated to {case.queue}, assignee {case.assignee or '-'}")


@inbox_app.command("handback")
@friendly
def handback(case_id: int, elements: str, version: int | None = VersionOption, as_: str = AsOption,
             role: str = RoleOption, acting_entity: str | None = EntityOption,
             config: Path | None = ConfigOption) -> None:
    """Back office: return the elements of an answer to the community managers."""
    box, actor = _act(config, as_, role, acting_entity)
    case = box.hand_back(actor, case_id, elements, expected_version=version)
    out.print(f"case {case.id} handed back to {case.queue}, assignee {case.assignee or '-'}")


@inbox_app.command("contacted")
@friendly
def contacted(case_id: int, how: str, version: int | None = VersionOption, as_: str = AsOption,
              role: str = RoleOption, acting_entity: str | None = EntityOption,
              config: Path | None = ConfigOption) -> None:
    """Back office: the customer was contacted outside social media (phone, branch...)."""
    box, actor = _act(config, as_, role, acting_entity)
    case = box.record_contact(actor, case_id, how, expected_version=version)
    out.print(f"case {case.id}: {case.state.value} ({case.state_reason})")


@inbox_app.command("note")
@friendly
def note(case_id: int, text: str, as_: str = AsOption, role: str = RoleOption,
         acting_entity: str | None = EntityOption, config: Path | None = ConfigOption) -> None:
    """Add a private note (personal data in it is masked)."""
    box, actor = _act(config, as_, role, acting_entity)
    saved = box.note(actor, case_id, text)
    out.print(f"note {saved.id} on case {case_id}: {saved.text}", highlight=False)


@inbox_app.command("state")
@friendly
def state(case_id: int, new_state: str, reason: str | None = typer.Option(None, "--reason"),
          version: int | None = VersionOption, as_: str = AsOption, role: str = RoleOption,
          acting_entity: str | None = EntityOption, config: Path | None = ConfigOption) -> None:
    """Move a case to another state (waiting_customer, answered...)."""
    from veilleur.core.case import CaseState

    try:
        target = CaseState(new_state)
    except ValueError:
        raise typer.BadParameter(f"one of {', '.join(s.value for s in CaseState)}", param_hint="STATE") from None
    box, actor = _act(config, as_, role, acting_entity)
    case = box.set_state(actor, case_id, target, reason, expected_version=version)
    out.print(f"case {case.id}: {case.state.value} (version {case.version})")


@inbox_app.command("close")
@friendly
def close(case_id: int, reason: str = typer.Option("resolved", "--reason", help="resolved, answered_public, "
                                                     "handled_privately, policy, no_answer_needed, duplicate..."),
          version: int | None = VersionOption, as_: str = AsOption, role: str = RoleOption,
          acting_entity: str | None = EntityOption, config: Path | None = ConfigOption) -> None:
    """Close a case with a reason."""
    box, actor = _act(config, as_, role, acting_entity)
    case = box.close(actor, case_id, reason, expected_version=version)
    out.print(f"case {case.id} closed ({case.state_reason})")


@inbox_app.command("reply")
@friendly
def reply(case_id: int, text: str, private: bool = typer.Option(False, "--private", help="a private message"),
          as_: str = AsOption, role: str = RoleOption, acting_entity: str | None = EntityOption,
          config: Path | None = ConfigOption) -> None:
    """Draft a reply: checked by the reply policy at once; sensitive ones wait for approval."""
    box, actor = _act(config, as_, role, acting_entity, "Replies")
    draft = box.draft(actor, case_id, text, "private" if private else "public")
    out.print(f"reply {draft['id']}: {draft['state']}", highlight=False)
    for finding in draft["findings"]:
        out.print(f"  {finding['severity']} {finding['code']}: {finding['message_fr']}", highlight=False)
    for why in draft["approval_reasons"]:
        out.print(f"  needs a second person's approval: {why}", highlight=False)


@inbox_app.command("approve")
@friendly
def approve(reply_id: int, comment: str = typer.Option(..., "--comment"),
            reject: bool = typer.Option(False, "--reject"), as_: str = AsOption, role: str = RoleOption,
            acting_entity: str | None = EntityOption, config: Path | None = ConfigOption) -> None:
    """Approve (or --reject) a reply written by someone else, with a comment."""
    box, actor = _act(config, as_, role, acting_entity, "Replies")
    decided = box.decide(actor, reply_id, not reject, comment)
    out.print(f"reply {reply_id}: {decided['state']} by {decided['approver']}")


@inbox_app.command("send")
@friendly
def send(reply_id: int, as_: str = AsOption, role: str = RoleOption, acting_entity: str | None = EntityOption,
         config: Path | None = ConfigOption) -> None:
    """Send a ready or approved reply (recorded only: platform connectors come later)."""
    from veilleur.inbox.replies import RecordingReplier

    box, actor = _act(config, as_, role, acting_entity, "Replies")
    case = box.send(actor, reply_id, RecordingReplier())
    out.print(f"reply {reply_id} recorded as sent (no platform connector yet); case {case.id}: {case.state.value}")


@rules_app.command("test")
@friendly
def rules_test(file: Path = typer.Argument(..., exists=True, dir_okay=False, help="JSON Lines, labels.md format"),
               as_json: bool = typer.Option(False, "--json", help="one JSON object per post"),
               config: Path | None = ConfigOption) -> None:
    """Show which routing rule fires for each post of FILE, and why."""
    import orjson

    from veilleur.inbox.rules_check import explain

    settings = load_settings(config)
    with file.open(encoding="utf-8") as handle:
        results = explain(handle, settings)
    if as_json:
        for row in results:
            out.print(orjson.dumps(row).decode(), highlight=False, soft_wrap=True)
        return
    table = Table(title=f"{len(results)} post(s)")
    for column in ("line", "text", "rule", "queue", "prio", "actions", "why"):
        table.add_column(column, overflow="fold")
    for row in results:
        table.add_row(str(row["line"]), row["text"][:60], row["rule"] or "(default)", row["queue"], row["priority"],
                      ", ".join(row["actions"]), row["why"])
    out.print(table)


def print_inbox_demo(settings: Any, store: Any) -> None:
    """Build the inbox from the stored demo posts; print queues, top cases, SLA status and figures."""
    from veilleur.cli.inbox_demo import print_demo

    print_demo(settings, store, run_sync(settings, store))
