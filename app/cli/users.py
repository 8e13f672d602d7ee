"""``advisor user ...``: the web app's accounts (add, reset, remove, list), kept where the
data lives. Passwords come from a prompt or standard input, never from the command line."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from app.cli.shared import edge, err, local_advisor, out

users = typer.Typer(help="Accounts for the web app (with ADVISOR_ACCOUNTS=true).")


def _password(confirm: bool = True) -> str:
    """The new password: from standard input when piped, else typed twice, never echoed."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=confirm))


@users.command("add")
@edge
def user_add(name: Annotated[str, typer.Argument(help="Account name, e.g. an e-mail.")]) -> None:
    """Create an account (the password is read from a prompt or standard input)."""
    created = local_advisor().gate.add_user(name, _password())
    err.print(f"Account {created} created.")


@users.command("reset")
@edge
def user_reset(name: Annotated[str, typer.Argument(help="Account name.")]) -> None:
    """Set a new password and unlock the account."""
    local_advisor().gate.reset_password(name, _password())
    err.print(f"Password of {name} reset; the account is unlocked.")


@users.command("remove")
@edge
def user_remove(name: Annotated[str, typer.Argument(help="Account name.")]) -> None:
    """Delete an account and its shares (pilots it created keep their data)."""
    local_advisor().gate.remove_user(name)
    err.print(f"Account {name} removed.")


@users.command("list")
@edge
def user_list() -> None:
    """The accounts, one per line."""
    for name in local_advisor().sessions.user_names():
        out.print(name, markup=False)
