"""Types of the advice stages: transcript and documents -> ``Evidence`` -> ``Assessment``;
assessment and ``PilotProfile`` -> ``Verdict`` and ``Plan``."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from app.schemas.documents import Citation

Polarity = Literal["warning", "healthy"]
Level = Literal["low", "medium", "high", "not_assessed"]
Probability = Annotated[float, Field(ge=0, le=1)]
Effort = Literal["S", "M", "L"]

# interview and evidence --------------------------------------------------------------------------


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
    probability: Probability = Field(
        default=1.0,
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


# assessment --------------------------------------------------------------------------------------


class PatternAssessment(BaseModel):
    id: str
    name: str
    risk: int | None = Field(
        ge=0, le=100, description="0-100; null when the pattern is not assessed."
    )
    level: Level
    confidence: Probability
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


# profile, verdict and plan -----------------------------------------------------------------------

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


class WorkItem(BaseModel):
    """A piece of work for one pattern: what to do, who owns it, its effort and timeframe. A
    playbook's Recommendation block says it first; the plan item built from it carries it."""

    id: str
    title: str
    pattern: str
    action: str
    owner: str
    effort: Effort
    timeframe: str


class PlanItem(WorkItem):
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
