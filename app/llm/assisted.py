"""The LLM-assisted engine: the offline engine's steps, done by the LLM where it adds something.

Each step goes through ``app.llm.online.LLMEngine`` (prompted, bounded, validated); when a step
fails it is handed to the offline engine, and a notice says so in plain words. Personal data
is redacted before anything leaves, and the action's record says how much.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np

from app.advice.citations import cite
from app.documents.embeddings import embed_fixed
from app.errors import LLMError
from app.llm.budget import action
from app.llm.engine import OfflineEngine, ReadingCache, fallback_notice, no_answer
from app.llm.online import PASSAGE_CHARS, LLMEngine
from app.reading.guards import without_instructions
from app.reading.reader import Detection, TextUnit
from app.schemas import Answer, Assessment, Chunk, Evidence, Phase, Question, Signal

EVIDENCE_PER_ITEM = 3  # quotes per plan item shown to the LLM
QUOTE_CHARS = 300
LLM_PROBABILITY = 0.9  # an LLM finding counts like a clear reading; hedged ones less


def redaction_notice(count: int) -> list[str]:
    if not count:
        return []
    return [
        f"Personal data redacted: {count} item(s) (e-mail, phone, IBAN, card or id numbers) "
        "were replaced by placeholders before the text was sent to the LLM."
    ]


class AssistedEngine:
    """The LLM engine: each step through the LLM, validated, with the offline step as fallback."""

    def __init__(self, offline: OfflineEngine, llm: LLMEngine) -> None:
        self.offline = offline
        self.knowledge = offline.knowledge
        self.embedder = offline.embedder
        self.detector = offline.detector
        self.llm = llm
        self._cache = ReadingCache()

    @property
    def name(self) -> str:
        return self.llm.model_id

    @property
    def model_id(self) -> str | None:
        return self.llm.model_id

    def detect(self, units: Sequence[TextUnit]) -> tuple[Detection, list[str]]:
        """Signals of every unit; units already read are served from a cache."""
        return self._cache.detect(self.name, units, self._fresh)

    def forget(self) -> None:
        self._cache.clear()
        self.offline.forget()

    def _fresh(self, units: Sequence[TextUnit]) -> tuple[list[Detection], list[str]]:
        offline = self.detector.detect_each(units)
        texts = {f"u{n}": unit.text for n, unit in enumerate(units) if not unit.sent_elsewhere}
        # Document text that the offline reader flags as addressed to an AI stays out.
        for n, detection in enumerate(offline):
            if f"u{n}" in texts and any(f.kind == "injection" for f in detection.findings):
                texts[f"u{n}"] = without_instructions(units[n].text, self.detector.language)
        if not texts:
            return offline, []
        with action(self.llm.budget) as current:
            before = current.redacted
            try:
                found = self.llm.signals(texts)
            except LLMError as exc:
                return offline, [fallback_notice("read the answers and documents", exc)]
            notices = redaction_notice(current.redacted - before)
            prompts = {"extract_signals": current.prompts["extract_signals"]}
        out = []
        for n, unit in enumerate(units):
            own = [s for s in found if s.unit_id == f"u{n}"]
            detection = Detection(findings=list(offline[n].findings), prompts=prompts)
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
        with action(self.llm.budget) as current:
            before = current.redacted
            try:
                text = self.llm.question(values, [question.text, recent])
            except LLMError as exc:
                return question.text, [fallback_notice("phrase the next question", exc)]
            return text, redaction_notice(current.redacted - before)

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
            text, _ = self.offline.summary(pilot, assessment, phases)
            return text, [fallback_notice("write the summary", exc)]

    def answer(self, question: str, chunks: Sequence[Chunk]) -> tuple[Answer, list[str]]:
        passages = {c.chunk_id: c.text[: 2 * PASSAGE_CHARS] for c in chunks}
        if not passages:
            return no_answer(question, self.name), []
        try:
            out = self.llm.answer(question, passages)
        except LLMError as exc:
            answer, _ = self.offline.answer(question, chunks)
            return answer, [fallback_notice("answer the question", exc)]
        by_id = {c.chunk_id: c for c in chunks}
        citations = [
            c for q in out.citations if (c := cite(by_id[q.chunk_id], q.quote)) is not None
        ]
        if not citations:
            return no_answer(question, self.name), []
        return Answer(question=question, text=out.answer, citations=citations, engine=self.name), []


def _short(quote: str) -> str:
    return quote if len(quote) <= QUOTE_CHARS else quote[: QUOTE_CHARS - 1].rstrip() + "\u2026"
