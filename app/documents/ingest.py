"""Ingest: a file on disk -> ``ParsedDocument`` (blocks of text with page or section).

Checks come before parsing: type, size, emptiness, magic bytes, page count and unpacked size.
Every failure is a typed ``IngestError`` naming the file and saying what to do; parser
exceptions never escape as tracebacks.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import stat
import time
import unicodedata
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from charset_normalizer import from_bytes

from app.documents import ocr
from app.errors import (
    ContentMismatch,
    CorruptFile,
    EmptyFile,
    EncryptedFile,
    FileTooLarge,
    IngestError,
    NotAFile,
    NoTextLayer,
    NoWords,
    OcrError,
    OcrFoundNoText,
    OcrTooManyPages,
    TooManyPages,
    TooManyParts,
    TooMuchText,
    TooSlow,
    UnpackedTooLarge,
    UnreadableFile,
    UnsupportedFileType,
)
from app.schemas import Block, ParsedDocument, SourceKind

log = logging.getLogger(__name__)

# The kinds of file read, each with the suffixes it comes under.
_SUFFIXES = {
    "pdf": (".pdf",),
    "docx": (".docx",),
    "md": (".md", ".markdown"),
    "txt": (".txt",),
    "image": (".png", ".jpg", ".jpeg", ".tif", ".tiff"),
}
EXTENSIONS = {suffix: kind for kind, suffixes in _SUFFIXES.items() for suffix in suffixes}
_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")
BARE_PAGE_CHARS = 20  # OCR text shorter than this (specks, a stray mark) is no text


@dataclass(frozen=True)
class Limits:
    """What reading one file may cost (from the ``ADVISOR_MAX_*`` and OCR settings)."""

    max_bytes: int
    max_pages: int
    max_unpacked_bytes: int
    max_seconds: float = 120.0
    max_chars: int = 3_000_000
    max_sections: int = 5_000
    max_paragraphs: int = 100_000
    ocr: bool = True
    ocr_max_pages: int = 50


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def display_name(name: str) -> str:
    """A file name safe to show and store: no folders, no control or direction characters."""
    base = re.split(r"[\\/]", name)[-1]
    base = "".join(c for c in base if unicodedata.category(c) not in ("Cc", "Cf", "Cs"))
    cleaned = _CONTROL.sub("", base).strip().lstrip(".")[:200]
    return cleaned or "unnamed"


def parse_file(path: Path, limits: Limits, name: str | None = None) -> ParsedDocument:
    """Read ``path`` (shown to users as ``name``) into blocks, or raise ``IngestError``."""
    shown = display_name(name or path.name)
    try:
        info = path.lstat()  # a link is not followed: it could point at any file on the host
    except FileNotFoundError as exc:
        raise CorruptFile(shown, "no such file") from exc
    except OSError as exc:
        raise UnreadableFile(shown, exc.strerror) from exc
    if not stat.S_ISREG(info.st_mode):
        raise NotAFile(shown)
    if info.st_size > limits.max_bytes:
        raise FileTooLarge(shown, f"{info.st_size / 1e6:.1f} MB")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableFile(shown, exc.strerror) from exc
    return parse_bytes(data, shown, limits)


def parse_bytes(data: bytes, name: str, limits: Limits) -> ParsedDocument:
    """Parse file content already in memory (an upload) into blocks."""
    shown = display_name(name)
    file_type = EXTENSIONS.get(Path(shown).suffix.lower())
    if file_type is None:
        raise UnsupportedFileType(shown)
    if len(data) > limits.max_bytes:
        raise FileTooLarge(shown, f"{len(data) / 1e6:.1f} MB")
    if not data.strip():
        raise EmptyFile(shown)
    digest = hashlib.sha256(data).hexdigest()
    if file_type == "pdf":
        pages, blocks = _read_pdf(data, shown, limits)
    elif file_type == "image":
        pages, blocks = _read_image(data, shown, limits)
    elif file_type == "docx":
        pages, blocks = 0, _read_docx(data, shown, limits)
    else:
        text = decode_text(data, shown)
        pages = 0
        blocks = split_markdown(text) if file_type == "md" else _plain_blocks(text)
    blocks = [b for b in blocks if b.text.strip()]
    if not blocks:
        raise EmptyFile(shown, "no readable text found")
    if file_type in ("md", "txt") and len(blocks) > limits.max_sections:
        raise TooManyParts(shown, f"{len(blocks):,} sections, limit {limits.max_sections:,}")
    chars = sum(len(b.text) for b in blocks)
    if chars > limits.max_chars:
        raise TooMuchText(shown, f"{chars:,} characters, limit {limits.max_chars:,}")
    return ParsedDocument(
        source=shown,
        sha256=digest,
        file_type=file_type,
        kind=SourceKind.DOCUMENT,
        pages=pages,
        blocks=blocks,
    )


def decode_text(data: bytes, name: str) -> str:
    """Decode text of unknown encoding; binary content is refused, latin-1 is fine."""
    if data.startswith((b"%PDF", b"PK\x03\x04", b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        raise ContentMismatch(name, "this is a binary file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ContentMismatch(name, "this is a binary file, not text")
    best = from_bytes(data[: 1 << 20]).best()
    if best is None or best.encoding is None:
        raise ContentMismatch(name, "the bytes are not text in any known encoding")
    return data.decode(best.encoding, errors="replace")


_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_EMPHASIS = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")


def split_markdown(text: str) -> list[Block]:
    """Split Markdown at ATX headings; drop bold markers, keep fenced code intact."""
    blocks: list[Block] = []
    heading: str | None = None
    lines: list[str] = []
    in_fence = False

    def flush() -> None:
        body = "\n".join(lines).strip("\n")
        if body.strip():
            blocks.append(Block(text=body, section=heading))
        lines.clear()

    for line in text.splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
        match = None if in_fence else _HEADING.match(line)
        if match:
            flush()
            heading = _EMPHASIS.sub(r"\2", match.group(2)).strip()
        else:
            lines.append(line if in_fence else _EMPHASIS.sub(r"\2", line))
    flush()
    return blocks


def _plain_blocks(text: str) -> list[Block]:
    return [Block(text=text.strip())]


def _read_pdf(data: bytes, name: str, limits: Limits) -> tuple[int, list[Block]]:
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError

    head = data[:1024]
    if b"%PDF" not in head:
        kind = "HTML" if b"<html" in head.lower() or b"<!doctype" in head.lower() else "not PDF"
        raise ContentMismatch(name, f"the content is {kind}")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise EncryptedFile(name)
        count = len(reader.pages)
    except IngestError:
        raise
    except FileNotDecryptedError as exc:
        raise EncryptedFile(name) from exc
    except Exception as exc:
        raise CorruptFile(name, type(exc).__name__) from exc
    if count == 0:
        raise CorruptFile(name, "no pages")
    if count > limits.max_pages:
        raise TooManyPages(name, f"{count} pages, limit {limits.max_pages}")
    blocks: list[Block] = []
    bare: list[int] = []
    started = time.monotonic()
    for number, page in enumerate(reader.pages, start=1):
        if time.monotonic() - started > limits.max_seconds:
            raise TooSlow(name, f"stopped at page {number} of {count}")
        try:
            text = page.extract_text() or ""
        except Exception as exc:  # noqa: BLE001 - one broken page must not sink the file
            log.warning("%s: page %d unreadable (%s); skipped", name, number, exc)
            continue
        text = _CONTROL.sub(lambda m: m.group(0) if m.group(0) in "\n\t" else " ", text)
        if text.strip():
            blocks.append(Block(text=text.strip(), page=number))
        elif _has_images(page):
            bare.append(number)  # no text layer but a picture: a scan, read by OCR
    if bare and limits.ocr and ocr.available():
        scanned = _ocr_pages(
            name,
            [(n, partial(ocr.pdf_page_png, data, n - 1)) for n in bare],
            limits,
            started,
            has_text=bool(blocks),
        )
        blocks = sorted([*blocks, *scanned], key=lambda b: b.page or 0)
    elif not blocks and bare:
        raise NoTextLayer(name)  # a scan, and OCR is off or not installed
    elif not blocks:
        raise NoWords(name)
    return count, blocks


def _has_images(page: Any) -> bool:
    try:
        resources = page.get("/Resources")
        return resources is not None and bool(resources.get_object().get("/XObject"))
    except Exception:  # noqa: BLE001 - a malformed resource dictionary: no OCR for the page
        return False


def _read_image(data: bytes, name: str, limits: Limits) -> tuple[int, list[Block]]:
    """A PNG, JPEG or TIFF upload: each frame read by OCR as one page."""
    if not data.startswith(_IMAGE_MAGIC):
        raise ContentMismatch(name, "the content is not a PNG, JPEG or TIFF image")
    if not (limits.ocr and ocr.available()):
        raise NoTextLayer(name, "an image")
    try:
        frames = list(ocr.image_frames(data))
    except Exception as exc:
        raise CorruptFile(name, type(exc).__name__) from exc
    if len(frames) > limits.max_pages:
        raise TooManyPages(name, f"{len(frames)} pages, limit {limits.max_pages}")
    pages = [(number, partial(bytes, png)) for number, png in enumerate(frames, 1)]
    return len(frames), _ocr_pages(name, pages, limits, time.monotonic(), has_text=False)


def _ocr_pages(
    name: str,
    pages: Sequence[tuple[int, Callable[[], bytes]]],
    limits: Limits,
    started: float,
    has_text: bool,
) -> list[Block]:
    """OCR text of each page, within the file's clock and the OCR page limit; a file with
    no other text is refused with the reason when OCR finds none."""
    if len(pages) > limits.ocr_max_pages:
        raise OcrTooManyPages(name, f"{len(pages)} pages need OCR, limit {limits.ocr_max_pages}")
    blocks: list[Block] = []
    for number, image in pages:
        left = limits.max_seconds - (time.monotonic() - started)
        if left <= 0:
            raise TooSlow(name, f"OCR stopped at page {number}")
        try:
            text = ocr.read_png(image(), left)
        except ocr.OcrFailed as exc:
            if "time" in str(exc):
                raise TooSlow(name, f"OCR of page {number}: {exc}") from exc
            raise OcrError(name, f"page {number}: {exc}") from exc
        text = _CONTROL.sub(lambda m: m.group(0) if m.group(0) in "\n\t" else " ", text)
        if len("".join(text.split())) >= BARE_PAGE_CHARS:
            blocks.append(Block(text=text.strip(), page=number, ocr=True))
    if not blocks and not has_text:
        raise OcrFoundNoText(name, f"{len(pages)} page(s) read")
    return blocks


def _read_docx(data: bytes, name: str, limits: Limits) -> list[Block]:
    if not data.startswith(b"PK\x03\x04"):
        raise ContentMismatch(name, "a DOCX file is a zip archive and this is not")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            if "word/document.xml" not in archive.namelist():
                raise ContentMismatch(name, "the archive holds no Word document")
            if unpacked > limits.max_unpacked_bytes:
                raise UnpackedTooLarge(name, f"{unpacked / 1e6:.0f} MB unpacked")
            body = archive.read("word/document.xml")
    except zipfile.BadZipFile as exc:
        raise CorruptFile(name, "broken zip archive") from exc
    # Counted in the raw XML, before a parser builds millions of objects.
    paragraphs = body.count(b"<w:p>") + body.count(b"<w:p ") + body.count(b"<w:p/>")
    if paragraphs > limits.max_paragraphs:
        raise TooManyParts(name, f"{paragraphs:,} paragraphs, limit {limits.max_paragraphs:,}")
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:
        raise CorruptFile(name, type(exc).__name__) from exc
    blocks: list[Block] = []
    heading: str | None = None
    lines: list[str] = []

    def flush() -> None:
        if any(line.strip() for line in lines):
            blocks.append(Block(text="\n".join(lines).strip(), section=heading))
        lines.clear()

    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            style = (item.style.name if item.style is not None else "") or ""
            if style.startswith("Heading") or style == "Title":
                if item.text.strip():
                    flush()
                    heading = item.text.strip()
            elif item.text.strip():
                lines.append(item.text)
        elif isinstance(item, Table):
            for row in item.rows:
                cells = [cell.text.strip() for cell in row.cells]
                if any(cells):
                    lines.append(" | ".join(cells))
    flush()
    return blocks
