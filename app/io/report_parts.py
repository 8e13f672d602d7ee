"""Plan -> the parts the PDF and DOCX reports are built from: the title-page rows, the verdict
page as typed blocks, phase headings, the page footer and the risk chart (PNG)."""

from __future__ import annotations

import io

from app.io.plan_text import pilot_name, title
from app.schemas import Assessment, Phase, Plan


def title_page(plan: Plan) -> list[tuple[str, str]]:
    """Pilot, organisation, date and verdict, for the title page of the documents."""
    rows = [("Pilot", pilot_name(plan))]
    organisation = str(plan.pilot.get("organisation") or "").strip()
    if organisation:
        rows.append(("Organisation", organisation))
    rows.append(("Date", plan.audit.created[:10]))
    if plan.verdict is not None:
        rows.append(("Go-live verdict", plan.verdict.headline))
    rows.append(("Prepared by", "the Readiness Advisor"))
    return rows


def summary_blocks(plan: Plan) -> list[tuple[str, str]]:
    """The verdict page as (kind, text): heading, verdict, bullet, label or text."""
    if plan.verdict is None:
        return []
    out: list[tuple[str, str]] = [("heading", "Go-live verdict")]
    for line in plan.executive_summary.splitlines():
        if not line.strip():
            continue
        if line.startswith("**") and line.endswith("**"):
            out.append(("verdict", line.strip("*")))
        elif line.startswith("- "):
            out.append(("bullet", line[2:]))
        elif line.endswith(":"):
            out.append(("label", line))
        else:
            out.append(("text", line))
    return out


def phase_title(phase: Phase) -> str:
    return phase.name + (f" ({phase.starts} to {phase.ends})" if phase.starts else "")


def footer(plan: Plan) -> str:
    """The plan's title and date, at the foot of every page but the title page."""
    return f"{title(plan)} \u00b7 {plan.audit.created[:10]}"


def risk_chart_png(assessment: Assessment) -> bytes:
    """A horizontal bar chart of the five risks, coloured by level."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colours = {"low": "#2e7d32", "medium": "#f9a825", "high": "#c62828", "not_assessed": "#9e9e9e"}
    patterns = assessment.patterns[::-1]
    names = [p.name for p in patterns]
    risks = [p.risk or 0 for p in patterns]
    fills = [colours[p.level] for p in patterns]
    figure, axis = plt.subplots(figsize=(7, 3), dpi=150)
    bars = axis.barh(names, risks, color=fills)
    axis.set_xlim(0, 100)
    axis.set_xlabel("risk (0-100)")
    for bar, risk, p in zip(bars, risks, patterns, strict=True):
        label = str(p.risk) if p.assessed else "not assessed"
        axis.text(risk + 1, bar.get_y() + bar.get_height() / 2, label, va="center", fontsize=8)
    axis.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return buffer.getvalue()
