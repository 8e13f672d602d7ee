"""Builders of small test files: real PDFs and DOCX files made on the fly."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path


def make_pdf(path: Path, pages: list[str], password: str | None = None) -> Path:
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
    path.write_bytes(buffer.getvalue())
    return path


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
