"""Signals: answers and document chunks -> ``Evidence`` for the five patterns, offline.

Each answer or chunk is cut into clauses (exact slices, so quotes stay verbatim). Every clause
is embedded with the same model as retrieval and compared with every warning and healthy sign
in ``patterns.yaml``:

- *which pattern*: the mean of its two closest signs of that pattern (both polarities), at
  least ``RELEVANCE_MIN`` and close to the best pattern; a clause may speak to two patterns;
- *which way*: a blend of the closest warning against the closest healthy sign of that
  pattern and a problem-versus-control direction fitted to all the signs (ridge regression),
  plus the clause's cue words read with negation, future phrasing and hedges
  (``app.language``), because embeddings barely see "not";
- *how much*: the matched sign's severity (or healthy weight) times the closeness of the match,
  discounted for hedged or vague reassurance.

Short replies ("No, not really.") are read together with the question they answer. Document
text is data: sentences that address an AI system with orders are left out and reported.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from app.embeddings import Embedder, Vectors, embed_fixed
from app.knowledge import Catalog
from app.language import Reader, Reading, Span, clauses, normalise, sentences
from app.schemas import ChunkRef, Evidence, Finding, Polarity, Signal, TurnRef

log = logging.getLogger(__name__)

RELEVANCE_MIN = 0.38
QUESTION_MIN = 0.5
RELEVANCE_MARGIN = 0.05
QUESTION_PRIOR = 0.04
KNN_SCALE = 0.15
LEXICAL_WEIGHT = 2.0
POLARITY_MIN = 0.3
SHORT_REPLY_WORDS = 6
DOCUMENT_MIN_WORDS = 5
HEDGED_WARNING = 0.8
HEDGED_HEALTHY = 0.5
VAGUE_HEALTHY = 0.5
KNN_ONLY = 0.8
KNN_SHARE = 0.6
STANCE_SCALE = 0.6
STANCE_RIDGE = 3.0


@dataclass(frozen=True)
class TextUnit:
    """A piece of evidence to read: a stakeholder's turn or a document chunk."""

    text: str
    source: TurnRef | ChunkRef
    question: str | None = None
    question_pattern: str | None = None
    section: str | None = None


@dataclass
class Detection:
    evidence: list[Evidence] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    vectors: dict[int, Vectors] = field(default_factory=dict, repr=False)

    def vector(self, item: Evidence) -> Vectors | None:
        return self.vectors.get(id(item))


def merge(detections: Sequence[Detection]) -> Detection:
    out = Detection()
    for detection in detections:
        out.evidence += detection.evidence
        out.findings += detection.findings
        out.vectors.update(detection.vectors)
    return out


def unit_key(unit: TextUnit) -> str:
    """A stable key for caching what a unit says."""
    return "\x1f".join(
        (unit.text, unit.source.model_dump_json(), unit.question or "", unit.question_pattern or "")
    )


@dataclass(frozen=True)
class _Sign:
    pattern: str
    polarity: Polarity
    id: str
    text: str
    weight: int


@dataclass
class _Clause:
    unit: TextUnit
    span: Span
    embed_text: str
    reading: Reading
    short_reply: int = 0  # +1 yes / -1 no to a question, 0 otherwise


