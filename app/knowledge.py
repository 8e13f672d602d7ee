"""The knowledge base as typed data: ``knowledge/`` -> playbooks (and, later, patterns).

Playbooks are Markdown with YAML front matter. This module is the only reader of
``knowledge/``; everything else asks it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field

from app.errors import ConfigError
from app.ingest import split_markdown
from app.schemas import ParsedDocument, SourceKind


class SourceRef(BaseModel):
    title: str
    publisher: str | None = None
    author: str | None = None
    year: int | str | None = None
    link: str | None = None


class Playbook(BaseModel):
    id: str
    title: str
    patterns: list[str]
    sources: list[SourceRef] = Field(default_factory=list)
    file: str
    body: str
    extra: dict[str, Any] = Field(default_factory=dict)


def split_front_matter(text: str, name: str) -> tuple[dict[str, Any], str]:
    if not text.startswith("---"):
        raise ConfigError(f"{name}: a playbook must start with YAML front matter (---).")
    _, head, body = text.split("---", 2)
    data = yaml.safe_load(head) or {}
    if not isinstance(data, dict):
        raise ConfigError(f"{name}: front matter must be a mapping.")
    return data, body.lstrip("\n")


def load_playbooks(knowledge_dir: Path) -> list[Playbook]:
    folder = knowledge_dir / "playbooks"
    books = []
    known = {"id", "title", "patterns", "sources"}
    for path in sorted(folder.glob("*.md")):
        meta, body = split_front_matter(path.read_text(encoding="utf-8"), path.name)
        try:
            books.append(
                Playbook(
                    **{k: v for k, v in meta.items() if k in known},
                    file=path.name,
                    body=body,
                    extra={k: v for k, v in meta.items() if k not in known},
                )
            )
        except ValueError as exc:
            raise ConfigError(f"{path.name}: invalid front matter: {exc}") from exc
    return books


def playbook_document(book: Playbook) -> ParsedDocument:
    """A playbook as a document to index, sections under their headings."""
    return ParsedDocument(
        source=book.file,
        sha256=hashlib.sha256(book.body.encode()).hexdigest(),
        file_type="md",
        kind=SourceKind.PLAYBOOK,
        title=book.title,
        blocks=split_markdown(book.body),
    )
