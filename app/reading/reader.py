"""Reader: answers and document chunks -> ``Evidence``, read by the trained evidence reader.

``(context, sentence) -> Reading``: for each of the five patterns, the probability that the
sentence is not evidence, a warning (a gap as things stand now) or healthy (a control in place
now). The model is all-MiniLM-L6-v2 fine-tuned on labelled sentences by independent writers
(``training/``, ``make train``), run with onnxruntime from ``app/models/reader.onnx`` after a
sha256 check; its card is ``training/MODEL_CARD.md``.

An answer is read sentence by sentence against the question it answers and the sentence before
it, so "No." means what the question makes it mean. Reassurance in general words is never a
control. A document chunk is read line by line against its file and section. A sentence is
evidence for a pattern when the likelier side reaches the threshold the model ships with
(``app.reading.readings.decide``). Quotes are exact slices of their turn or chunk. Document
text is data: paragraphs that address an AI system with orders are left out and reported.

The signs of ``patterns.yaml`` remain the catalogue: each item of evidence names the closest
sign on its pattern and side, which the plan and the exports show.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path, PurePath

import numpy as np
from tokenizers import Tokenizer

from app.documents.embeddings import Embedder, Vectors, embed_fixed
from app.documents.minilm import padded, session, token_batches
from app.errors import AssetError
from app.knowledge.catalog import Catalog
from app.reading.guards import paragraphs
from app.reading.language import Reader as Language
from app.reading.language import Span, reading_units
from app.reading.readings import decide
from app.schemas import ChunkRef, Evidence, Finding, Signal, TurnRef

log = logging.getLogger(__name__)

BATCH = 64  # sentences per model call at most (fewer when long: see token_batches)
# A figure, or a capitalised word inside a sentence (a name, a system): something specific.
SPECIFIC = re.compile(r"\d|(?<=[a-z,;:] )(?!I\b)[A-Z][\w-]*")
# How close (cosine) an answer sentence must come to the lexicon's reassurance examples to be
# taken as reassurance, not a control. Chosen on the development personas of writers d and e
# (47% of their general-reassurance sentences, 2% of their facts' sentences); writers f and g
# gave 48% and 1%.
REASSURANCE_SIMILARITY = 0.45


@dataclass(frozen=True)
class TextUnit:
    """A piece of evidence to read: a stakeholder's turn or a document chunk."""

    text: str
    source: TurnRef | ChunkRef
    question: str | None = None
    question_pattern: str | None = None
    section: str | None = None
    # The person sent the question elsewhere ("not my area, ask Priya"): an open point for
    # someone who would know, not evidence.
    sent_elsewhere: bool = False


@dataclass
class Detection:
    evidence: list[Evidence] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    vectors: dict[int, Vectors] = field(default_factory=dict, repr=False)
    # The LLM prompts (name -> label) that produced this reading; none for the offline reader.
    prompts: dict[str, str] = field(default_factory=dict)

    def vector(self, item: Evidence) -> Vectors | None:
        return self.vectors.get(id(item))


def merge(detections: Sequence[Detection]) -> Detection:
    out = Detection()
    for detection in detections:
        out.evidence += detection.evidence
        out.findings += detection.findings
        out.vectors.update(detection.vectors)
        out.prompts.update(detection.prompts)
    return out


def unit_key(unit: TextUnit) -> str:
    """A stable key for caching what a unit says."""
    return "\x1f".join(
        (
            unit.text,
            unit.source.model_dump_json(),
            unit.question or "",
            unit.section or "",
            "elsewhere" if unit.sent_elsewhere else "",
        )
    )


def asked(question: str | None) -> str | None:
    """The question itself, without the acknowledgement or preamble before it: the last
    sentence that asks something (the reader was trained on plain questions)."""
    if not question:
        return None
    spans = reading_units(question)
    asking = [s for s in spans if s.text.rstrip().endswith("?")] or spans
    return asking[-1].text if asking else question


def context_of(context: str | None, previous: str | None) -> str:
    """The first half of the model's input pair, exactly as training builds it."""
    return " ".join(p.strip() for p in (context, previous) if p and p.strip())


# the model ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    """What the model read in one sentence: per pattern (not evidence, warning, healthy)."""

    context: str
    sentence: str
    probabilities: tuple[tuple[float, float, float], ...]


