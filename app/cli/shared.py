"""What every ``advisor`` command shares: the advisor in local mode, the two consoles, advisor
errors turned into a message and an exit code, and the options several commands take."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape as esc

from app.errors import AdvisorError, ConfigError
from app.settings import Settings

if TYPE_CHECKING:  # the advisor's modules load only when a command runs
    from app.service.advisor import Advisor

P = ParamSpec("P")
R = TypeVar("R")

err = Console(stderr=True, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)

Workspace = Annotated[
    str, typer.Option("--workspace", "-w", help="Pilot workspace the documents belong to.")
]
AsJson = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
TranscriptFile = Annotated[
    Path, typer.Option("--transcript", "-t", help="Interview transcript (JSON).")
]
Docs = Annotated[
    list[Path] | None,
    typer.Option("--doc", "-d", help="A pilot document to read as evidence (repeatable)."),
]


def local_advisor() -> Advisor:
    """The advisor as the machine's operator uses it: the command line runs where the data
    lives (it can open the database itself), so it acts in local mode, without sign-in. The
    web app is where accounts, roles and links apply."""
    from app.service.advisor import Advisor

    try:
        settings = Settings()
    except ValueError as exc:
        raise ConfigError(f"Invalid ADVISOR_* setting: {exc}") from exc
    return Advisor(settings.model_copy(update={"accounts": False, "app_oidc": False}))


def edge(func: Callable[P, R]) -> Callable[P, R]:
    """Turn advisor errors into a one-line message and an exit code, never a traceback."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except AdvisorError as exc:
            err.print(f"[red]Error:[/red] {esc(str(exc))}")
            raise typer.Exit(2 if isinstance(exc, ConfigError) else 1) from None

    return wrapper


def notify(notices: Iterable[str]) -> None:
    """The notices of a result (a fallback, a skipped document), on standard error."""
    for notice in notices:
        err.print(f"[yellow]Notice:[/yellow] {esc(notice)}")
