"""Plan -> PDF (reportlab): a title page, the verdict page, then the summary, the risk chart
and table, findings, the phased items, sources and the audit trail, with numbered pages."""

from __future__ import annotations

import io
from typing import Any

from app.io.markdown import plain_item_lines
from app.io.plan_text import audit_lines, sources, title
from app.io.report_parts import footer, phase_title, risk_chart_png, summary_blocks, title_page
from app.schemas import Plan


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

    story: list[Flowable] = [Spacer(1, 5 * cm), para(title(plan), "Title"), Spacer(1, 1 * cm)]
    for label, value in title_page(plan):
        story.append(para(value, bold=f"{label}: "))
    story.append(PageBreak())
    for kind, text in summary_blocks(plan):
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
        story.append(para(phase_title(phase), "Heading1"))
        if not phase.items:
            story.append(para(phase.note or "Nothing scheduled."))
        for item in phase.items:
            story.append(para(item.title, "Heading3"))
            story += [para(line) for line in plain_item_lines(plan, item)]
    story.append(PageBreak())
    story.append(para("Sources", "Heading1"))
    story += [para(s) for s in sources(plan)]
    story.append(para("Audit trail", "Heading1"))
    story += [para(line) for line in audit_lines(plan)]
    foot = _xml(footer(plan))

    def number(canvas: Any, document: Any) -> None:
        """Page numbers and the plan's name at the foot of every page but the title page."""
        if document.page == 1:
            return
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.setFillColor(colors.grey)
        canvas.drawString(document.leftMargin, 1.2 * cm, foot[:110])
        canvas.drawRightString(A4[0] - document.rightMargin, 1.2 * cm, f"Page {document.page}")
        canvas.restoreState()

    buffer = io.BytesIO()
    template = SimpleDocTemplate(
        buffer, pagesize=A4, title=title(plan), author="Readiness Advisor", bottomMargin=2.2 * cm
    )
    template.build(story, onFirstPage=number, onLaterPages=number)
    return buffer.getvalue()


def _xml(text: str) -> str:
    """Escape text for reportlab's mini-markup: user text never becomes markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
