"""Export: ``Plan`` -> Markdown, JSON, CSV (Jira), PDF (reportlab) or DOCX (python-docx).

Every format carries the same content: the risk per pattern, the phased items with owner,
effort, KPI, dependencies, evidence and citations, the findings, a sources appendix and the
audit trail (engine, model, prompts, knowledge version, document hashes). PDF and DOCX open with
a title page and the risk chart.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from typing import Any

from app.schemas import Assessment, Evidence, Phase, Plan, PlanItem

FORMATS = ("json", "md", "pdf", "docx", "csv")
MEDIA_TYPES = {
    "json": "application/json",
    "md": "text/markdown",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "csv": "text/csv",
}
_LEVEL_PRIORITY = {"high": "High", "medium": "Medium", "low": "Low", "not_assessed": "Low"}


def evidence_json(item: Evidence) -> dict[str, Any]:
    return {
        "quote": item.quote,
        "source": item.source.model_dump(),
        "signal": item.signal.model_dump(),
        "probability": item.probability,
        "context": item.context,
        "weight": item.weight,
        "hedged": item.hedged,
    }


def assessment_json(assessment: Assessment) -> dict[str, Any]:
    """The ``advisor assess --json`` shape."""
    return {
        "engine": assessment.engine,
        "patterns": [
            {
                "id": p.id,
                "name": p.name,
                "risk": p.risk,
                "level": p.level,
                "confidence": p.confidence,
                "assessed": p.assessed,
                "evidence_count": p.evidence_count,
                "evidence": [evidence_json(e) for e in p.evidence],
            }
            for p in assessment.patterns
        ],
        "findings": [
            {"kind": f.kind, "pattern": f.pattern, "text": f.text} for f in assessment.findings
        ],
        "audit": assessment.audit.model_dump(),
    }


def plan_json(plan: Plan) -> dict[str, Any]:
    """The ``advisor plan --format json`` shape."""
    return {
        "pilot": plan.pilot,
        "verdict": plan.verdict.model_dump(mode="json") if plan.verdict else None,
        "profile": plan.profile.model_dump(mode="json"),
        "executive_summary": plan.executive_summary,
        "summary": plan.summary,
        "assessment": assessment_json(plan.assessment),
        "phases": [
            {
                "name": phase.name,
                "starts": phase.starts,
                "ends": phase.ends,
                "note": phase.note,
                "items": [
                    {
                        "id": item.id,
                        "title": item.title,
                        "pattern": item.pattern,
                        "action": item.action,
                        "owner": item.owner,
                        "effort": item.effort,
                        "timeframe": item.timeframe,
                        "kpi": item.kpi,
                        "depends_on": item.depends_on,
                        "rationale": item.rationale,
                        "why_here": item.why_here,
                        "owner_stakeholder": item.owner_stakeholder,
                        "due": item.due,
                        "applies_when": item.applies_when,
                        "citations": [c.model_dump() for c in item.citations],
                        "evidence": [evidence_json(e) for e in item.evidence],
                    }
                    for item in phase.items
                ],
            }
            for phase in plan.phases
        ],
        "audit": plan.audit.model_dump(),
    }


def _pilot_name(plan: Plan) -> str:
    return str(plan.pilot.get("name") or plan.pilot.get("title") or "AI pilot")


def _title(plan: Plan) -> str:
    return f"Production readiness plan: {_pilot_name(plan)}"


def _pattern_name(plan: Plan, pattern: str) -> str:
    return next((p.name for p in plan.assessment.patterns if p.id == pattern), pattern)


def _sources(plan: Plan) -> list[str]:
    seen: dict[str, str] = {}
    for item in plan.items():
        for c in item.citations:
            where = ", ".join(x for x in (c.section, f"p. {c.page}" if c.page else None) if x)
            seen.setdefault(f"{c.source}|{where}", f"{c.source} \u2014 {where} [{c.chunk_id}]")
    return sorted(seen.values())


def _audit_lines(plan: Plan) -> list[str]:
    a = plan.audit
    lines = [
        f"Engine: {a.engine}" + (f" (model {a.model})" if a.model else ""),
        f"Knowledge version: {a.knowledge_version}",
        f"Created: {a.created}",
    ]
    lines += [f"Prompt {name}: {label}" for name, label in sorted(a.prompts.items())]
    lines += [f"Document {name}: sha256 {digest}" for name, digest in sorted(a.documents.items())]
    lines += [f"Notice: {n}" for n in a.notices]
    return lines


# Markdown ----------------------------------------------------------------------------------------


def _verdict_lines(plan: Plan) -> list[str]:
    """The go-live verdict and the executive summary, as Markdown lines: every export opens
    with them."""
    if plan.verdict is None:
        return []
    return ["## Go-live verdict", "", *plan.executive_summary.splitlines(), ""]


def to_markdown(plan: Plan) -> str:
    out = [f"# {_title(plan)}", "", *_verdict_lines(plan)]
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
            out += _markdown_item(plan, item)
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
    out += ["## Sources", ""] + [f"- {s}" for s in _sources(plan)]
    out += ["", "## Audit trail", ""] + [f"- {line}" for line in _audit_lines(plan)]
    return "\n".join(out) + "\n"


def _markdown_item(plan: Plan, item: PlanItem) -> list[str]:
    lines = [
        f"### {item.title}",
        "",
        f"- **Pattern:** {_pattern_name(plan, item.pattern)}",
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
        where = ", ".join(x for x in (c.section, f"p. {c.page}" if c.page else None) if x)
        lines.append(f"- **Source:** {c.source}, {where}: \u201c{c.quote}\u201d")
    return [*lines, ""]


# CSV for Jira ------------------------------------------------------------------------------------


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
    epic = f"Production readiness: {_pilot_name(plan)}"
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
                _plain_item(plan, item),
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


def _plain_item(plan: Plan, item: PlanItem) -> str:
    """An item as plain text, one fact per line, for a Jira description: the Markdown lines
    without their bullets and bold (as the PDF shows them)."""
    return "\n".join(_plain(line) for line in _markdown_item(plan, item)[2:] if line)


def _plain(line: str) -> str:
    return line.removeprefix("- ").replace("**", "")


# chart -------------------------------------------------------------------------------------------


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


# PDF ---------------------------------------------------------------------------------------------


def to_pdf(plan: Plan) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import (
        Image,
        PageBreak,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )
    from reportlab.platypus.flowables import Flowable

    styles = getSampleStyleSheet()

    def para(text: str, style: str = "BodyText", bold: str = "") -> Paragraph:
        """Every word escaped; ``bold`` (escaped too) leads in bold."""
        lead = f"<b>{_xml(bold)}</b>" if bold else ""
        return Paragraph(lead + _xml(text), styles[style])

    story: list[Flowable] = [Spacer(1, 5 * cm), para(_title(plan), "Title"), Spacer(1, 1 * cm)]
    for label, value in _title_page(plan):
        story.append(para(value, bold=f"{label}: "))
    story.append(PageBreak())
    for kind, text in _summary_blocks(plan):
        if kind == "heading":
            story.append(para(text, "Heading1"))
        elif kind == "verdict":
            story.append(para("", "Heading2", bold=text))
        elif kind == "bullet":
            story.append(para(f"\u2022 {text}"))
        elif kind == "label":
            story.append(para(text, "Heading3"))
        else:
            story.append(para(text))
    story += [
        PageBreak(),
        para("Summary", "Heading1"),
        para(plan.summary),
        para("Risk by failure pattern", "Heading1"),
        Image(io.BytesIO(risk_chart_png(plan.assessment)), width=16 * cm, height=6.9 * cm),
    ]
    # Every cell a Paragraph, so long names wrap inside their column instead of running over.
    rows = [[para("", bold=h) for h in ("Pattern", "Risk", "Level", "Confidence")]] + [
        [para(p.name), para(p.risk_text), para(p.level_text), para(f"{p.confidence:.2f}")]
        for p in plan.assessment.patterns
    ]
    table = Table(rows, colWidths=[7.2 * cm, 2.6 * cm, 3.6 * cm, 2.5 * cm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story += [table]
    if plan.assessment.findings:
        story.append(para("Findings", "Heading2"))
        story += [para(f": {f.text}", bold=f.kind) for f in plan.assessment.findings]
    for phase in plan.phases:
        story.append(para(_phase_title(phase), "Heading1"))
        if not phase.items:
            story.append(para(phase.note or "Nothing scheduled."))
        for item in phase.items:
            story.append(para(item.title, "Heading3"))
            for line in _markdown_item(plan, item)[2:]:
                if line:
                    story.append(para(_plain(line)))
    story.append(PageBreak())
    story.append(para("Sources", "Heading1"))
    story += [para(s) for s in _sources(plan)]
    story.append(para("Audit trail", "Heading1"))
    story += [para(line) for line in _audit_lines(plan)]
    footer = _xml(f"{_title(plan)} \u00b7 {plan.audit.created[:10]}")

    def number(canvas: Any, document: Any) -> None:
        """Page numbers and the plan's name at the foot of every page but the title page."""
        if document.page == 1:
            return
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.setFillColor(colors.grey)
        canvas.drawString(document.leftMargin, 1.2 * cm, footer[:110])
        canvas.drawRightString(A4[0] - document.rightMargin, 1.2 * cm, f"Page {document.page}")
        canvas.restoreState()

    buffer = io.BytesIO()
    template = SimpleDocTemplate(
        buffer, pagesize=A4, title=_title(plan), author="Readiness Advisor", bottomMargin=2.2 * cm
    )
    template.build(story, onFirstPage=number, onLaterPages=number)
    return buffer.getvalue()


