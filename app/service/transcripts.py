"""Transcripts: ``(Transcript, document paths) -> Assessment / Plan``, refused before any
reading when over the turn or answer-length limits.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Sequence
from functools import partial
from pathlib import Path

from app.advice.rationale import Person
from app.documents.ingest import parse_file
from app.errors import (
    ConfigError,
)
from app.reading.reader import TextUnit
from app.schemas import (
    Assessment,
    Finding,
    Plan,
    Transcript,
    TurnRef,
)
from app.service.components import Components
from app.service.documents import Documents
from app.service.pipeline import Pipeline
from app.service.units import Sources

log = logging.getLogger(__name__)


class Transcripts:
    """Transcript files (CLI and evals) -> assessment and plan, with no session needed."""

    def __init__(
        self, parts: Components, sources: Sources, pipeline: Pipeline, documents: Documents
    ) -> None:
        self.parts = parts
        self.sources = sources
        self.pipeline = pipeline
        self.documents = documents

    def assess(
        self, transcript: Transcript, paths: Sequence[Path] = (), workspace: str | None = None
    ) -> Assessment:
        units, documents, extra = self.units(transcript, paths, workspace)
        return self.pipeline.assess(units, documents, extra)

    def check(self, transcript: Transcript) -> None:
        """Refuse, before any reading, a transcript over the turn or answer-length limits."""
        turns, limit = len(transcript.turns), self.parts.settings.max_transcript_turns
        if turns > limit:
            raise ConfigError(
                f"The transcript has {turns:,} turns; the limit is {limit:,} "
                "(ADVISOR_MAX_TRANSCRIPT_TURNS). Split it into one file per interview."
            )
        longest = self.parts.settings.max_answer_chars
        for number, turn in enumerate(transcript.turns, start=1):
            if len(turn.content) > longest:
                raise ConfigError(
                    f"Turn {number} of the transcript is {len(turn.content):,} characters; the "
                    f"limit is {longest:,} (ADVISOR_MAX_ANSWER_CHARS). Split it into shorter "
                    "turns, or give the text as a document (--doc)."
                )

    def units(
        self, transcript: Transcript, paths: Sequence[Path], workspace: str | None
    ) -> tuple[list[TextUnit], dict[str, str], list[Finding]]:
        self.check(transcript)
        units: list[TextUnit] = []
        question = None
        question_pattern = None
        for index, turn in enumerate(transcript.turns):
            if turn.role == "advisor":
                question = turn.content
                question_pattern = self.parts.detector.question_pattern(turn.content)
                continue
            kind = self.parts.interviewer.reply_kind(turn.content, question)
            if kind in ("skip", "finish"):
                continue
            units.append(
                TextUnit(
                    text=turn.content,
                    source=TurnRef(turn=index, speaker=turn.speaker, role=turn.speaker_role),
                    question=question,
                    question_pattern=question_pattern,
                    sent_elsewhere=kind == "dont_know",
                )
            )
        documents: dict[str, str] = {}
        extra: list[Finding] = []
        if paths:
            space = (
                workspace
                or "transcript-"
                + hashlib.sha1(
                    "|".join(sorted(str(p.resolve()) for p in paths)).encode()
                ).hexdigest()[:10]
            )
            sources = set()
            for path in paths:
                report, document = self.documents.ingest_one(
                    str(path), partial(parse_file, path, self.parts.limits), space
                )
                if document is None:
                    extra.append(Finding(kind="gap", text=f"Document refused: {report.error}"))
                    continue
                documents[document.source] = document.sha256
                sources.add(document.source)
            units += self.sources.document_units(space, sources)
            extra += self.sources.copy_findings(space, sources)
        return units, documents, extra

    def plan(
        self, transcript: Transcript, paths: Sequence[Path] = (), workspace: str | None = None
    ) -> Plan:
        units, documents, extra = self.units(transcript, paths, workspace)
        assessment = self.pipeline.assess(units, documents, extra)
        people: dict[str, Person] = {}
        for turn in transcript.turns:
            if turn.role == "stakeholder" and turn.speaker and turn.speaker not in people:
                title = turn.speaker_role or in_brackets(turn.speaker)
                people[turn.speaker] = self.pipeline.person(turn.speaker, title)
        return self.pipeline.plan(assessment, dict(transcript.pilot), units, list(people.values()))


def in_brackets(speaker: str) -> str | None:
    """ "Tomasz Wierzbicki (Claims Analytics Lead)" -> "Claims Analytics Lead"."""
    match = re.search(r"\(([^()]+)\)\s*$", speaker)
    return match.group(1) if match else None
