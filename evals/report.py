"""Report writing: a ``Report`` (and any regressions) -> Markdown, JUnit XML and result files.

The Markdown table lists every metric with its target and reason, then the scores by split,
the confusion matrix, the regressions and the failing cases; the JUnit file has one test case
per results row, per target and per regression, so CI shows them like tests.
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import quoteattr

from evals.gate import TARGETS
from evals.schemas import Regression, Report


def markdown(report: Report, regressions: list[Regression] | None = None) -> str:
    m = report.metrics
    lines = [
        f"# Eval report: {report.engine}",
        "",
        f"Run {report.created}. Scenarios, retrieval questions and injection documents from "
        "`evals/`; see `evals/scoring.py` and `evals/metrics.py` for how each metric is computed.",
        "",
        "| metric | value | target | why |",
        "|---|---|---|---|",
    ]
    for name, row in m.items():
        target = TARGETS.get(name)
        mark = ""
        if target and name in report.targets:
            mark = f"{target[0]} {target[1]} " + ("\u2705" if report.targets[name] else "\u274c")
        lines.append(f"| {name} | {row['value']} | {mark} | {row['reason']} |")
    if report.by_split:
        lines += [
            "",
            "## By split",
            "",
            "| split | macro-F1 | ranking | labels |",
            "|---|---|---|---|",
        ]
        for split, row in report.by_split.items():
            lines.append(
                f"| {split} | {row['macro_f1']} | {row['ranking_accuracy']} | {row['labels']} |"
            )
    lines += [
        "",
        "## Confusion matrix (at-risk detection)",
        "",
        "| pattern | tp | fp | fn | tn |",
        "|---|---|---|---|---|",
    ]
    for pattern, c in report.confusion.items():
        lines.append(f"| {pattern} | {c['tp']} | {c['fp']} | {c['fn']} | {c['tn']} |")
    if regressions:
        lines += ["", "## Regressions against the baseline", ""]
        lines += [
            f"- {r.metric}: {r.value} (baseline {r.baseline}, tolerance {r.tolerance})"
            for r in regressions
        ]
    failing = [c for c in report.cases if not c.passed]
    lines += ["", f"## Failing cases ({len(failing)})", ""]
    for case in failing:
        lines.append(f"- **{case.kind} {case.id}**: " + "; ".join(case.failures))
    return "\n".join(lines) + "\n"


def junit(report: Report, regressions: list[Regression] | None = None) -> str:
    rows = []
    for case in report.cases:
        name = quoteattr(f"{case.kind}:{case.id}")
        body = ""
        if not case.passed:
            body = f"<failure message={quoteattr('; '.join(case.failures)[:2000])}/>"
        rows.append(
            f'  <testcase classname="evals.{case.kind}" name={name} '
            f'time="{case.seconds}">{body}</testcase>'
        )
    for name, met in report.targets.items():
        body = "" if met else f"<failure message={quoteattr(str(report.metrics[name]))}/>"
        rows.append(
            f'  <testcase classname="evals.targets" name={quoteattr(name)}>{body}</testcase>'
        )
    for regression in regressions or []:
        rows.append(
            f'  <testcase classname="evals.baseline" name={quoteattr(regression.metric)}>'
            f"<failure message={quoteattr(regression.model_dump_json())}/></testcase>"
        )
    failures = sum(1 for r in rows if "<failure" in r)
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<testsuite name="readiness-advisor-evals" tests="{len(rows)}" failures="{failures}">\n'
        + "\n".join(rows)
        + "\n</testsuite>\n"
    )


def write(report: Report, folder: Path, regressions: list[Regression] | None = None) -> Path:
    """``<timestamp>.json``, ``.md`` and ``.xml`` in ``folder``; returns the JSON path."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = folder / report.created.replace(":", "-")
    (stem.with_suffix(".json")).write_text(report.model_dump_json(indent=2))
    (stem.with_suffix(".md")).write_text(markdown(report, regressions))
    (stem.with_suffix(".xml")).write_text(junit(report, regressions))
    return stem.with_suffix(".json")