def _title_page(plan: Plan) -> list[tuple[str, str]]:
    """Pilot, organisation, date and verdict, for the title page of the documents."""
    rows = [("Pilot", _pilot_name(plan))]
    organisation = str(plan.pilot.get("organisation") or "").strip()
    if organisation:
        rows.append(("Organisation", organisation))
    rows.append(("Date", plan.audit.created[:10]))
    if plan.verdict is not None:
        rows.append(("Go-live verdict", plan.verdict.headline))
    rows.append(("Prepared by", "the Readiness Advisor"))
    return rows


def _summary_blocks(plan: Plan) -> list[tuple[str, str]]:
    """The verdict page as (kind, text): heading, verdict, bullet or text."""
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


def _phase_title(phase: Phase) -> str:
    return phase.name + (f" ({phase.starts} to {phase.ends})" if phase.starts else "")


def _xml(text: str) -> str:
    """Escape text for reportlab's mini-markup: user text never becomes markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# DOCX --------------------------------------------------------------------------------------------


def _docx_page_numbers(document: Any, footer: str) -> None:
    """A footer on every page but the first: the plan's name and "Page N" (a PAGE field)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    section = document.sections[0]
    section.different_first_page_header_footer = True
    paragraph = section.footer.paragraphs[0]
    paragraph.text = f"{footer} \u00b7 Page "
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind is not None:
            field = OxmlElement("w:fldChar")
            field.set(qn("w:fldCharType"), kind)
            run._r.append(field)
        else:
            code = OxmlElement("w:instrText")
            code.set(qn("xml:space"), "preserve")
            code.text = text
            run._r.append(code)


