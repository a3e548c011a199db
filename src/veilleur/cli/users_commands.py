"""``veilleur users add|list|disable|enable|password|token|tokens|revoke``: who may use the API.

Whoever runs these commands can write to the database, so they act as a group-wide admin named
``cli:<system user>`` in the journal. Passwords are read from a hidden prompt or from standard
input (``--password-stdin``), never from the command line, where they would stay in the shell's
history and the process list. A token is printed once, on standard output alone, so that it can
be piped into a secret store.

Imports ``cli.common`` at once and the access room lazily (``--help`` stays quick).
"""
from __future__ import annotations

import getpass
import sys
from pathlib import Path

import typer
from rich.table import Table

from veilleur.cli.common import ConfigOption, console, friendly, load_settings, open_store, out

users_app = typer.Typer(help="Users, roles and API tokens.", no_args_is_help=True)


def _cli_actor():
    from veilleur.core.actor import Actor, Role

    try:
        name = f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        name = "cli"
    return Actor(name, Role.ADMIN)


def _users(config: Path | None):
    from veilleur.access.users import Users

    settings = load_settings(config)
    return Users(open_store(settings), settings.organisation, settings.access)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True, err=True)


RoleOption = typer.Option(..., "--role", "-r", help="community_manager, expert, customer_relations, communication, "
                                                     "compliance or admin")
StdinOption = typer.Option(False, "--password-stdin", help="read the password from the first line of standard input")


@users_app.command("add")
@friendly
def add(login: str = typer.Argument(..., help="the login: lower-case letters, digits, . _ @ -"),
        role: str = RoleOption,
        entity: str | None = typer.Option(None, "--entity", "-e", help="entity id (default: the whole group)"),
        name: str | None = typer.Option(None, "--name", help="display name (default: the login)"),
        password_stdin: bool = StdinOption,
        no_password: bool = typer.Option(False, "--no-password", help="no password: the user works with tokens"),
        config: Path | None = ConfigOption) -> None:
    """Add a user with a role and an entity; they see that entity and the ones below it."""
    users = _users(config)
    password = None if no_password else _read_password(password_stdin)
    user = users.add(login, role, _cli_actor(), entity=entity, display_name=name, password=password)
    out.print(f"user {user.login} added: {user.role.value}, {user.entity or 'whole group'}", highlight=False)


@users_app.command("list")
@friendly
def list_users(config: Path | None = ConfigOption) -> None:
    """List the users with their role, entity, state and live tokens."""
    users = _users(config)
    table = Table("login", "name", "role", "entity", "state", "password", "tokens")
    now = users.clock()
    for user in users.list_users(_cli_actor()):
        live = [t for t in users.tokens(user.login) if t.revoked_at is None and t.expires_at > now]
        table.add_row(user.login, user.display_name, user.role.value, user.entity or "(group)",
                      "disabled" if user.disabled else "enabled", "yes" if user.has_password else "no", str(len(live)))
    out.print(table)


@users_app.command("disable")
@friendly
def disable(login: str = typer.Argument(...), config: Path | None = ConfigOption) -> None:
    """Disable a user: their password and tokens stop working at once."""
    _users(config).disable(login, _cli_actor())
    out.print(f"user {login} disabled", highlight=False)


@users_app.command("enable")
@friendly
def enable(login: str = typer.Argument(...), config: Path | None = ConfigOption) -> None:
    """Enable a disabled user again (their unexpired, unrevoked tokens work again)."""
    _users(config).enable(login, _cli_actor())
    out.print(f"user {login} enabled", highlight=False)


@users_app.command("password")
@friendly
def password(login: str = typer.Argument(...), password_stdin: bool = StdinOption,
             config: Path | None = ConfigOption) -> None:
    """Set a user's password."""
    users = _users(config)
    users.set_password(login, _read_password(password_stdin), _cli_actor())
    out.print(f"password of {login} set", highlight=False)


@users_app.command("token")
@friendly
def token(login: str = typer.Argument(...),
          name: str = typer.Option("api", "--name", help="what the token is for (shown in `users tokens`)"),
          days: int | None = typer.Option(None, "--days", help="days of validity (default: access.token_days)"),
          config: Path | None = ConfigOption) -> None:
    """Issue an API token; it is printed once and cannot be shown again."""
    issued = _users(config).issue_token(login, _cli_actor(), name=name, days=days)
    console.print(f"token #{issued.id} '{issued.name}' for {issued.login}, valid until "
                  f"{issued.expires_at:%Y-%m-%d %H:%M} UTC; shown once, keep it now:", highlight=False)
    typer.echo(issued.token)


@users_app.command("tokens")
@friendly
def tokens(login: str = typer.Argument(...), config: Path | None = ConfigOption) -> None:
    """List a user's tokens (never the secrets)."""
    users = _users(config)
    table = Table("id", "name", "created", "expires", "last used", "revoked")

    def when(at) -> str:
        return f"{at:%Y-%m-%d %H:%M}" if at else "—"

    for t in users.tokens(login):
        table.add_row(str(t.id), t.name, when(t.created_at), when(t.expires_at), when(t.last_used_at),
                      when(t.revoked_at))
    out.print(table)


@users_app.command("revoke")
@friendly
def revoke(login: str = typer.Argument(...),
           token_id: int | None = typer.Option(None, "--token", help="the token's id (default: all the user's)"),
           config: Path | None = ConfigOption) -> None:
    """Revoke one token of a user, or all of them."""
    count = _users(config).revoke(login, _cli_actor(), token_id=token_id)
    out.print(f"{count} token(s) of {login} revoked", highlight=False)
