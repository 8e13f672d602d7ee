"""Plan -> Markdown: the verdict, summary, risk table, findings, phased items with evidence and
citations, evidence by pattern, sources and audit trail. The item lines also serve, as plain
text, the PDF, the DOCX and the Jira CSV."""

from __future__ import annotations

from app.io.plan_text import audit_lines, citation_place, pattern_name, sources, title
from app.schemas import Plan, PlanItem


def verdict_lines(plan: Plan) -> list[str]:
    """The go-live verdict and the executive summary, as Markdown lines: every export opens
    with them."""
    if plan.verdict is None:
        return []
    return ["## Go-live verdict", "", *plan.executive_summary.splitlines(), ""]


def to_markdown(plan: Plan) -> str:
    out = [f"# {title(plan)}", "", *verdict_lines(plan)]
    out += ["## Summary", "", plan.summary, "", "## Risk by failure pattern", ""]
    out += ["| pattern | risk | level | confidence |", "|---|---|---|---|"]
    for p in plan.assessment.patterns:
        out.append(f"| {p.name} | {p.risk_text} | {p.level_text} | {p.confidence:.2f} |")
    findings = plan.assessment.findings
    if findings:
        out += ["", "## Findings", ""] + [f"- **{f.kind}**: {f.text}" for f in findings]
    for phase in plan.phases:
        dates = f" ({phase.starts} to {phase.ends})" if phase.starts and phase.ends else ""
        out += ["", f"## {phase.name}{dates}", ""]
        if not phase.items:
            out.append(phase.note or "Nothing scheduled.")
        for item in phase.items:
            out += item_lines(plan, item)
    out += ["", "## Evidence by pattern", ""]
    for p in plan.assessment.patterns:
        count = f" ({p.evidence_count} items, strongest first)" if p.evidence else ""
        out.append(f"### {p.name}{count}")
        out += [
            f"- \u201c{e.quote}\u201d \u2014 {e.source.label()} ({e.signal.polarity}, "
            f"{e.probability:.0%}; closest sign {e.signal.id})"
            for e in p.evidence
        ] or ["- No evidence: not assessed."]
        out.append("")
    out += ["## Sources", ""] + [f"- {s}" for s in sources(plan)]
    out += ["", "## Audit trail", ""] + [f"- {line}" for line in audit_lines(plan)]
    return "\n".join(out) + "\n"


def item_lines(plan: Plan, item: PlanItem) -> list[str]:
    """One plan item as Markdown: its heading, a blank line, one bullet per fact, a blank."""
    lines = [
        f"### {item.title}",
        "",
        f"- **Pattern:** {pattern_name(plan, item.pattern)}",
        f"- **Action:** {item.action}",
        f"- **Owner:** {item.owner} \u00b7 **Effort:** {item.effort} \u00b7 "
        f"**Timeframe:** {item.timeframe}" + (f" \u00b7 **Due:** {item.due}" if item.due else ""),
        f"- **KPI / exit criterion:** {item.kpi}",
    ]
    if item.why_here:
        lines.append(f"- **Why here:** {item.why_here}")
    if item.depends_on:
        lines.append(f"- **Depends on:** {', '.join(item.depends_on)}")
    if item.rationale:
        lines.append(f"- **Why:** {item.rationale}")
    for e in item.evidence:
        lines.append(f"- **Evidence:** \u201c{e.quote}\u201d \u2014 {e.source.label()}")
    for c in item.citations:
        lines.append(f"- **Source:** {c.source}, {citation_place(c)}: \u201c{c.quote}\u201d")
    return [*lines, ""]


def plain_item_lines(plan: Plan, item: PlanItem) -> list[str]:
    """An item's facts as plain text, one a line (its Markdown lines after the heading, without
    bullets and bold), as the PDF, the DOCX and a Jira description show them."""
    return [_plain(line) for line in item_lines(plan, item)[2:] if line]


def _plain(line: str) -> str:
    return line.removeprefix("- ").replace("**", "")
