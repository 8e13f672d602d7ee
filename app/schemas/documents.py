"""Types of the document stages: a file -> ``ParsedDocument`` -> ``Chunk`` -> ``SearchResult``.

Also what a retrieved passage becomes when something cites it: a ``Citation``, and the cited
``Answer`` to a free question.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class SourceKind(StrEnum):
    """What a chunk came from: the knowledge base or a pilot's own documents."""

    PLAYBOOK = "playbook"
    DOCUMENT = "document"


class Block(BaseModel):
    """A run of text with one provenance: a PDF page, or a section under a heading."""

    model_config = ConfigDict(frozen=True)

    text: str
    page: int | None = Field(default=None, description="1-based page number, PDFs only.")
    section: str | None = Field(default=None, description="Nearest heading above the text.")
    ocr: bool = Field(default=False, description="Read from a page image by OCR.")


class ParsedDocument(BaseModel):
    """A file read into blocks. Output of ingest, input of chunking."""

    source: str = Field(description="File name shown to users and in citations.")
    sha256: str
    file_type: Literal["pdf", "docx", "md", "txt", "image"]
    kind: SourceKind = SourceKind.DOCUMENT
    title: str | None = None
    pages: int = Field(default=0, description="Pages in the file (PDF) or 0.")
    blocks: list[Block]


class Chunk(BaseModel):
    """A retrievable, citable passage. ``chunk_id`` is stable across re-ingests."""

    model_config = ConfigDict(frozen=True)

    chunk_id: str
    text: str
    source: str
    source_hash: str
    kind: SourceKind
    page: int | None = None
    section: str | None = None
    title: str | None = None
    index: int = Field(description="Position of the chunk within its page or section run.")
    ocr: bool = Field(default=False, description="Its text was read from an image by OCR.")

    @property
    def context_text(self) -> str:
        """Text to embed and to match lexically: the heading trail, then the passage."""
        head = " - ".join(part for part in (self.title, self.section) if part)
        return f"{head}\n{self.text}" if head else self.text


class IngestReport(BaseModel):
    """The outcome of ingesting one file, as ``advisor ingest --json`` prints it."""

    path: str
    status: Literal["indexed", "refused"]
    chunks: int = 0
    pages: int = 0
    error: str | None = None


class SearchResult(BaseModel):
    """One retrieved passage, as ``advisor search --json`` prints it."""

    chunk_id: str
    source: str
    page: int | None
    section: str | None
    text: str
    score: float
    kind: SourceKind


class Citation(BaseModel):
    """A verbatim quote from a stored chunk, checked to be a substring of it."""

    chunk_id: str
    source: str
    section: str | None
    page: int | None
    quote: str


class Answer(BaseModel):
    """A reply to a free question, every claim cited."""

    question: str
    text: str
    citations: list[Citation]
    engine: str
    notices: list[str] = Field(default_factory=list)
