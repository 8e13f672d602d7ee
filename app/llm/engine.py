"""Engines: one ``Engine`` protocol, two implementations, chosen by ``ADVISOR_LLM``.

``OfflineEngine`` is deterministic and needs no network: evidence from the trained reader,
questions from ``patterns.yaml``, rationales and summaries from templates, answers by quoting
the closest sentences of the retrieved passages. ``app.llm.assisted.AssistedEngine`` runs the
same steps through the LLM and, when a step fails, hands it to an offline engine and returns a
notice that says so in plain words. Every method returns its result and the notices; what an
action used (prompts, LLM calls, redactions) is recorded on the action (``app.llm.budget``).
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np

from app.advice.citations import cite, quotable_sentences
from app.documents.embeddings import Embedder
from app.errors import LLMError
from app.knowledge.catalog import Knowledge
from app.reading.reader import Detection, EvidenceReader, TextUnit, merge, unit_key
from app.schemas import (
    Answer,
    Assessment,
    Chunk,
    Citation,
    Phase,
    Question,
)

log = logging.getLogger(__name__)

ANSWER_MIN_SIMILARITY = 0.35
ANSWER_SENTENCES = 3
CACHE_SIZE = 20_000


Fresh = Callable[[Sequence[TextUnit]], tuple[list[Detection], list[str]]]


class Engine(Protocol):
    """What every engine does; the advisor holds one and never asks which it is."""

    @property
    def name(self) -> str: ...

    @property
    def model_id(self) -> str | None: ...

    def detect(self, units: Sequence[TextUnit]) -> tuple[Detection, list[str]]: ...

    def forget(self) -> None: ...

    def phrase(self, question: Question, role: str, recent: str) -> tuple[str, list[str]]: ...

    def rationales(
        self, pilot: str, phases: Sequence[Phase], passages: dict[str, dict[str, str]]
    ) -> tuple[dict[str, str], list[str]]: ...

    def summary(
        self, pilot: str, assessment: Assessment, phases: Sequence[Phase]
    ) -> tuple[str, list[str]]: ...

    def answer(self, question: str, chunks: Sequence[Chunk]) -> tuple[Answer, list[str]]: ...


def fallback_notice(step: str, error: LLMError) -> str:
    reason = str(error).strip().rstrip(".")
    return f"The LLM could not {step}: {reason}. The offline engine did it instead."


class ReadingCache:
    """What units say, read once: an engine's readings by unit, the oldest dropped first."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self._size = size
        self._items: OrderedDict[str, Detection] = OrderedDict()
        self._lock = threading.Lock()

    def detect(
        self, namespace: str, units: Sequence[TextUnit], fresh: Fresh
    ) -> tuple[Detection, list[str]]:
        """Signals of every unit; only the units not read before go to ``fresh``."""
        keys = [namespace + "\x1e" + unit_key(u) for u in units]
        with self._lock:
            known = {k: self._items[k] for k in keys if k in self._items}
        todo = [(k, u) for k, u in zip(keys, units, strict=True) if k not in known]
        notices: list[str] = []
        if todo:
            detections, notices = fresh([u for _, u in todo])
            with self._lock:
                for (key, _), detection in zip(todo, detections, strict=True):
                    known[key] = detection
                    self._items[key] = detection
                while len(self._items) > self._size:
                    self._items.popitem(last=False)
        return merge([known[k] for k in keys]), notices

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


class OfflineEngine:
    """Deterministic engine: the default, and the fallback of every LLM step."""

    def __init__(self, knowledge: Knowledge, embedder: Embedder, detector: EvidenceReader) -> None:
        self.knowledge = knowledge
        self.embedder = embedder
        self.detector = detector
        self._cache = ReadingCache()

    @property
    def name(self) -> str:
        return "offline"

    @property
    def model_id(self) -> str | None:
        return None

    # signals ----------------------------------------------------------------------------------

    def detect(self, units: Sequence[TextUnit]) -> tuple[Detection, list[str]]:
        """Signals of every unit; units already read are served from a cache."""
        return self._cache.detect(self.name, units, self._fresh)

    def _fresh(self, units: Sequence[TextUnit]) -> tuple[list[Detection], list[str]]:
        return self.detector.detect_each(units), []

    def forget(self) -> None:
        """Drop every cached reading (benchmarks time reading afresh)."""
        self._cache.clear()

    # interview ----------------------------------------------------------------------------------

    def phrase(self, question: Question, role: str, recent: str) -> tuple[str, list[str]]:
        return question.text, []

    # plan ---------------------------------------------------------------------------------------

    def rationales(
        self, pilot: str, phases: Sequence[Phase], passages: dict[str, dict[str, str]]
    ) -> tuple[dict[str, str], list[str]]:
        return {}, []

    def summary(
        self, pilot: str, assessment: Assessment, phases: Sequence[Phase]
    ) -> tuple[str, list[str]]:
        return offline_summary(assessment, phases), []

    # answers ------------------------------------------------------------------------------------

    def answer(self, question: str, chunks: Sequence[Chunk]) -> tuple[Answer, list[str]]:
        candidates = [(c, s) for c in chunks for s in quotable_sentences(c)]
        if not candidates:
            return no_answer(question, self.name), []
        vectors = self.embedder.embed([question, *(s for _, s in candidates)])
        sims = vectors[1:] @ vectors[0]
        picked: list[Citation] = []
        used_chunks: set[str] = set()
        for index in np.argsort(-sims, kind="stable"):
            if sims[index] < ANSWER_MIN_SIMILARITY or len(picked) >= ANSWER_SENTENCES:
                break
            chunk, sentence = candidates[int(index)]
            if chunk.chunk_id in used_chunks:
                continue
            citation = cite(chunk, sentence)
            if citation is not None:
                picked.append(citation)
                used_chunks.add(chunk.chunk_id)
        if not picked:
            return no_answer(question, self.name), []
        lines = [f"{c.quote} [{n}]" for n, c in enumerate(picked, start=1)]
        text = "From the playbooks and your documents:\n\n" + "\n\n".join(lines)
        return Answer(question=question, text=text, citations=picked, engine=self.name), []


def no_answer(question: str, engine: str) -> Answer:
    return Answer(
        question=question,
        text=(
            "I could not find an answer to that in the playbooks or your documents, so I will "
            "not guess. Try rephrasing, or upload the document that covers it."
        ),
        citations=[],
        engine=engine,
    )


def offline_summary(assessment: Assessment, phases: Sequence[Phase]) -> str:
    ranked = sorted(assessment.patterns, key=lambda p: -(p.risk or 0))
    risky = [p for p in ranked if p.at_risk]
    unknown = [p for p in ranked if not p.assessed]
    healthy = [p for p in ranked if p.level == "low"]
    parts = []
    if risky:
        names = ", ".join(f"{p.name} ({p.level}, {p.risk}/100)" for p in risky)
        parts.append(f"Production is at risk on {names}.")
    else:
        parts.append("No failure pattern shows more than low risk on the evidence gathered.")
    if unknown:
        parts.append(
            "Not yet assessed for lack of evidence: "
            + ", ".join(p.name.lower() for p in unknown)
            + "."
        )
    if healthy:
        parts.append("In good shape: " + ", ".join(p.name for p in healthy) + ".")
    first = phases[0].items if phases else []
    if first:
        titles = "; ".join(i.title.rstrip(".") for i in first[:4])
        parts.append(f"The first 30 days should: {titles}.")
    findings = [f for f in assessment.findings if f.kind in ("contradiction", "injection")]
    if findings:
        parts.append(f"{len(findings)} finding(s) need attention before relying on the scores.")
    return " ".join(parts)
