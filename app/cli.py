"""The ``advisor`` command line. A thin edge over ``app.advisor.Advisor``."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn

from app.errors import AdvisorError, ConfigError
from app.settings import Settings

cli = typer.Typer(
    help="Readiness Advisor: get AI pilots into production.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)
out = Console(highlight=False, soft_wrap=True)
F = TypeVar("F", bound=Callable[..., Any])

Workspace = Annotated[
    str, typer.Option("--workspace", "-w", help="Pilot workspace the documents belong to.")
]
AsJson = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


def _advisor() -> Any:
    from app.advisor import Advisor

    try:
        return Advisor(Settings())
    except ValueError as exc:
        raise ConfigError(f"Invalid ADVISOR_* setting: {exc}") from exc


def edge(func: F) -> F:
    """Turn advisor errors into a one-line message and an exit code, never a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except AdvisorError as exc:
            err.print(f"[red]Error:[/red] {exc}")
            raise typer.Exit(2 if isinstance(exc, ConfigError) else 1) from None

    return wrapper  # type: ignore[return-value]


@cli.command()
@edge
def setup() -> None:
    """Install and verify the embedding model and tokenizer files (set-up only)."""
    from app.assets import locate, prepare

    settings = Settings()
    installed = prepare(settings.assets_dir)
    locate(settings.assets_dir)
    what = ", ".join(installed) if installed else "already in place"
    err.print(f"Model assets verified in {settings.assets_dir}: {what}.")


@cli.command("index-knowledge")
@edge
def index_knowledge() -> None:
    """Index the playbooks in knowledge/ (idempotent)."""
    with err.status("Indexing the knowledge base..."):
        chunks = _advisor().index_knowledge()
    err.print(f"Knowledge base indexed: {chunks} chunks.")


@cli.command()
@edge
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files to ingest (PDF, DOCX, MD, TXT).")],
    workspace: Workspace = "default",
    as_json: AsJson = False,
) -> None:
    """Ingest pilot documents into a workspace; refused files are reported, not fatal."""
    advisor = _advisor()
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        console=err,
        transient=as_json,
    ) as bar:
        task = bar.add_task("Ingesting", total=len(paths))

        def tick(number: int, total: int, name: str) -> None:
            bar.update(task, completed=number - 1, description=f"Ingesting {name}")

        reports = advisor.ingest(paths, workspace=workspace, progress=tick)
        bar.update(task, completed=len(paths), description="Ingested")
    if as_json:
        out.print_json(json.dumps({"files": [r.model_dump() for r in reports]}))
        return
    for r in reports:
        if r.status == "indexed":
            pages = f", {r.pages} pages" if r.pages else ""
            out.print(f"[green]indexed[/green]  {r.path}: {r.chunks} chunks{pages}")
        else:
            out.print(f"[red]refused[/red]  {r.error}")


@cli.command()
@edge
def search(
    query: Annotated[str, typer.Argument(help="What to look for, in your own words.")],
    workspace: Workspace = "default",
    k: Annotated[int, typer.Option("-k", help="How many passages to return.")] = 5,
    as_json: AsJson = False,
) -> None:
    """Search the playbooks and the workspace's documents."""
    results = _advisor().search(query, workspace=workspace, k=k)
    if as_json:
        rows = [r.model_dump(exclude={"kind"}) for r in results]
        out.print_json(json.dumps({"results": rows}))
        return
    for number, r in enumerate(results, start=1):
        where = f"p. {r.page}" if r.page else (r.section or "")
        out.print(f"[bold]{number}. {r.source}[/bold] {where}  ({r.score:.4f})")
        out.print(f"   {r.text[:300].strip()}")


@cli.command()
@edge
def demo() -> None:
    """Index the knowledge base, ingest a sample pilot report and run a search."""
    advisor = _advisor()
    with err.status("Indexing the knowledge base..."):
        chunks = advisor.index_knowledge()
    err.print(f"Knowledge base: {chunks} chunks.")
    sample = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "pilot-report.md"
    report = advisor.ingest([sample], workspace="demo")[0]
    err.print(f"Ingested {sample.name}: {report.status}, {report.chunks} chunks.")
    query = "nobody owns the vendor feed and columns change without warning"
    out.print(f"\n[bold]Search:[/bold] {query}\n")
    for r in advisor.search(query, workspace="demo", k=5):
        where = f"p. {r.page}" if r.page else (r.section or "")
        out.print(f"- {r.source} · {where} · {r.text[:160].strip()}...")


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        cli()
    except KeyboardInterrupt:
        sys.exit(130)
