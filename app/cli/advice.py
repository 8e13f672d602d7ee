"""``advisor assess`` and ``advisor plan``: a transcript file (and documents) -> the five
risks, or the cited production plan in one of the export formats.

The transcript file is checked before it is read (a regular file, under the size limit, valid
JSON of the right shape); what is wrong with it becomes a message saying how to fix it.
"""

from __future__ import annotations

import json
import stat
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape as esc

from app.cli.shared import AsJson, Docs, TranscriptFile, edge, err, local_advisor, notify, out
from app.errors import ConfigError
from app.settings import Settings

if TYPE_CHECKING:
    from app.schemas import Assessment, Transcript

LEVEL_COLOURS = {"high": "red", "medium": "yellow", "low": "green", "not_assessed": "dim"}
SHOWN_EVIDENCE = 3  # items of evidence printed per pattern; --json lists every item


def _transcript(path: Path) -> Transcript:
    """The transcript in ``path``, or a ``ConfigError`` saying what is wrong with the file."""
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


@edge
def assess(transcript: TranscriptFile, doc: Docs = None, as_json: AsJson = False) -> None:
    """Assess a transcript (and documents) against the five failure patterns."""
    from app.io.json_shapes import assessment_json

    advisor = local_advisor()
    with err.status("Assessing..."):
        advisor.ensure_knowledge()
        result = advisor.assess_transcript(_transcript(transcript), doc or [])
    if as_json:
        out.print_json(json.dumps(assessment_json(result), ensure_ascii=False))
        return
    _print_assessment(result)
    notify(result.audit.notices)


def _print_assessment(result: Assessment) -> None:
    """Each pattern's risk and its first items of evidence, then the findings."""
    for p in result.patterns:
        colour = LEVEL_COLOURS[p.level]
        note = f" ({p.evidence_count} items of evidence)" if p.assessed else ": no evidence"
        out.print(f"[bold]{p.name}[/bold]: [{colour}]{p.level_text}[/{colour}] {p.risk_text}{note}")
        for e in p.evidence[:SHOWN_EVIDENCE]:
            out.print(
                f"   {e.signal.polarity} {e.probability:.0%}: \u201c{e.quote}\u201d \u2014 "
                f"{e.source.label()}",
                markup=False,
            )
        if p.evidence_count > SHOWN_EVIDENCE:
            more = p.evidence_count - SHOWN_EVIDENCE
            out.print(f"   \u2026 and {more} more (--json lists every item)")
    for f in result.findings:
        out.print(f"[bold]{f.kind}[/bold]: {esc(f.text)}")


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
    advisor = local_advisor()
    with err.status("Drafting the plan..."):
        advisor.ensure_knowledge()
        result = advisor.plan_transcript(_transcript(transcript), doc or [])
        body = export(result, fmt)
    if result.verdict is not None:
        err.print(f"[bold]Go-live verdict:[/bold] {esc(result.verdict.headline)}")
    notify(result.audit.notices)
    if output is not None:
        output.write_bytes(body)
        err.print(f"Plan written to {output}.")
    elif fmt in ("pdf", "docx"):
        sys.stdout.buffer.write(body)
        sys.stdout.flush()
    else:
        sys.stdout.write(body.decode("utf-8"))
        sys.stdout.flush()