def to_docx(plan: Plan) -> bytes:
    import docx
    from docx.enum.text import WD_BREAK
    from docx.shared import Cm

    document = docx.Document()
    document.add_heading(_title(plan), level=0)
    for label, value in _title_page(plan):
        row = document.add_paragraph()
        row.add_run(f"{label}: ").bold = True
        row.add_run(value)
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    _docx_page_numbers(document, f"{_title(plan)} \u00b7 {plan.audit.created[:10]}")
    for kind, text in _summary_blocks(plan):
        if kind == "heading":
            document.add_heading(text, level=1)
        elif kind == "verdict":
            document.add_paragraph().add_run(text).bold = True
        elif kind == "bullet":
            document.add_paragraph(text, style="List Bullet")
        elif kind == "label":
            document.add_heading(text, level=3)
        else:
            document.add_paragraph(text)
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    document.add_heading("Summary", level=1)
    document.add_paragraph(plan.summary)
    document.add_heading("Risk by failure pattern", level=1)
    document.add_picture(io.BytesIO(risk_chart_png(plan.assessment)), width=Cm(16))
    table = document.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, text in zip(
        table.rows[0].cells, ("Pattern", "Risk", "Level", "Confidence"), strict=True
    ):
        cell.text = text
    for p in plan.assessment.patterns:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = p.name, p.risk_text
        cells[2].text = p.level_text
        cells[3].text = f"{p.confidence:.2f}"
    if plan.assessment.findings:
        document.add_heading("Findings", level=2)
        for f in plan.assessment.findings:
            document.add_paragraph(f"{f.kind}: {f.text}", style="List Bullet")
    for phase in plan.phases:
        document.add_heading(_phase_title(phase), level=1)
        if not phase.items:
            document.add_paragraph(phase.note or "Nothing scheduled.")
        for item in phase.items:
            document.add_heading(item.title, level=2)
            for line in _markdown_item(plan, item)[2:]:
                if line:
                    document.add_paragraph(_plain(line), style="List Bullet")
    document.add_heading("Sources", level=1)
    for s in _sources(plan):
        document.add_paragraph(s, style="List Bullet")
    document.add_heading("Audit trail", level=1)
    for line in _audit_lines(plan):
        document.add_paragraph(line, style="List Bullet")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def to_json(plan: Plan) -> str:
    return json.dumps(plan_json(plan), indent=2, ensure_ascii=False)


