"""The commands that fill and query the store: set up the model files, index the knowledge
base, ingest pilot documents, search them, and a demo of all three.

Paths and a query -> progress on standard error, results (or JSON) on standard output.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape as esc
from rich.progress import BarColumn, Progress, TextColumn

from app.cli.shared import AsJson, Workspace, edge, err, local_advisor, out
from app.settings import Settings

if TYPE_CHECKING:
    from app.schemas import IngestReport, SearchResult


def _where(result: SearchResult) -> str:
    """Where a passage stands in its source: its page, else its section."""
    return f"p. {result.page}" if result.page else (result.section or "")


@edge
def setup() -> None:
    """Install and verify the embedding model and tokenizer files (set-up only)."""
    from app.assets import locate, prepare

    settings = Settings()
    installed = prepare(settings.assets_dir)
    locate(settings.assets_dir)
    what = ", ".join(installed) if installed else "already in place"
    err.print(f"Model assets verified in {settings.assets_dir}: {what}.")


@edge
def index_knowledge() -> None:
    """Index the playbooks in knowledge/ (idempotent)."""
    with err.status("Indexing the knowledge base..."):
        chunks = local_advisor().index_knowledge()
    err.print(f"Knowledge base indexed: {chunks} chunks.")


@edge
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files to ingest (PDF, DOCX, MD, TXT).")],
    workspace: Workspace = "default",
    as_json: AsJson = False,
) -> None:
    """Ingest pilot documents into a workspace; refused files are reported, not fatal."""
    advisor = local_advisor()
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
    else:
        _print_reports(reports)
    if reports and not any(r.status == "indexed" for r in reports):
        raise typer.Exit(1)  # the run failed: nothing was indexed


def _print_reports(reports: list[IngestReport]) -> None:
    for r in reports:
        if r.status == "indexed":
            pages = f", {r.pages} pages" if r.pages else ""
            out.print(f"[green]indexed[/green]  {esc(r.path)}: {r.chunks} chunks{pages}")
        else:
            out.print(f"[red]refused[/red]  {esc(str(r.error))}")


@edge
def search(
    query: Annotated[str, typer.Argument(help="What to look for, in your own words.")],
    workspace: Workspace = "default",
    k: Annotated[int, typer.Option("-k", help="How many passages to return.")] = 5,
    as_json: AsJson = False,
) -> None:
    """Search the playbooks and the workspace's documents."""
    results = local_advisor().search(query, workspace=workspace, k=k)
    if as_json:
        rows = [r.model_dump(exclude={"kind"}) for r in results]
        out.print_json(json.dumps({"results": rows}))
        return
    for number, r in enumerate(results, start=1):
        out.print(f"[bold]{number}. {esc(r.source)}[/bold] {esc(_where(r))}  ({r.score:.4f})")
        out.print(f"   {r.text[:300].strip()}", markup=False)


@edge
def demo() -> None:
    """Index the knowledge base, ingest a sample pilot report and run a search."""
    advisor = local_advisor()
    with err.status("Indexing the knowledge base..."):
        chunks = advisor.index_knowledge()
    err.print(f"Knowledge base: {chunks} chunks.")
    sample = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "pilot-report.md"
    report = advisor.ingest([sample], workspace="demo")[0]
    err.print(f"Ingested {sample.name}: {report.status}, {report.chunks} chunks.")
    query = "nobody owns the vendor feed and columns change without warning"
    out.print(f"\n[bold]Search:[/bold] {query}\n")
    for r in advisor.search(query, workspace="demo", k=5):
        out.print(f"- {r.source} · {_where(r)} · {r.text[:160].strip()}...", markup=False)