class ReaderModel:
    """The trained reader on onnxruntime. Build once per process; thread-safe to call."""

    def __init__(self, model_path: Path, meta_path: Path, tokenizer_path: Path) -> None:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        self.patterns: list[str] = list(meta["patterns"])
        self.threshold = float(meta["threshold"])
        self._tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self._tokenizer.enable_truncation(
            max_length=int(meta["max_length"]), strategy="longest_first"
        )
        self._tokenizer.no_padding()
        self._session = session(model_path, fold_weights=True)

    def read(self, pairs: Sequence[tuple[str, str]]) -> list[Reading]:
        """``(context, sentence)`` pairs -> readings, in order."""
        if not pairs:
            return []
        encoded = self._tokenizer.encode_batch([(c, s) for c, s in pairs])
        out = np.zeros((len(pairs), len(self.patterns), 3), dtype=np.float32)
        for batch in token_batches([len(e.ids) for e in encoded], BATCH):
            ids, mask = padded([encoded[i].ids for i in batch])
            types = np.zeros_like(ids)
            for n, index in enumerate(batch):
                row = encoded[index].type_ids
                types[n, : len(row)] = row
            feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
            out[batch] = self._session.run(None, feeds)[0]
        return [
            Reading(c, s, tuple((float(a), float(b), float(d)) for a, b, d in row))
            for (c, s), row in zip(pairs, out, strict=True)
        ]

    def labels(self, reading: Reading) -> list[tuple[str, str, float]]:
        """``(pattern, stance, probability)`` the reading counts as evidence for."""
        return decide(reading.probabilities, self.patterns, self.threshold)


# text units -> evidence -----------------------------------------------------------------------


@dataclass
class _Sentence:
    number: int  # the unit it belongs to
    span: Span
    context: str | None
    previous: str | None
    spoken: bool = False  # a sentence of an answer, not of a document


