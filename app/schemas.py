"""Typed objects the pipeline stages exchange. Defined once, used everywhere."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

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


# interview, assessment and plan ------------------------------------------------------------------

Polarity = Literal["warning", "healthy"]
Level = Literal["low", "medium", "high", "not_assessed"]


class TranscriptTurn(BaseModel):
    """One turn of an interview, as ``advisor assess --transcript`` reads it."""

    role: Literal["advisor", "stakeholder"]
    content: str
    speaker: str | None = None
    speaker_role: str | None = Field(
        default=None, description="The stakeholder's role, when known (e.g. 'data owner')."
    )


class Transcript(BaseModel):
    """An interview transcript file: ``{"pilot": {...}, "turns": [...]}``."""

    pilot: dict[str, Any] = Field(default_factory=dict)
    turns: list[TranscriptTurn]


class TurnRef(BaseModel):
    """Evidence that came from an interview turn."""

    kind: Literal["turn"] = "turn"
    turn: int = Field(description="0-based index of the turn in its transcript.")
    speaker: str | None = None
    role: str | None = None

    def label(self) -> str:
        who = ", ".join(part for part in (self.speaker, self.role) if part)
        return f"turn {self.turn}" + (f" ({who})" if who else "")


class ChunkRef(BaseModel):
    """Evidence that came from an uploaded document."""

    kind: Literal["document"] = "document"
    file: str
    page: int | None = None
    chunk_id: str
    ocr: bool = Field(
        default=False,
        description="Its text was read from an image by OCR (only present when true).",
        exclude_if=lambda value: not value,  # the evidence JSON keeps its shape for text
    )

    def label(self) -> str:
        where = self.file + (f", p. {self.page}" if self.page else "")
        return where + (" (read by OCR)" if self.ocr else "")


class Signal(BaseModel):
    """The sign from ``patterns.yaml`` that a quote matched."""

    id: str
    polarity: Polarity
    text: str


class Evidence(BaseModel):
    """A verbatim quote, where it came from, and what it means for one pattern."""

    quote: str
    source: TurnRef | ChunkRef = Field(discriminator="kind")
    signal: Signal
    pattern: str
    probability: float = Field(
        default=1.0,
        ge=0,
        le=1,
        description="The reader's probability that the quote is this pattern's evidence, on "
        "this side.",
    )
    context: str | None = Field(
        default=None,
        description="What the quote was read against: the question it answers or the "
        "document section.",
    )
    weight: float = Field(ge=0, description="Contribution to the score, before decay.")
    hedged: bool = False
    negated: bool = Field(default=False, description="The text negates the sign's opposite.")
    cues: list[str] = Field(
        default_factory=list,
        description="Cue words that set its direction; empty when similarity alone did.",
    )


class PatternAssessment(BaseModel):
    id: str
    name: str
    risk: int | None = Field(
        ge=0, le=100, description="0-100; null when the pattern is not assessed."
    )
    level: Level
    confidence: float = Field(ge=0, le=1)
    assessed: bool = Field(description="False when nothing was said or found about it.")
    warning_weight: float
    healthy_weight: float
    evidence_count: int = Field(default=0, description="How many items of evidence there are.")
    evidence: list[Evidence] = Field(description="Every item, strongest first.")

    @property
    def at_risk(self) -> bool:
        return self.level in ("medium", "high")

    @property
    def risk_text(self) -> str:
        """ "71/100", or "not assessed" when nothing was said or found."""
        return "not assessed" if self.risk is None else f"{self.risk}/100"

    @property
    def level_text(self) -> str:
        return self.level.replace("_", " ")


class Finding(BaseModel):
    """Something the reader must know beyond the scores."""

    kind: Literal["contradiction", "injection", "gap", "figure", "duplicate", "language"]
    pattern: str | None = None
    text: str
    evidence: list[Evidence] = Field(default_factory=list)


class LLMCall(BaseModel):
    """One request to the LLM: its step, its size in tokens, how long it took, how it ended."""

    step: str
    prompt_tokens: int = Field(description="Counted with cl100k_base before sending.")
    max_tokens: int
    completion_tokens: int | None = Field(default=None, description="As the server counted.")
    seconds: float = 0.0
    outcome: str = Field(default="ok", description="ok, rejected, or the LLMError kind.")


class Audit(BaseModel):
    """What produced an assessment or a plan, so it can be reproduced and checked."""

    engine: str
    model: str | None = None
    prompts: dict[str, str] = Field(default_factory=dict, description="Prompt name -> hash.")
    knowledge_version: str
    documents: dict[str, str] = Field(default_factory=dict, description="File -> sha256.")
    created: str
    notices: list[str] = Field(default_factory=list)
    llm_calls: list[LLMCall] = Field(
        default_factory=list, description="Each LLM request behind this result (LLM engine)."
    )


class Assessment(BaseModel):
    engine: str
    patterns: list[PatternAssessment]
    findings: list[Finding] = Field(default_factory=list)
    audit: Audit

    def pattern(self, pattern_id: str) -> PatternAssessment:
        return next(p for p in self.patterns if p.id == pattern_id)


class Citation(BaseModel):
    """A verbatim quote from a stored chunk, checked to be a substring of it."""

    chunk_id: str
    source: str
    section: str | None
    page: int | None
    quote: str


ModelSource = Literal["in_house", "vendor"]
ModelKind = Literal["predictive", "generative"]
Timing = Literal["real_time", "batch"]
PROFILE_FIELDS = (
    "model_source",
    "model_kind",
    "personal_data",
    "regulated_sector",
    "decisions_about_people",
    "timing",
    "go_live",
    "systems",
)


class ProfileClue(BaseModel):
    """Why a profile field has the value the reader gave it: the words and where they were."""

    field: str
    value: Any
    quote: str
    source: str


class PilotProfile(BaseModel):
    """The facts that decide which advice applies to a pilot. ``None`` means not known yet."""

    model_source: ModelSource | None = Field(
        default=None, description="Built in-house, or bought from a vendor."
    )
    model_kind: ModelKind | None = Field(
        default=None, description="Predicts or classifies, or generates text or images."
    )
    personal_data: bool | None = Field(default=None, description="It uses personal data.")
    regulated_sector: bool | None = Field(
        default=None, description="The organisation is in a regulated sector."
    )
    decisions_about_people: bool | None = Field(
        default=None, description="It makes or supports decisions about people."
    )
    timing: Timing | None = Field(default=None, description="Answers in real time, or in batches.")
    go_live: str | None = Field(default=None, description="Target go-live date, YYYY-MM-DD.")
    systems: list[str] = Field(
        default_factory=list, description="Systems it must connect to, as named in the pilot."
    )
    stated: list[str] = Field(
        default_factory=list,
        description="Fields the consultant set; the reader never changes them.",
    )
    clues: list[ProfileClue] = Field(
        default_factory=list, description="Fields the reader filled, each with its evidence."
    )

    def known(self, field: str) -> bool:
        value = getattr(self, field)
        return value not in (None, [])


class Blocker(BaseModel):
    """A gap that stops go-live, or a condition to meet before it, with its evidence."""

    id: str
    pattern: str | None = None
    text: str
    evidence: list[Evidence] = Field(default_factory=list)
    items: list[str] = Field(default_factory=list, description="Plan items that close it.")


class Verdict(BaseModel):
    """Can this pilot go live: ``not_ready`` (a blocker), ``conditional`` or ``ready``."""

    status: Literal["not_ready", "conditional", "ready"]
    headline: str
    blockers: list[Blocker] = Field(default_factory=list)
    conditions: list[Blocker] = Field(default_factory=list)
    timing: str | None = Field(
        default=None, description="Whether the work go-live waits for fits before its date."
    )


class PlanItem(BaseModel):
    id: str
    title: str
    pattern: str
    action: str
    owner: str
    effort: Literal["S", "M", "L"]
    timeframe: str
    kpi: str
    depends_on: list[str]
    citations: list[Citation] = Field(min_length=1)
    evidence: list[Evidence]
    rationale: str | None = None
    why_here: str = Field(
        default="", description="Why this item, for this pilot: its own evidence, quoted."
    )
    owner_stakeholder: str | None = Field(
        default=None, description="The interviewed stakeholder who should own it, if one fits."
    )
    due: str | None = Field(default=None, description="Finish by, YYYY-MM-DD.")
    applies_when: list[str] = Field(
        default_factory=list, description="The profile conditions that made it apply."
    )


class Phase(BaseModel):
    name: str
    items: list[PlanItem]
    note: str | None = Field(default=None, description="Why the phase is empty, when it is.")
    starts: str | None = None
    ends: str | None = None


class Plan(BaseModel):
    pilot: dict[str, Any] = Field(default_factory=dict)
    verdict: Verdict | None = None
    profile: PilotProfile = Field(default_factory=PilotProfile)
    executive_summary: str = ""
    assessment: Assessment
    summary: str
    phases: list[Phase]
    audit: Audit

    def items(self) -> list[PlanItem]:
        return [item for phase in self.phases for item in phase.items]


class Answer(BaseModel):
    """A reply to a free question, every claim cited."""

    question: str
    text: str
    citations: list[Citation]
    engine: str
    notices: list[str] = Field(default_factory=list)


# sessions ----------------------------------------------------------------------------------------

TurnKind = Literal[
    "intro", "probe", "follow_up", "redirect", "closing", "answer", "skip", "finish", "dont_know"
]


class Workspace(BaseModel):
    """A pilot under assessment."""

    id: str
    name: str
    owner: str | None = None
    pilot: dict[str, Any] = Field(default_factory=dict)
    created: str


class Stakeholder(BaseModel):
    id: str
    workspace_id: str
    name: str
    role: str = Field(description="Job title as the person gave it.")
    role_id: str | None = Field(default=None, description="Matching role in patterns.yaml.")
    finished: bool = False
    created: str


class Turn(BaseModel):
    """One stored turn. Advisor turns remember which probe they asked."""

    id: int | None = None
    stakeholder_id: str
    index: int
    role: Literal["advisor", "stakeholder"]
    content: str
    kind: TurnKind
    probe_id: str | None = None
    pattern: str | None = None
    created: str
    answers: int | None = Field(
        default=None, description="For an answer: the index of the question it answers."
    )


class DocumentRecord(BaseModel):
    id: str
    workspace_id: str
    source: str
    sha256: str | None
    status: Literal["indexing", "indexed", "refused"]
    pages: int = 0
    chunks: int = 0
    error: str | None = None
    created: str


class Question(BaseModel):
    """What the advisor asks next, and why."""

    text: str
    kind: Literal["intro", "probe", "follow_up", "redirect", "closing"]
    probe_id: str | None = None
    pattern: str | None = None
    reason: str = ""


class TurnResult(BaseModel):
    """The outcome of one answer: the stored turns, the next question, coverage, notices."""

    answer: Turn | None
    question: Turn
    coverage: dict[str, float] = Field(description="Per pattern, the share of slots filled.")
    slots: dict[str, list[int]] = Field(
        default_factory=dict, description="Per pattern, [slots filled, slots in all]."
    )
    finished: bool
    notices: list[str] = Field(default_factory=list)
