"""The playbooks as typed data: ``knowledge/playbooks/*.md`` -> ``Playbook``, the
``Recommendation`` blocks a plan cites, the passages retrieval indexes and, from the statistics
playbook's front matter, the figures that may (``Figure``) and may not (``BannedFigure``) be
cited."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, Field, ValidationError

from app.documents.ingest import split_markdown
from app.errors import ConfigError
from app.knowledge.patterns import Frozen
from app.schemas import ParsedDocument, SourceKind, WorkItem


class SourceRef(Frozen):
    title: str
    publisher: str | None = None
    author: str | None = None
    year: int | str | None = None
    link: str | None = None


class Playbook(BaseModel):
    id: str
    title: str
    patterns: list[str]
    sources: list[SourceRef] = Field(min_length=1)
    file: str
    body: str
    extra: dict[str, Any] = Field(default_factory=dict)


class Recommendation(WorkItem, Frozen):
    """A Recommendation block from a playbook: the unit a plan item is built from."""

    prerequisites: str
    depends_on: list[str]
    exit_criterion: str
    file: str
    section: str = Field(description="The block's own heading, 'Recommendation: ...'.")
    parent: str | None = Field(default=None, description="The H2 section the block sits in.")
    applies_when: list[str] = Field(
        default_factory=list,
        description="Profile conditions, all of which must hold: 'personal_data', "
        "'model_source=vendor'. Empty: applies to every pilot.",
    )
    triggered_by: list[str] = Field(
        default_factory=list, description="Slots whose gaps this block answers."
    )
    stage: Literal["build", "operate"] = Field(
        default="build", description="'operate': running and scaling work for days 90-180."
    )


class Figure(Frozen):
    id: str
    claim: str
    source: str
    year: int
    caveat: str


class BannedFigure(Frozen):
    id: str
    claim: str
    why: str
    match: list[str] = Field(min_length=1, description="Regular expressions that find it.")


_FIELD = re.compile(r"^- \*\*(?P<name>[A-Za-z ]+):\*\*\s*(?P<value>.*)$")
_FIELDS = {
    "ID": "id",
    "Pattern": "pattern",
    "Action": "action",
    "Owner": "owner",
    "Effort": "effort",
    "Timeframe": "timeframe",
    "Prerequisites": "prerequisites",
    "Depends on": "depends_on",
    "Exit criterion": "exit_criterion",
}
_OPTIONAL = {"Applies when": "applies_when", "Triggered by": "triggered_by", "Stage": "stage"}
REC_PREFIX = "Recommendation:"


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
        except ValidationError as exc:
            raise ConfigError(f"{path.name}: invalid front matter: {exc}") from exc
    return books


def playbook_document(book: Playbook) -> ParsedDocument:
    """A playbook as a document to index, sections under their headings. The planner's own
    fields (``Applies when``, ``Triggered by``, ``Stage``) are left out: ids, not prose."""
    body = "\n".join(
        line
        for line in book.body.splitlines()
        if not ((m := _FIELD.match(line)) and m.group("name").strip() in _OPTIONAL)
    )
    return ParsedDocument(
        source=book.file,
        sha256=hashlib.sha256(body.encode()).hexdigest(),
        file_type="md",
        kind=SourceKind.PLAYBOOK,
        title=book.title,
        blocks=split_markdown(body),
    )


def parse_recommendations(book: Playbook) -> list[Recommendation]:
    """Every ``### Recommendation: ...`` block of a playbook, its fields checked."""
    out: list[Recommendation] = []
    parent: str | None = None
    current: dict[str, Any] | None = None

    def close() -> None:
        if current is None:
            return
        missing = [f for f in _FIELDS.values() if f not in current]
        if missing:
            raise ConfigError(f"{book.file}: '{current['section']}' lacks {', '.join(missing)}.")
        for key in ("depends_on", "applies_when", "triggered_by"):
            value = str(current.get(key, "")).strip()
            current[key] = (
                []
                if value.lower() in {"none", "-", "", "always"}
                else [d.strip() for d in value.split(",")]
            )
        try:
            out.append(Recommendation(file=book.file, parent=parent, **current))
        except ValidationError as exc:
            raise ConfigError(f"{book.file}: '{current['section']}' is invalid: {exc}") from exc

    for line in book.body.splitlines():
        if line.startswith("## "):
            close()
            current = None
            parent = line[3:].strip()
        elif line.startswith("### "):
            close()
            heading = line[4:].strip()
            current = None
            if heading.startswith(REC_PREFIX):
                title = heading[len(REC_PREFIX) :].strip()
                current = {"section": heading, "title": title}
        elif current is not None and (match := _FIELD.match(line)):
            name = match.group("name").strip()
            field = _FIELDS.get(name) or _OPTIONAL.get(name)
            if field is not None:
                current[field] = match.group("value").strip()
    close()
    return out


def figures(books: list[Playbook]) -> tuple[list[Figure], list[BannedFigure]]:
    """The citable and the banned figures of the playbook carrying ``do_not_cite``."""
    stats = next((b for b in books if "do_not_cite" in b.extra), None)
    if stats is None:
        raise ConfigError("No playbook carries the do_not_cite list (statistics.md).")
    try:
        citable = [Figure(**f) for f in stats.extra.get("citable_figures", [])]
        banned = [BannedFigure(**f) for f in stats.extra["do_not_cite"]]
    except ValidationError as exc:
        raise ConfigError(f"{stats.file}: invalid figures list: {exc}") from exc
    for figure in banned:
        for expression in figure.match:
            try:
                re.compile(expression)
            except re.error as exc:
                raise ConfigError(f"{stats.file}: bad pattern for {figure.id}: {exc}") from exc
    return citable, banned
