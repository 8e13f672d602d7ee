"""Plan -> DOCX (python-docx): a title page, the verdict page, then the summary, the risk chart
and table, findings, the phased items, sources and the audit trail, with numbered pages."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from app.io.markdown import plain_item_lines
from app.io.plan_text import audit_lines, sources, title
from app.io.report_parts import footer, phase_title, risk_chart_png, summary_blocks, title_page
from app.schemas import Plan

if TYPE_CHECKING:
    from docx.document import Document


def to_docx(plan: Plan) -> bytes:
    import docx
    from docx.enum.text import WD_BREAK
    from docx.shared import Cm

    document = docx.Document()
    document.add_heading(title(plan), level=0)
    for label, value in title_page(plan):
        row = document.add_paragraph()
        row.add_run(f"{label}: ").bold = True
        row.add_run(value)
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    _page_numbers(document, footer(plan))
    for kind, text in summary_blocks(plan):
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
        document.add_heading(phase_title(phase), level=1)
        if not phase.items:
            document.add_paragraph(phase.note or "Nothing scheduled.")
        for item in phase.items:
            document.add_heading(item.title, level=2)
            for line in plain_item_lines(plan, item):
                document.add_paragraph(line, style="List Bullet")
    _bullets(document, "Sources", sources(plan))
    _bullets(document, "Audit trail", audit_lines(plan))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _bullets(document: Document, heading: str, lines: list[str]) -> None:
    """A first-level heading and a bulleted line each."""
    document.add_heading(heading, level=1)
    for line in lines:
        document.add_paragraph(line, style="List Bullet")


def _page_numbers(document: Any, footer: str) -> None:
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
