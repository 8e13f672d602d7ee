"""``advisor eval``: the eval suite (judgment, retrieval, citations, injections) run against
the advisor -> a report in ``evals/results`` and, with ``--compare``, an exit code that gates
regressions against a baseline. The one door from the runtime package to ``evals``, opened
only when the command runs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from app.cli.shared import AsJson, edge, err, out
from app.settings import Settings


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
    from evals.gate import TOLERANCES, baseline_of
    from evals.gate import compare as against
    from evals.report import markdown, write
    from evals.runner import Runner

    settings = Settings()
    if engine:
        settings = settings.model_copy(update={"llm": engine})
    advisor = Advisor(settings)
    grader = None
    if judge:
        from app.llm.online import LLMEngine
        from app.llm.providers import chat_model

        chat = chat_model(judge, settings)
        grader = LLMEngine(chat, advisor.knowledge, settings.prompts_dir).judge
    root = Path(__file__).resolve().parents[2] / "evals"
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