class EvidenceReader:
    """Reads text units with the trained model and names the closest sign of each finding."""

    def __init__(
        self, catalog: Catalog, embedder: Embedder, language: Language, model: ReaderModel
    ) -> None:
        if list(model.patterns) != catalog.ids:
            raise AssetError(
                "The evidence reader was trained on other patterns than knowledge/patterns.yaml "
                "lists; rebuild it with `make train`."
            )
        self.catalog = catalog
        self.embedder = embedder
        self.language = language
        self.model = model

    # the catalogue ------------------------------------------------------------------------------

    @cached_property
    def _signs(self) -> tuple[list[tuple[str, str, Signal]], Vectors]:
        signs: list[tuple[str, str, Signal]] = []
        for pattern in self.catalog.patterns:
            for s in pattern.warning_signs:
                signs.append(
                    (pattern.id, "warning", Signal(id=s.id, polarity="warning", text=s.text))
                )
            for h in pattern.healthy_signs:
                signs.append(
                    (pattern.id, "healthy", Signal(id=h.id, polarity="healthy", text=h.text))
                )
        return signs, embed_fixed(self.embedder, [s.text for _, _, s in signs])

    @cached_property
    def _rows(self) -> dict[tuple[str, str], np.ndarray]:
        """The rows of ``_signs`` on each (pattern, side), built once."""
        out: dict[tuple[str, str], list[int]] = {}
        for index, (pattern, side, _) in enumerate(self._signs[0]):
            out.setdefault((pattern, side), []).append(index)
        return {key: np.array(rows) for key, rows in out.items()}

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

    def question_pattern(self, question: str, least: float = 0.5) -> str | None:
        """The pattern a free-form advisor question asks about, if it clearly asks about one."""
        owners, _, vectors = self._probes
        sims = vectors @ self.embedder.embed([question])[0]
        best = int(np.argmax(sims))
        return owners[best] if sims[best] >= least else None

    def relevance(self, text: str) -> float:
        """How close ``text`` comes to anything the five patterns talk about (0-1)."""
        return float((self._signs[1] @ self.embedder.embed([text])[0]).max())

    def warm(self) -> None:
        """Embed the signs and probes and run the model once, now rather than later."""
        _ = self._signs, self._probes
        self.model.read([("", "warm up")])

    # reading ------------------------------------------------------------------------------------

    def detect(self, units: Sequence[TextUnit]) -> Detection:
        return merge(self.detect_each(units))

    def detect_each(self, units: Sequence[TextUnit]) -> list[Detection]:
        """One ``Detection`` per unit; every sentence of every unit goes to the model at once."""
        results = [Detection() for _ in units]
        pending: list[_Sentence] = []
        for number, unit in enumerate(units):
            if isinstance(unit.source, ChunkRef):
                pending += self._document_sentences(number, unit, results[number])
            elif not unit.sent_elsewhere:
                pending += self._answer_sentences(number, unit)
        found = self._read(pending)
        evidenced = {sentence.number for sentence, _, _, _ in found}
        for number, unit in enumerate(units):
            # "Ask Priya, not my area" with nothing the reader can place: an open point.
            if isinstance(unit.source, TurnRef) and (
                unit.sent_elsewhere
                or (number not in evidenced and self.language.deflects(unit.text))
            ):
                results[number].findings.append(
                    Finding(
                        kind="gap",
                        pattern=unit.question_pattern,
                        text=f"No answer to: {unit.question}"
                        if unit.question
                        else "No answer given.",
                    )
                )
        if not found:
            return results
        vectors = self.embedder.embed([s.span.text for s, _, _, _ in found])
        signs, matrix = self._signs
        sims = vectors @ matrix.T
        for (sentence, pattern, stance, probability), vector, row in zip(
            found, vectors, sims, strict=True
        ):
            rows = self._rows[(pattern, stance)]
            index = int(rows[np.argmax(row[rows])])
            unit = units[sentence.number]
            item = Evidence(
                quote=sentence.span.text,
                source=unit.source,
                signal=signs[index][2],
                pattern=pattern,
                probability=round(probability, 3),
                context=sentence.context,
                weight=round(probability, 3),
                hedged=self.language.has("hedges", sentence.span.text),
            )
            results[sentence.number].evidence.append(item)
            results[sentence.number].vectors[id(item)] = vector
        return results

    def _read(self, sentences: Sequence[_Sentence]) -> list[tuple[_Sentence, str, str, float]]:
        """(sentence, pattern, stance, probability) for every reading above the threshold."""
        readings = self.model.read(
            [(context_of(s.context, s.previous), s.span.text) for s in sentences]
        )
        found = [
            (sentence, pattern, stance, probability)
            for sentence, reading in zip(sentences, readings, strict=True)
            for pattern, stance, probability in self.model.labels(reading)
        ]
        # A control needs substance: reassurance in general words is not one.
        return [
            item
            for item in found
            if not (item[2] == "healthy" and item[0].spoken and self.reassures(item[0].span.text))
        ]

    def reassures(self, sentence: str) -> bool:
        """Reassurance in general words ("Everything is on course, the stakeholders are
        happy"): close in meaning to the lexicon's ``reassurance_examples``, with no figure or
        name in it."""
        if SPECIFIC.search(sentence):
            return False
        vector = self.embedder.embed([sentence])[0]
        return float((self._reassurance @ vector).max()) >= REASSURANCE_SIMILARITY

    @cached_property
    def _reassurance(self) -> Vectors:
        return embed_fixed(self.embedder, self.language.lexicon.reassurance_examples)

    def finds_evidence(self, text: str, question: str | None) -> bool:
        """Whether any sentence of an answer to ``question`` reads as evidence."""
        unit = TextUnit(text=text, source=TurnRef(turn=0), question=question)
        return bool(self._read(self._answer_sentences(0, unit)))

    def _answer_sentences(self, number: int, unit: TextUnit) -> list[_Sentence]:
        out: list[_Sentence] = []
        previous = None
        question = asked(unit.question)
        for span in reading_units(unit.text):
            out.append(_Sentence(number, span, question, previous, spoken=True))
            previous = span.text
        return out

    def _document_sentences(
        self, number: int, unit: TextUnit, detection: Detection
    ) -> list[_Sentence]:
        assert isinstance(unit.source, ChunkRef)
        title = PurePath(unit.source.file).stem.replace("_", " ").replace("-", " ")
        context = " - ".join(part for part in (title, unit.section) if part)
        out: list[_Sentence] = []
        previous = None  # the chain runs through the section, across paragraphs
        for start, paragraph, flagged in paragraphs(unit.text, self.language):
            spans = [Span(start + s.start, start + s.end, s.text) for s in reading_units(paragraph)]
            if flagged:
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
            for span in spans:
                if not any(ch.isalnum() for ch in span.text):
                    continue  # table rules and separators
                out.append(_Sentence(number, span, context, previous))
                previous = span.text
        return out
