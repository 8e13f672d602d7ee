"""The ``advisor`` command line. A thin edge over ``app.service.advisor.Advisor``."""

from __future__ import annotations

import json
import logging
import stat
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape as esc
from rich.progress import BarColumn, Progress, TextColumn

from app.errors import AdvisorError, ConfigError
from app.settings import Settings

cli = typer.Typer(
    help="Readiness Advisor: get AI pilots into production.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)
F = TypeVar("F", bound=Callable[..., Any])

Workspace = Annotated[
    str, typer.Option("--workspace", "-w", help="Pilot workspace the documents belong to.")
]
AsJson = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


def _advisor() -> Any:
    """The advisor as the machine's operator uses it: the command line runs where the data
    lives (it can open the database itself), so it acts in local mode, without sign-in. The
    web app is where accounts, roles and links apply."""
    from app.service.advisor import Advisor

    try:
        settings = Settings()
    except ValueError as exc:
        raise ConfigError(f"Invalid ADVISOR_* setting: {exc}") from exc
    return Advisor(settings.model_copy(update={"accounts": False, "app_oidc": False}))


def edge(func: F) -> F:
    """Turn advisor errors into a one-line message and an exit code, never a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except AdvisorError as exc:
            err.print(f"[red]Error:[/red] {esc(str(exc))}")
            raise typer.Exit(2 if isinstance(exc, ConfigError) else 1) from None

    return wrapper  # type: ignore[return-value]


users = typer.Typer(help="Accounts for the web app (with ADVISOR_ACCOUNTS=true).")
cli.add_typer(users, name="user")


def _password(confirm: bool = True) -> str:
    """The new password: from standard input when piped, else typed twice, never echoed."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=confirm))


@users.command("add")
@edge
def user_add(name: Annotated[str, typer.Argument(help="Account name, e.g. an e-mail.")]) -> None:
    """Create an account (the password is read from a prompt or standard input)."""
    created = _advisor().gate.add_user(name, _password())
    err.print(f"Account {created} created.")


@users.command("reset")
@edge
def user_reset(name: Annotated[str, typer.Argument(help="Account name.")]) -> None:
    """Set a new password and unlock the account."""
    _advisor().gate.reset_password(name, _password())
    err.print(f"Password of {name} reset; the account is unlocked.")


@users.command("remove")
@edge
def user_remove(name: Annotated[str, typer.Argument(help="Account name.")]) -> None:
    """Delete an account and its shares (pilots it created keep their data)."""
    _advisor().gate.remove_user(name)
    err.print(f"Account {name} removed.")


@users.command("list")
@edge
def user_list() -> None:
    """The accounts, one per line."""
    for name in _advisor().sessions.user_names():
        out.print(name, markup=False)


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
    else:
        for r in reports:
            if r.status == "indexed":
                pages = f", {r.pages} pages" if r.pages else ""
                out.print(f"[green]indexed[/green]  {esc(r.path)}: {r.chunks} chunks{pages}")
            else:
                out.print(f"[red]refused[/red]  {esc(str(r.error))}")
    if reports and not any(r.status == "indexed" for r in reports):
        raise typer.Exit(1)  # the run failed: nothing was indexed


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
        out.print(f"[bold]{number}. {esc(r.source)}[/bold] {esc(where)}  ({r.score:.4f})")
        out.print(f"   {r.text[:300].strip()}", markup=False)


def _transcript(path: Path) -> Any:
    from pydantic import ValidationError

    from app.schemas import Transcript

    try:
        info = path.lstat()
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: no such transcript file.") from exc
    if not stat.S_ISREG(info.st_mode):
        raise ConfigError(
            f"{path}: not a regular file (a folder, a link, a device or a pipe); give the "
            "transcript's JSON file itself."
        )
    limit = Settings().max_transcript_mb
    if info.st_size > limit * 1e6:
        raise ConfigError(
            f"{path}: the transcript is {info.st_size / 1e6:.1f} MB; the limit is {limit:g} MB "
            "(ADVISOR_MAX_TRANSCRIPT_MB). Split it into one file per interview."
        )
    try:
        return Transcript.model_validate_json(path.read_bytes())
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror}).") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        raise ConfigError(
            f"{path}: not a valid transcript ({where}: {first['msg']}). Expected JSON "
            '{"pilot": {...}, "turns": [{"role": "advisor"|"stakeholder", "content": "..."}]}.'
        ) from exc


