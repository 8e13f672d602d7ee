"""Builders of small test files: real PDFs, DOCX files and Markdown reports made on the fly."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from pathlib import Path


def make_pdf(path: Path, pages: list[str], password: str | None = None) -> Path:
    path.write_bytes(make_pdf_bytes(pages, password))
    return path


SCAN_TEXT = [
    "Steering committee minutes, 12 March.",
    "The vendor master data feed has no owner.",
    "One in ten invoices arrives without a purchase order number.",
    "Rollback was agreed for the May release.",
]


def page_image(lines: list[str], scale: float = 2.0) -> bytes:
    """PNG of an A4 page printed with ``lines``: reportlab draws it, pdfium renders it."""
    import pypdfium2 as pdfium

    printed = make_pdf_bytes(["\n".join(lines)])
    page = pdfium.PdfDocument(printed)[0]
    out = io.BytesIO()
    page.render(scale=scale, grayscale=True).to_pil().save(out, format="PNG")
    return out.getvalue()


def make_scan(path: Path, pages: list[list[str]]) -> Path:
    """A PDF of page images only (no text layer), as a scanner makes: text -> image -> PDF."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    for lines in pages:
        image = ImageReader(io.BytesIO(page_image(lines)))
        pdf.drawImage(image, 0, 0, width=A4[0], height=A4[1])
        pdf.showPage()
    pdf.save()
    path.write_bytes(buffer.getvalue())
    return path


def make_pdf_bytes(pages: list[str], password: str | None = None) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    kwargs = {}
    if password:
        from reportlab.lib import pdfencrypt

        kwargs["encrypt"] = pdfencrypt.StandardEncryption(password)
    pdf = canvas.Canvas(buffer, pagesize=A4, **kwargs)
    for text in pages:
        y = 800
        for line in text.splitlines():
            pdf.drawString(60, y, line)
            y -= 16
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def make_docx(path: Path, sections: list[tuple[str, list[str]]]) -> Path:
    import docx

    document = docx.Document()
    for heading, paragraphs in sections:
        document.add_heading(heading, level=1)
        for paragraph in paragraphs:
            document.add_paragraph(paragraph)
    document.save(str(path))
    return path


def make_zip_bomb_docx(path: Path, unpacked_mb: int) -> Path:
    """A DOCX-shaped zip whose one member inflates to ``unpacked_mb`` megabytes."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"<w:document/>" + b" " * (unpacked_mb << 20))
    return path


def small_reports(tags: Iterable[str]) -> dict[str, bytes]:
    """``report-{tag}.md`` -> a short Markdown report (a finding, an operations section) whose
    every paragraph names its tag, so no two share text (the advisor counts a copy once)."""
    return {
        f"report-{tag}.md": (
            f"# Report {tag}\n\nFinding {tag}: the vendor feed {tag} has no owner and breaks.\n"
            f"\n## Operations {tag}\n\nThe model {tag} runs on a laptop.\n"
        ).encode()
        for tag in tags
    }