class SignalDetector:
    """Reads text units against the signs of ``patterns.yaml``. Build once per process."""

    def __init__(self, catalog: Catalog, embedder: Embedder, reader: Reader) -> None:
        self.catalog = catalog
        self.embedder = embedder
        self.reader = reader

    @cached_property
    def _signs(self) -> list[_Sign]:
        out: list[_Sign] = []
        for pattern in self.catalog.patterns:
            out += [
                _Sign(pattern.id, "warning", s.id, s.text, s.severity)
                for s in pattern.warning_signs
            ]
            out += [
                _Sign(pattern.id, "healthy", s.id, s.text, s.weight) for s in pattern.healthy_signs
            ]
        return out

    @cached_property
    def _stance(self) -> tuple[np.ndarray, float]:
        """A linear probe for problem-versus-control, fitted to every sign (ridge regression).

        Nearest-sign similarity finds the topic but not the stance: "no, nothing is cleaned by
        hand" sits next to the warning about hand-cleaning. A direction fitted across all the
        warning and healthy signs reads stance far better (leave-one-out on the signs: 72%
        against 37%)."""
        x = self._matrix.astype(np.float64)
        y = np.array([1.0 if s.polarity == "warning" else -1.0 for s in self._signs])
        bias = float(y.mean())
        weights = np.linalg.solve(x.T @ x + STANCE_RIDGE * np.eye(x.shape[1]), x.T @ (y - bias))
        return weights.astype(np.float32), bias

    @cached_property
    def _matrix(self) -> Vectors:
        return embed_fixed(self.embedder, [s.text for s in self._signs])

    @cached_property
    def _masks(self) -> dict[tuple[str, str], np.ndarray]:
        masks: dict[tuple[str, str], np.ndarray] = {}
        for pattern in self.catalog.ids:
            for polarity in ("warning", "healthy", "any"):
                masks[(pattern, polarity)] = np.array(
                    [s.pattern == pattern and polarity in (s.polarity, "any") for s in self._signs]
                )
        return masks

    @cached_property
    def _probes(self) -> tuple[list[str], list[str], Vectors]:
        owners = [p.id for p in self.catalog.patterns for _ in p.probes]
        ids = [q.id for p in self.catalog.patterns for q in p.probes]
        texts = [q.question for p in self.catalog.patterns for q in p.probes]
        return owners, ids, embed_fixed(self.embedder, texts)

    def probe_vector(self, probe_id: str) -> Vectors:
        _, ids, vectors = self._probes
        row: Vectors = vectors[ids.index(probe_id)]
        return row

    def warm(self) -> None:
        """Embed the signs and probes now rather than on the first answer."""
        _ = self._matrix, self._probes

    def relevance(self, text: str) -> float:
        """How close ``text`` comes to anything the five patterns talk about (0-1)."""
        return float((self._matrix @ self.embedder.embed([text])[0]).max())

    def question_pattern(self, question: str) -> str | None:
        """The pattern a free-form advisor question asks about, if it clearly asks about one."""
        owners, _, vectors = self._probes
        sims = vectors @ self.embedder.embed([question])[0]
        best = int(np.argmax(sims))
        return owners[best] if sims[best] >= QUESTION_MIN else None

    # reading -----------------------------------------------------------------------------------

    def detect(self, units: Sequence[TextUnit]) -> Detection:
        return merge(self.detect_each(units))

    def detect_each(self, units: Sequence[TextUnit]) -> list[Detection]:
        """One ``Detection`` per unit, embedding every clause of every unit in one batch."""
        results = [Detection() for _ in units]
        pending: list[tuple[int, _Clause]] = []
        for number, unit in enumerate(units):
            if isinstance(unit.source, ChunkRef):
                found = self._document_clauses(unit, results[number])
            else:
                found = self._answer_clauses(unit, results[number])
            pending += [(number, clause) for clause in found]
        if not pending:
            return results
        vectors = self.embedder.embed([c.embed_text for _, c in pending])
        sims = vectors @ self._matrix.T
        stances = vectors @ self._stance[0] + self._stance[1]
        for (number, clause), vector, row, stance in zip(
            pending, vectors, sims, stances, strict=True
        ):
            for item in self._evidence(clause, row, float(stance)):
                results[number].evidence.append(item)
                results[number].vectors[id(item)] = vector
        return results

    def _answer_clauses(self, unit: TextUnit, detection: Detection) -> list[_Clause]:
        reading = self.reader.read(unit.text)
        words = len(normalise(unit.text).split())
        if reading.dont_know and words <= 25 and not reading.concrete:
            detection.findings.append(
                Finding(
                    kind="gap",
                    pattern=unit.question_pattern,
                    text=f"No answer to: {unit.question}" if unit.question else "No answer given.",
                )
            )
            return []
        if words <= SHORT_REPLY_WORDS and unit.question:
            span = Span(0, len(unit.text), unit.text)
            reply = self.reader.yes_no(unit.text)
            return [_Clause(unit, span, f"{unit.question} {unit.text}", reading, reply)]
        out = []
        for span in clauses(unit.text):
            out.append(_Clause(unit, span, span.text, self.reader.read(span.text)))
        return out

    def _document_clauses(self, unit: TextUnit, detection: Detection) -> list[_Clause]:
        out: list[_Clause] = []
        paragraphs = [p for p in unit.text.split("\n\n") if p.strip()]
        offset = 0
        for paragraph in paragraphs:
            start = unit.text.index(paragraph, offset)
            offset = start + len(paragraph)
            spans = [Span(start + s.start, start + s.end, s.text) for s in sentences(paragraph)]
            flagged = self.reader.instruction(paragraph) or any(
                self.reader.instruction(s.text) for s in spans
            )
            if flagged or self.reader.hidden(paragraph):
                detection.findings.append(
                    Finding(
                        kind="injection",
                        text=(
                            f"{unit.source.label()} contains text addressed to an AI system. "
                            "It was treated as data, not followed, and left out of the evidence."
                        ),
                    )
                )
                continue
            planned = bool(unit.section) and self.reader.has("action_sections", unit.section or "")
            for sentence in spans:
                for span in clauses(sentence.text):
                    if self.reader.words(span.text) < DOCUMENT_MIN_WORDS:
                        continue  # "Date: week 20", "Owner: J. Novak": metadata, not evidence
                    full = Span(sentence.start + span.start, sentence.start + span.end, span.text)
                    out.append(_Clause(unit, full, full.text, self.reader.read(full.text, planned)))
        return out

    def _evidence(self, clause: _Clause, row: np.ndarray, stance: float) -> list[Evidence]:
        relevance = {}
        for pattern in self.catalog.ids:
            values = np.sort(row[self._masks[(pattern, "any")]])[-2:]
            score = float(values.mean())
            if pattern == clause.unit.question_pattern:
                score += QUESTION_PRIOR
            relevance[pattern] = score
        best = max(relevance.values())
        chosen = [
            p
            for p, score in relevance.items()
            if score >= RELEVANCE_MIN and score >= best - RELEVANCE_MARGIN
        ]
        out = []
        for pattern in chosen:
            item = self._judge(clause, row, pattern, relevance[pattern], stance)
            if item is not None:
                out.append(item)
        return out

    def _lexical(self, clause: _Clause) -> float:
        if clause.short_reply and not clause.reading.cues and clause.unit.question:
            asked = self.reader.read(clause.unit.question).polarity
            return float(clause.short_reply * np.sign(asked))
        return float(np.clip(clause.reading.polarity, -2, 2))

    def _judge(
        self, clause: _Clause, row: np.ndarray, pattern: str, relevance: float, stance: float
    ) -> Evidence | None:
        warning = self._masks[(pattern, "warning")]
        healthy = self._masks[(pattern, "healthy")]
        best_warning = float(row[warning].max())
        best_healthy = float(row[healthy].max())
        knn = float(np.clip((best_warning - best_healthy) / KNN_SCALE, -1, 1))
        knn = KNN_SHARE * knn + (1 - KNN_SHARE) * float(np.clip(stance / STANCE_SCALE, -1, 1))
        lexical = self._lexical(clause)
        if clause.short_reply and lexical == 0:
            return None  # "From the ERP." says where, not whether it works
        score = knn + LEXICAL_WEIGHT * lexical
        if abs(score) < POLARITY_MIN:
            return None
        polarity = "warning" if score > 0 else "healthy"
        mask = warning if polarity == "warning" else healthy
        index = int(np.flatnonzero(mask)[np.argmax(row[mask])])
        sign = self._signs[index]
        reading = clause.reading
        strength = float(np.clip((relevance - 0.30) / 0.30, 0.25, 1.0))
        weight = sign.weight * strength * (KNN_ONLY if lexical == 0 else 1.0)
        if polarity == "warning" and reading.hedged:
            weight *= HEDGED_WARNING
        if polarity == "healthy":
            if reading.hedged:
                weight *= HEDGED_HEALTHY
            if reading.vague and not any(c.kind == "healthy" for c in reading.cues):
                weight *= VAGUE_HEALTHY
        negated = any(c.negated for c in reading.cues)
        return Evidence(
            quote=clause.span.text,
            source=clause.unit.source,
            signal=Signal(id=sign.id, polarity=sign.polarity, text=sign.text),
            pattern=pattern,
            weight=round(weight, 3),
            hedged=reading.hedged,
            negated=negated,
            cues=[c.word for c in reading.cues if c.value != 0],
        )