EXPORTERS: dict[str, Callable[[Plan], str | bytes]] = {
    "json": to_json,
    "md": to_markdown,
    "csv": to_csv,
    "pdf": to_pdf,
    "docx": to_docx,
}


def export(plan: Plan, fmt: str) -> bytes:
    """The plan in ``fmt`` (one of ``FORMATS``), as bytes ready to save or download."""
    if fmt not in EXPORTERS:
        from app.errors import ConfigError

        raise ConfigError(f"Unknown format {fmt!r}; choose one of {', '.join(FORMATS)}.")
    body = EXPORTERS[fmt](_safe_for(plan, fmt))
    return body.encode("utf-8") if isinstance(body, str) else body


# user text, made safe for each format ------------------------------------------------------------

# Characters XML 1.0 forbids (DOCX, and reportlab's parser), and that no document needs.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_MD_ACTIVE = re.compile(r"([\[\]<>`])")


def _scrub(value: Any, clean: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, list):
        return [_scrub(v, clean) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v, clean) for k, v in value.items()}
    return value


def _safe_for(plan: Plan, fmt: str) -> Plan:
    """The plan with every string made safe for ``fmt``: control characters dropped for the
    document formats; in Markdown, brackets, angle brackets and backticks escaped (no links,
    images, HTML or code from anyone's words) and names kept on one line."""
    if fmt == "json":
        return plan
    data = _scrub(plan.model_dump(mode="json"), lambda text: _ILLEGAL.sub("", text))
    if fmt == "md":
        data = _scrub(data, lambda text: _MD_ACTIVE.sub(r"\\\1", text))
    data["pilot"] = {
        k: " ".join(v.split()) if isinstance(v, str) else v for k, v in data["pilot"].items()
    }
    return Plan.model_validate(data)