TranscriptFile = Annotated[
    Path, typer.Option("--transcript", "-t", help="Interview transcript (JSON).")
]
Docs = Annotated[
    list[Path] | None,
    typer.Option("--doc", "-d", help="A pilot document to read as evidence (repeatable)."),
]


@cli.command()
@edge
def assess(transcript: TranscriptFile, doc: Docs = None, as_json: AsJson = False) -> None:
    """Assess a transcript (and documents) against the five failure patterns."""
    from app.io.export import assessment_json

    advisor = _advisor()
    with err.status("Assessing..."):
        advisor.ensure_knowledge()
        result = advisor.assess_transcript(_transcript(transcript), doc or [])
    if as_json:
        out.print_json(json.dumps(assessment_json(result), ensure_ascii=False))
        return
    for p in result.patterns:
        colour = {"high": "red", "medium": "yellow", "low": "green", "not_assessed": "dim"}[p.level]
        note = f" ({p.evidence_count} items of evidence)" if p.assessed else ": no evidence"
        out.print(f"[bold]{p.name}[/bold]: [{colour}]{p.level_text}[/{colour}] {p.risk_text}{note}")
        for e in p.evidence[:3]:
            out.print(
                f"   {e.signal.polarity} {e.probability:.0%}: \u201c{e.quote}\u201d \u2014 "
                f"{e.source.label()}",
                markup=False,
            )
        if p.evidence_count > 3:
            out.print(f"   \u2026 and {p.evidence_count - 3} more (--json lists every item)")
    for f in result.findings:
        out.print(f"[bold]{f.kind}[/bold]: {esc(f.text)}")
    for notice in result.audit.notices:
        err.print(f"[yellow]Notice:[/yellow] {esc(notice)}")


@cli.command()
@edge
def plan(
    transcript: TranscriptFile,
    doc: Docs = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="json, md, pdf, docx or csv.")] = "md",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="File to write.")] = None,
) -> None:
    """Draft the cited production plan for a transcript (and documents)."""
    from app.io.export import FORMATS, export

    if fmt not in FORMATS:
        raise ConfigError(f"Unknown format {fmt!r}; choose one of {', '.join(FORMATS)}.")
    advisor = _advisor()
    with err.status("Drafting the plan..."):
        advisor.ensure_knowledge()
        result = advisor.plan_transcript(_transcript(transcript), doc or [])
        body = export(result, fmt)
    if result.verdict is not None:
        err.print(f"[bold]Go-live verdict:[/bold] {esc(result.verdict.headline)}")
    for notice in result.audit.notices:
        err.print(f"[yellow]Notice:[/yellow] {esc(notice)}")
    if output is not None:
        output.write_bytes(body)
        err.print(f"Plan written to {output}.")
    elif fmt in ("pdf", "docx"):
        sys.stdout.buffer.write(body)
        sys.stdout.flush()
    else:
        sys.stdout.write(body.decode("utf-8"))
        sys.stdout.flush()


