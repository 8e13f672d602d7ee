"""Plan -> CSV for Jira's importer: one epic for the plan, one task per plan item, with
priority, due date and labels; no cell starts with a formula character."""

from __future__ import annotations

import csv
import io
import re

from app.io.markdown import plain_item_lines
from app.io.plan_text import pilot_name
from app.schemas import Plan

CSV_LABELS = 3  # label columns: readiness, the pattern, the phase
CSV_COLUMNS = [
    "Issue ID",
    "Parent",
    "Issue Type",
    "Summary",
    "Description",
    "Priority",
    "Due Date",
    *["Labels"] * CSV_LABELS,
    "Epic Name",
    "Epic Link",
]
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
_LEVEL_PRIORITY = {"high": "High", "medium": "Medium", "low": "Low", "not_assessed": "Low"}


def csv_cell(value: str) -> str:
    """A cell no spreadsheet runs as a formula (OWASP: a leading = + - @ tab or CR gets a
    leading apostrophe)."""
    return "'" + value if value.startswith(_FORMULA) else value


def _label(text: str) -> str:
    return re.sub(r"[^a-z0-9_]+", "-", text.lower()).strip("-")


def to_csv(plan: Plan) -> str:
    """One row per plan item for Jira's CSV importer: Issue ID and Parent tie every task to
    one epic for the plan (Jira Cloud), Epic Name and Epic Link do the same for Jira Data
    Center; Labels repeat as columns, one label each; Description is plain text; Due Date is
    ISO (yyyy-MM-dd). No cell starts with a formula character."""
    levels = {p.id: p.level for p in plan.assessment.patterns}
    epic = f"Production readiness: {pilot_name(plan)}"
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    urgency = {"not_ready": "Highest", "conditional": "High", "ready": "Low"}
    verdict = plan.verdict
    summary = epic + (f" ({verdict.headline})" if verdict is not None else "")
    writer.writerow(
        csv_cell(c)
        for c in [
            "1",
            "",
            "Epic",
            summary,
            _plain_summary(plan),
            urgency[verdict.status] if verdict is not None else "Medium",
            "",
            "readiness",
            "verdict",
            "",
            epic,
            "",
        ]
    )
    number = 1
    for phase in plan.phases:
        for item in phase.items:
            number += 1
            priority = _LEVEL_PRIORITY.get(levels.get(item.pattern, "medium"), "Medium")
            row = [
                str(number),
                "1",
                "Task",
                item.title,
                "\n".join(plain_item_lines(plan, item)),
                priority,
                item.due or "",
                "readiness",
                _label(item.pattern),
                _label(phase.name),
                "",
                epic,
            ]
            writer.writerow(csv_cell(c) for c in row)
    return buffer.getvalue()


def _plain_summary(plan: Plan) -> str:
    lines = []
    if plan.verdict is not None:
        lines.append(f"Go-live verdict: {plan.verdict.headline}")
    if plan.executive_summary:
        lines.append(plan.executive_summary)
    return "\n\n".join(lines)
