"""Stored answers and documents -> text units for the reader: ``(pilot) -> [TextUnit]``."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from app.errors import (
    StoreError,
)
from app.reading.guards import sentence_texts
from app.reading.reader import Detection, TextUnit, merge
from app.schemas import (
    Chunk,
    ChunkRef,
    Finding,
    Stakeholder,
    Turn,
    TurnRef,
)
from app.service.components import Components

log = logging.getLogger(__name__)


class Sources:
    """What is stored -> what the reader reads: the text units of a pilot's answers and
    documents (a document whose text repeats an earlier one's counts once), and their readings.
    Reads only; the chunk lists are cached by collection generation."""

    def __init__(self, parts: Components) -> None:
        self.parts = parts
        self._chunks: dict[str, tuple[int, list[Chunk]]] = {}  # collection -> (generation, chunks)
        self._copies: dict[str, dict[str, str]] = {}  # collection -> {copy: original}

    def document_units(self, workspace: str, sources: set[str] | None = None) -> list[TextUnit]:
        """Every chunk of the workspace's documents, less documents whose text repeats an
        earlier one's (``copies``)."""
        name = self.parts.store.name_for(workspace)
        if not self.parts.store.exists(name):
            return []
        generation = self.parts.store.generation(name)
        cached = self._chunks.get(name)
        if cached is None or cached[0] != generation:
            chunks = self.parts.store.all_chunks(name)
            chunks.sort(key=lambda c: (c.source, c.page or 0, c.index))
            self._chunks[name] = (generation, chunks)
            self._copies[name] = same_text(chunks)
        chunks = self._chunks[name][1]
        copies = self._copies[name]
        return [
            TextUnit(
                text=c.text,
                source=ChunkRef(file=c.source, page=c.page, chunk_id=c.chunk_id, ocr=c.ocr),
                section=c.section,
            )
            for c in chunks
            if (sources is None or c.source in sources) and c.source not in copies
        ]

    def copy_findings(self, workspace: str, sources: set[str] | None = None) -> list[Finding]:
        copies = self._copies.get(self.parts.store.name_for(workspace), {})
        return [
            Finding(
                kind="duplicate",
                text=f"{copy} has the same text as {original}, so its evidence is counted once.",
            )
            for copy, original in copies.items()
            if sources is None or copy in sources
        ]

    def document_detection(
        self, workspace: str, sources: set[str] | None = None
    ) -> tuple[Detection, list[str]]:
        """Evidence from the workspace's documents; if the vector store is unreachable, the
        interview goes on without them and says so."""
        try:
            units = self.document_units(workspace, sources)
        except StoreError as exc:
            log.warning("documents left out: %s", exc)
            return Detection(), [
                "The document store cannot be reached, so uploaded documents are left out "
                "until it is back. Your answers are saved."
            ]
        return self.parts.engine.detect(units)

    def others_detection(self, person: Stakeholder) -> tuple[Detection, list[str]]:
        """What the pilot's documents and its other stakeholders said: slots they filled need
        not be asked again."""
        documents, notices = self.document_detection(person.workspace_id)
        units: list[TextUnit] = []
        for other in self.parts.sessions.stakeholders(person.workspace_id):
            if other.id != person.id:
                units += turn_units(self.parts.sessions.turns(other.id), other.name, other.role)
        if not units:
            return documents, notices
        spoken, more = self.parts.engine.detect(units)
        return merge([documents, spoken]), notices + more

    def answer_detection(
        self, person: Stakeholder, turns: Sequence[Turn]
    ) -> tuple[Detection, list[str]]:
        return self.parts.engine.detect(turn_units(turns, person.name, person.role))

    def workspace_units(self, workspace_id: str) -> list[TextUnit]:
        units: list[TextUnit] = []
        for person in self.parts.sessions.stakeholders(workspace_id):
            turns = self.parts.sessions.turns(person.id)
            units += turn_units(turns, person.name, person.role)
        return units + self.document_units(workspace_id)


def turn_units(turns: Sequence[Turn], speaker: str | None, role: str | None) -> list[TextUnit]:
    units = []
    question: Turn | None = None
    asked = {t.index: t for t in turns if t.role == "advisor"}
    for turn in turns:
        if turn.role == "advisor":
            question = turn
            continue
        if turn.kind in ("skip", "finish"):
            continue
        # The question it answers, by id; older turns by position.
        own = asked.get(turn.answers, question) if turn.answers is not None else question
        units.append(
            TextUnit(
                text=turn.content,
                source=TurnRef(turn=turn.index, speaker=speaker, role=role),
                question=own.content if own else None,
                question_pattern=own.pattern if own else None,
                sent_elsewhere=turn.kind == "dont_know",
            )
        )
    return units


def same_text(chunks: Sequence[Chunk], least: float = 0.8) -> dict[str, str]:
    """Documents whose sentences are (nearly) all another document's: {copy: original}.
    The same report as .md and .docx differs in markup and chunk boundaries, not in words."""
    texts: dict[str, set[str]] = {}
    for chunk in chunks:
        bag = texts.setdefault(chunk.source, set())
        for sentence in sentence_texts(chunk.text):
            words = " ".join(re.findall(r"[a-z0-9]+", sentence.lower()))
            if len(words) > 15:
                bag.add(words)
    copies: dict[str, str] = {}
    kept: list[str] = []
    for source in sorted(texts):
        bag = texts[source]
        for original in kept:
            other = texts[original]
            if bag and len(bag & other) / len(bag | other) >= least:
                copies[source] = original
                break
        else:
            kept.append(source)
    return copies