@cli.command()
@edge
def chat(
    workspace: Annotated[
        str, typer.Option("--workspace", "-w", help="Pilot workspace name.")
    ] = "default",
    name: Annotated[str | None, typer.Option(help="Your name.")] = None,
    role: Annotated[str | None, typer.Option(help="Your role, e.g. 'Head of data'.")] = None,
) -> None:
    """Run the interview in the terminal; answers are saved as you go."""
    advisor = _advisor()
    with err.status("Preparing the advisor..."):
        advisor.warm()
    found = next((w for w in advisor.workspaces() if w.name == workspace), None)
    space = found or advisor.create_workspace(workspace)
    person_name = name or typer.prompt("Your name")
    person_role = role or typer.prompt("Your role")
    person = next(
        (
            s
            for s in advisor.stakeholders(space.id)
            if s.name == person_name and s.role == person_role
        ),
        None,
    ) or advisor.add_stakeholder(space.id, person_name, person_role)
    result = advisor.start_interview(person.id)
    err.print(f"Engine: {advisor.engine.name}. Type 'skip' to pass, 'finish' to stop.\n")
    while True:
        out.print(f"[bold cyan]Advisor:[/bold cyan] {esc(result.question.content)}")
        for notice in result.notices:
            err.print(f"[yellow]Notice:[/yellow] {esc(notice)}")
        if result.finished:
            break
        try:
            reply = typer.prompt("You", prompt_suffix=": ")
        except (EOFError, typer.Abort):
            err.print(
                "\nInterview paused; your answers are saved. Run the command again to resume."
            )
            return
        result = advisor.answer(person.id, reply)
        meter = "  ".join(f"{k}:{f}/{t}" for k, (f, t) in result.slots.items())
        err.print(f"[dim]coverage  {meter}[/dim]")


@cli.command("eval")
@edge
def evaluate(
    engine: Annotated[
        str | None, typer.Option("--engine", help="offline (default) or openai:<model>.")
    ] = None,
    compare: Annotated[
        Path | None, typer.Option("--compare", help="Baseline JSON; exit 1 on a regression.")
    ] = None,
    split: Annotated[str | None, typer.Option(help="Only the dev or holdout scenarios.")] = None,
    judge: Annotated[
        str | None, typer.Option(help="openai:<model> to grade plan prose (LLM judge tier).")
    ] = None,
    write_baseline: Annotated[
        Path | None, typer.Option("--write-baseline", help="Save this run as the baseline.")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Run the eval suite: judgment, retrieval, citations, injections; gate regressions."""
    from app.service.advisor import Advisor
    from evals.runner import TOLERANCES, Runner, baseline_of, markdown, write
    from evals.runner import compare as against

    settings = Settings()
    if engine:
        settings = settings.model_copy(update={"llm": engine})
    advisor = Advisor(settings)
    grader = None
    if judge:
        from app.llm.online import LLMEngine
        from app.llm.openai_chat import OpenAIChat

        provider, _, model = judge.partition(":")
        if provider != "openai" or not model:
            raise ConfigError(f"Unknown judge {judge!r}; use openai:<model>.")
        chat = OpenAIChat(
            model,
            settings.openai_api_key,
            settings.openai_base_url,
            settings.llm_timeout,
            settings.llm_retries,
        )
        grader = LLMEngine(chat, advisor.knowledge, settings.prompts_dir).judge
    root = Path(__file__).resolve().parent.parent / "evals"
    with err.status("Running the eval suite...") as status:
        report = Runner(advisor, root, grader, lambda case: status.update(f"Eval: {case}")).run(
            split
        )
    regressions = []
    if compare is not None:
        regressions = against(report, json.loads(compare.read_text()))
    path = write(report, root / "results", regressions)
    if write_baseline is not None:
        write_baseline.write_text(json.dumps(baseline_of(report, TOLERANCES), indent=2) + "\n")
    if as_json:
        out.print_json(report.model_dump_json())
    else:
        out.print(markdown(report, regressions).split("## Confusion")[0])
        err.print(f"Report: {path.with_suffix('.md')} (JUnit: {path.with_suffix('.xml')})")
    if regressions:
        for r in regressions:
            err.print(
                f"[red]Regression:[/red] {r.metric} {r.value} < baseline {r.baseline} "
                f"(tolerance {r.tolerance})"
            )
        raise typer.Exit(1)


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
        out.print(f"- {r.source} · {where} · {r.text[:160].strip()}...", markup=False)


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        cli()
    except KeyboardInterrupt:
        sys.exit(130)
