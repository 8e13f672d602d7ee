"""Ingestion of each file type, and a typed, specific refusal for each kind of bad input."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from app import errors
from app.documents.ingest import Limits, display_name, parse_bytes, parse_file
from tests.conftest import SHARED
from tests.factories import make_docx, make_pdf, make_zip_bomb_docx

LIMITS = Limits(max_bytes=5 << 20, max_pages=50, max_unpacked_bytes=20 << 20)
PDF_SAMPLES = SHARED / "corpus" / "pdf-samples"


def test_pdf_gives_one_block_per_page_with_page_numbers(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "report.pdf", ["Intro page text", "", "Third page about data"])
    doc = parse_file(path, LIMITS)
    assert doc.pages == 3
    assert [b.page for b in doc.blocks] == [1, 3]
    assert "Third page" in doc.blocks[1].text


def test_docx_headings_become_sections(tmp_path: Path) -> None:
    path = make_docx(
        tmp_path / "plan.docx",
        [("Data sources", ["The CRM export is weekly."]), ("Risks", ["Nobody owns the feed."])],
    )
    doc = parse_file(path, LIMITS)
    assert [(b.section, b.text) for b in doc.blocks] == [
        ("Data sources", "The CRM export is weekly."),
        ("Risks", "Nobody owns the feed."),
    ]


def test_markdown_headings_become_sections_and_fences_stay_whole() -> None:
    text = "# Title\nIntro.\n\n## Data\nLine one.\n```\n# not a heading\n```\n## Ops\nRuns.\n"
    doc = parse_bytes(text.encode(), "notes.md", LIMITS)
    assert [b.section for b in doc.blocks] == ["Title", "Data", "Ops"]
    assert "# not a heading" in doc.blocks[1].text


def test_latin1_text_is_decoded_not_refused() -> None:
    data = "Données de qualité: le fichier client est nettoyé à la main. Café, señor.".encode(
        "latin-1"
    )
    doc = parse_bytes(data, "notes.txt", LIMITS)
    assert "nettoyé à la main" in doc.blocks[0].text


@pytest.mark.parametrize(
    ("name", "data", "error"),
    [
        ("empty.pdf", b"", errors.EmptyFile),
        ("blank.txt", b"  \n\n ", errors.EmptyFile),
        ("random.pdf", bytes(range(256)) * 40, errors.ContentMismatch),
        ("page.pdf", b"<!DOCTYPE html><html><body>hi</body></html>", errors.ContentMismatch),
        ("truncated.pdf", b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog", errors.CorruptFile),
        ("binary.docx", b"\x7fELF\x02\x01\x01" + bytes(500), errors.ContentMismatch),
        ("image.txt", b"\x89PNG\r\n\x1a\n" + bytes(100), errors.ContentMismatch),
        ("sheet.xlsx", b"PK\x03\x04abc", errors.UnsupportedFileType),
    ],
)
def test_bad_input_is_refused_with_a_typed_error(
    name: str, data: bytes, error: type[errors.IngestError]
) -> None:
    with pytest.raises(error) as caught:
        parse_bytes(data, name, LIMITS)
    assert str(caught.value).startswith(name)
    assert caught.value.hint in str(caught.value)


def test_truncated_real_pdf_is_corrupt(tmp_path: Path) -> None:
    whole = make_pdf(tmp_path / "whole.pdf", ["Some text"] * 3).read_bytes()
    with pytest.raises((errors.CorruptFile, errors.NoTextLayer, errors.NoWords)):
        parse_bytes(whole[: len(whole) // 3], "cut.pdf", LIMITS)


def test_password_protected_pdf_is_refused(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "secret.pdf", ["Confidential"], password="s3cret")
    with pytest.raises(errors.EncryptedFile, match="password"):
        parse_file(path, LIMITS)


def test_size_page_and_unpacked_limits(tmp_path: Path) -> None:
    small = Limits(max_bytes=1000, max_pages=2, max_unpacked_bytes=1 << 20)
    with pytest.raises(errors.FileTooLarge, match="ADVISOR_MAX_FILE_MB"):
        parse_bytes(b"x" * 2000, "big.txt", small)
    pdf = make_pdf(tmp_path / "long.pdf", ["page"] * 3)
    with pytest.raises(errors.TooManyPages, match="3 pages"):
        parse_file(pdf, Limits(1 << 20, 2, 1 << 20))
    bomb = make_zip_bomb_docx(tmp_path / "bomb.docx", unpacked_mb=30)
    with pytest.raises(errors.UnpackedTooLarge):
        parse_file(bomb, LIMITS)


def test_file_names_lose_folders_and_control_characters() -> None:
    assert display_name("../../etc/passwd.txt") == "passwd.txt"
    assert display_name("..\\..\\evil\x00\x1b.md") == "evil.md"
    doc = parse_bytes(b"hello", "../../x/\x07notes.txt", LIMITS)
    assert doc.source == "notes.txt"


SCANS = {"007-imagemagick-images", "019-grayscale-image", "023-cmyk-image"}


def _corpus() -> list[Path]:
    return sorted(PDF_SAMPLES.glob("*.pdf")) if PDF_SAMPLES.is_dir() else []


@pytest.mark.skipif(not PDF_SAMPLES.is_dir(), reason="shared PDF corpus not beside the repo")
@pytest.mark.parametrize("path", _corpus(), ids=lambda p: p.name)
def test_every_sample_pdf_indexes_with_pages_or_is_refused_specifically(path: Path) -> None:
    described = json.loads((PDF_SAMPLES / "files.json").read_text())["data"]
    encrypted = {d["path"].replace("/", "_") for d in described if d.get("encrypted")}
    limits = Limits(max_bytes=50 << 20, max_pages=1000, max_unpacked_bytes=200 << 20)
    if path.name in encrypted:
        with pytest.raises(errors.EncryptedFile):
            parse_file(path, limits)
        return
    if path.name.split("_")[0] in SCANS and "images.pdf" not in path.name:
        # The corpus's scans are photographs with no writing: OCR reads them and says so.
        expected = errors.OcrFoundNoText if shutil.which("tesseract") else errors.NoTextLayer
        with pytest.raises(expected, match=re.escape(path.name)):
            parse_file(path, limits)
        return
    try:
        doc = parse_file(path, limits)
    except errors.CorruptFile as refused:
        assert path.name in str(refused)
        return
    assert doc.pages >= 1
    assert all(block.page is not None and 1 <= block.page <= doc.pages for block in doc.blocks)


# OCR: scans and images ----------------------------------------------------------------------------

needs_tesseract = pytest.mark.skipif(
    not __import__("shutil").which("tesseract"), reason="Tesseract is installed by make system-deps"
)


def _accuracy(expected: str, found: str) -> float:
    import difflib

    return difflib.SequenceMatcher(
        None, " ".join(expected.split()), " ".join(found.split())
    ).ratio()


@needs_tesseract
def test_a_scanned_pdf_is_read_by_ocr_with_its_pages(tmp_path: Path) -> None:
    from tests.factories import SCAN_TEXT, make_scan

    scan = make_scan(tmp_path / "minutes-scan.pdf", [SCAN_TEXT, ["Page two: Karen signs off."]])
    doc = parse_file(scan, LIMITS)
    assert [b.page for b in doc.blocks] == [1, 2] and all(b.ocr for b in doc.blocks)
    assert _accuracy(" ".join(SCAN_TEXT), doc.blocks[0].text) >= 0.95
    assert "Karen signs off" in doc.blocks[1].text


@needs_tesseract
def test_images_are_read_by_ocr_and_a_picture_without_words_is_refused(tmp_path: Path) -> None:
    from tests.factories import SCAN_TEXT, page_image

    doc = parse_bytes(page_image(SCAN_TEXT), "whiteboard.png", LIMITS)
    assert doc.file_type == "image" and doc.blocks[0].ocr and doc.blocks[0].page == 1
    assert "purchase order number" in doc.blocks[0].text
    with pytest.raises(errors.OcrFoundNoText, match=r"blank\.png"):
        parse_bytes(page_image([]), "blank.png", LIMITS)
    with pytest.raises(errors.ContentMismatch):
        parse_bytes(b"<html>not an image</html>", "photo.jpg", LIMITS)


def test_ocr_off_or_over_its_page_limit_is_refused_with_the_setting(tmp_path: Path) -> None:
    from dataclasses import replace

    from tests.factories import SCAN_TEXT, make_scan

    scan = make_scan(tmp_path / "scan.pdf", [SCAN_TEXT, SCAN_TEXT])
    with pytest.raises(errors.NoTextLayer, match="ADVISOR_OCR"):
        parse_file(scan, replace(LIMITS, ocr=False))
    if __import__("shutil").which("tesseract"):
        with pytest.raises(errors.OcrTooManyPages, match="ADVISOR_OCR_MAX_PAGES"):
            parse_file(scan, replace(LIMITS, ocr_max_pages=1))
