"""Engines: one interface, two implementations, chosen by ``ADVISOR_LLM``.

``OfflineEngine`` is deterministic and needs no network: evidence from the trained reader,
questions from ``patterns.yaml``, rationales and summaries from templates, answers by quoting
the closest sentences of the retrieved passages. ``LLMEngineAdapter`` runs the same steps
through the LLM (``app.llm.online``) and, when a step fails, falls back to the offline engine for
that step and returns a notice that says so in plain words. Every method returns its result
and the notices.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from app.advice.citations import cite, quotable_sentences
from app.documents.embeddings import Embedder, embed_fixed
from app.errors import LLMError
from app.knowledge.catalog import Knowledge
from app.llm.online import PASSAGE_CHARS, LLMEngine
from app.reading.reader import Detection, EvidenceReader, TextUnit, merge, unit_key
from app.schemas import (
    Answer,
    Assessment,
    Chunk,
    Citation,
    Evidence,
    Phase,
    Question,
    Signal,
)

log = logging.getLogger(__name__)

ANSWER_MIN_SIMILARITY = 0.35
ANSWER_SENTENCES = 3
CACHE_SIZE = 20_000
EVIDENCE_PER_ITEM = 3  # quotes per plan item shown to the LLM
QUOTE_CHARS = 300
LLM_PROBABILITY = 0.9  # an LLM finding counts like a clear reading; hedged ones less


def fallback_notice(step: str, error: LLMError) -> str:
    reason = str(error).strip().rstrip(".")
    return f"The LLM could not {step}: {reason}. The offline engine did it instead."


class OfflineEngine:
    """Deterministic engine: the default, and the fallback of every LLM step."""

    def __init__(self, knowledge: Knowledge, embedder: Embedder, detector: EvidenceReader) -> None:
        self.knowledge = knowledge
        self.embedder = embedder
        self.detector = detector
        self._cache: OrderedDict[str, Detection] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return "offline"

    @property
    def model_id(self) -> str | None:
        return None

    def prompts_used(self) -> dict[str, str]:
        return {}

    # signals ----------------------------------------------------------------------------------

    def detect(self, units: Sequence[TextUnit]) -> tuple[Detection, list[str]]:
        """Signals of every unit; units already read are served from a cache."""
        keys = [self.name + "\x1e" + unit_key(u) for u in units]
        with self._lock:
            known = {k: self._cache[k] for k in keys if k in self._cache}
        todo = [(k, u) for k, u in zip(keys, units, strict=True) if k not in known]
        notices: list[str] = []
        if todo:
            fresh, notices = self._detect_fresh([u for _, u in todo])
            with self._lock:
                for (key, _), detection in zip(todo, fresh, strict=True):
                    known[key] = detection
                    self._cache[key] = detection
                while len(self._cache) > CACHE_SIZE:
                    self._cache.popitem(last=False)
        return merge([known[k] for k in keys]), notices

    def _detect_fresh(self, units: Sequence[TextUnit]) -> tuple[list[Detection], list[str]]:
        return self.detector.detect_each(units), []

    def forget(self) -> None:
        """Drop every cached reading (benchmarks time reading afresh)."""
        with self._lock:
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
            return _no_answer(question, self.name), []
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
            return _no_answer(question, self.name), []
        lines = [f"{c.quote} [{n}]" for n, c in enumerate(picked, start=1)]
        text = "From the playbooks and your documents:\n\n" + "\n\n".join(lines)
        return Answer(question=question, text=text, citations=picked, engine=self.name), []


class LLMEngineAdapter(OfflineEngine):
    """The LLM engine: each step through the LLM, validated, with the offline step as fallback."""

    def __init__(
        self, knowledge: Knowledge, embedder: Embedder, detector: EvidenceReader, llm: LLMEngine
    ) -> None:
        super().__init__(knowledge, embedder, detector)
        self.llm = llm

    @property
    def name(self) -> str:
        return self.llm.model_id

    @property
    def model_id(self) -> str | None:
        return self.llm.model_id

    def prompts_used(self) -> dict[str, str]:
        return dict(self.llm.used)

    def _detect_fresh(self, units: Sequence[TextUnit]) -> tuple[list[Detection], list[str]]:
        offline = self.detector.detect_each(units)
        texts = {f"u{n}": unit.text for n, unit in enumerate(units)}
        # Document text that the offline reader flags as addressed to an AI stays out.
        for n, detection in enumerate(offline):
            if any(f.kind == "injection" for f in detection.findings):
                texts[f"u{n}"] = _without_instructions(units[n].text, self.detector)
        before = self.llm.redacted
        try:
            found = self.llm.signals(texts)
        except LLMError as exc:
            return offline, [fallback_notice("read the answers and documents", exc)]
        notices = self._redaction_notice(before)
        out = []
        for n, unit in enumerate(units):
            own = [s for s in found if s.unit_id == f"u{n}"]
            detection = Detection(findings=list(offline[n].findings))
            quotes = [s.quote for s in own]
            vectors = self.embedder.embed(quotes) if quotes else np.zeros((0, 1))
            for s, vector in zip(own, vectors, strict=True):
                sign = self._nearest_sign(s.pattern, s.polarity, vector)
                probability = round(LLM_PROBABILITY * (0.8 if s.hedged else 1.0), 3)
                item = Evidence(
                    quote=s.quote.strip(),
                    source=unit.source,
                    signal=sign,
                    pattern=s.pattern,
                    probability=probability,
                    context=unit.question or unit.section,
                    weight=probability,
                    hedged=s.hedged,
                )
                detection.evidence.append(item)
                detection.vectors[id(item)] = vector
            out.append(detection)
        return out, notices

    def _redaction_notice(self, before: int) -> list[str]:
        count = self.llm.redacted - before
        if not count:
            return []
        return [
            f"Personal data redacted: {count} item(s) (e-mail, phone, IBAN, card or id numbers) "
            "were replaced by placeholders before the text was sent to the LLM."
        ]

    def _nearest_sign(self, pattern: str, polarity: str, vector: np.ndarray) -> Signal:
        spec = self.knowledge.catalog.pattern(pattern)
        signs = spec.warning_signs if polarity == "warning" else spec.healthy_signs
        texts = [s.text for s in signs]
        sims = embed_fixed(self.embedder, texts) @ vector
        best = signs[int(np.argmax(sims))]
        return Signal(
            id=best.id, polarity="warning" if polarity == "warning" else "healthy", text=best.text
        )

    def phrase(self, question: Question, role: str, recent: str) -> tuple[str, list[str]]:
        if question.kind == "closing" or question.pattern is None:
            return question.text, []
        values = {
            "role": role or "unknown",
            "pattern": self.knowledge.catalog.pattern(question.pattern).name,
            "intent": question.kind.replace("_", " "),
            "question": question.text,
            "reason": question.reason or "next topic",
            "recent": recent or "(start of the interview)",
        }
        before = self.llm.redacted
        try:
            text = self.llm.question(values, [question.text, recent])
            return text, self._redaction_notice(before)
        except LLMError as exc:
            return question.text, [fallback_notice("phrase the next question", exc)]

    def rationales(
        self, pilot: str, phases: Sequence[Phase], passages: dict[str, dict[str, str]]
    ) -> tuple[dict[str, str], list[str]]:
        items = {}
        # Only what each item needs: its strongest quotes and the start of each cited passage
        # (the quotes the LLM gives are checked against the same trimmed text).
        passages = {
            item: {cid: text[:PASSAGE_CHARS] for cid, text in cited.items()}
            for item, cited in passages.items()
        }
        for phase in phases:
            for item in phase.items:
                evidence = (
                    "\n".join(
                        f"- \u201c{_short(e.quote)}\u201d ({e.source.label()})"
                        for e in item.evidence[:EVIDENCE_PER_ITEM]
                    )
                    or "- (prerequisite of other items)"
                )
                cited = "\n".join(
                    f"[chunk_id: {cid}] {text}" for cid, text in passages[item.id].items()
                )
                items[item.id] = (
                    f"[item id: {item.id}] {item.title}\nAction: {item.action}\n"
                    f"Evidence:\n{evidence}\nPassages:\n{cited}"
                )
        if not items:
            return {}, []
        try:
            return self.llm.rationales(pilot, items, passages), []
        except LLMError as exc:
            return {}, [fallback_notice("write the plan rationales", exc)]

    def summary(
        self, pilot: str, assessment: Assessment, phases: Sequence[Phase]
    ) -> tuple[str, list[str]]:
        rows = json.dumps(
            [{"pattern": p.name, "risk": p.risk, "level": p.level} for p in assessment.patterns]
        )
        steps = json.dumps({ph.name: [i.title for i in ph.items] for ph in phases})
        try:
            return self.llm.summary(pilot, rows, steps), []
        except LLMError as exc:
            return offline_summary(assessment, phases), [fallback_notice("write the summary", exc)]

    def answer(self, question: str, chunks: Sequence[Chunk]) -> tuple[Answer, list[str]]:
        passages = {c.chunk_id: c.text[: 2 * PASSAGE_CHARS] for c in chunks}
        if not passages:
            return _no_answer(question, self.name), []
        try:
            out = self.llm.answer(question, passages)
        except LLMError as exc:
            answer, _ = super().answer(question, chunks)
            return answer, [fallback_notice("answer the question", exc)]
        by_id = {c.chunk_id: c for c in chunks}
        citations = [
            c for q in out.citations if (c := cite(by_id[q.chunk_id], q.quote)) is not None
        ]
        if not citations:
            return _no_answer(question, self.name), []
        return Answer(question=question, text=out.answer, citations=citations, engine=self.name), []


def _short(quote: str) -> str:
    return quote if len(quote) <= QUOTE_CHARS else quote[: QUOTE_CHARS - 1].rstrip() + "\u2026"


def _without_instructions(text: str, detector: EvidenceReader) -> str:
    paragraphs = text.split("\n\n")
    keep = [
        p
        for p in paragraphs
        if not detector.language.hidden(p)
        and not detector.language.instruction(p)
        and not any(detector.language.instruction(s) for s in p.split(". "))
    ]
    return "\n\n".join(keep)


def _no_answer(question: str, engine: str) -> Answer:
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
