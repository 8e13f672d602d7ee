"""The knowledge base's word lists and texts as typed data: ``lexicon.yaml`` -> ``Lexicon``,
``interview.yaml`` -> ``InterviewTexts``, ``plan.yaml`` -> ``PlanRules``."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from app.knowledge.patterns import Frozen


class Commands(Frozen):
    skip: list[str]
    finish: list[str]


class Lexicon(Frozen):
    """Cue words the offline engine reads beside similarity (``knowledge/lexicon.yaml``)."""

    version: int
    negators: list[str]
    negation_window: int = Field(ge=1, le=10)
    opaque_verbs: list[str]
    scope_breakers: list[str]
    healthy_cues: list[str]
    risk_cues: list[str]
    future_cues: list[str]
    conditionals: list[str]
    past_cues: list[str]
    action_verbs: list[str]
    action_sections: list[str]
    hedges: list[str]
    vague_reassurance: list[str]
    reassurance_examples: list[str] = Field(min_length=1)
    dont_know: list[str]
    referrals: list[str]
    commands: Commands
    yes_words: list[str]
    no_words: list[str]
    instruction_markers: list[str]
    ai_addressees: list[str]
    reader_terms: list[str]
    directives: list[str]
    instruction_verbs: list[str]
    instruction_targets: list[str]
    instruction_qualifiers: list[str]
    role_keywords: dict[str, list[str]]
    english_words: list[str] = Field(default_factory=list)
    foreign_words: dict[str, list[str]] = Field(default_factory=dict)


class BriefWords(Frozen):
    """Words that find the pilot's inputs, outputs and users in its use case
    (``app.advice.brief``)."""

    reading_verbs: list[str] = Field(min_length=1)
    verbs: list[str] = Field(min_length=1)
    people: list[str] = Field(min_length=1)
    people_endings: list[str] = Field(min_length=1)
    not_people: list[str] = Field(default_factory=list)
    outputs: dict[str, str] = Field(
        default_factory=dict,
        description='What a use-case verb produces: "predicts" -> "predictions".',
    )


class InterviewTexts(Frozen):
    """What the interviewer says besides its probes (``knowledge/interview.yaml``)."""

    version: int
    acknowledge: dict[Literal["warning", "healthy", "neutral"], list[str]]
    follow_up: dict[Literal["gap", "gap_plain", "vague", "cross_check"], list[str]]
    already_said: list[str] = Field(min_length=1)
    apology: list[str] = Field(min_length=1)
    pilot_referents: list[str] = Field(default_factory=list)
    brief: BriefWords


class BlockerRule(Frozen):
    """A gap that stops go-live (``knowledge/plan.yaml``)."""

    id: str
    when: list[str] = Field(default_factory=list)
    slot: str
    item: str
    gap: str
    unheard: str


class ProfileTexts(Frozen):
    questions: dict[str, str]
    labels: dict[str, dict[str, str]]
    applies: dict[str, str] = Field(description="Condition -> why it applies, in words.")
    clues: dict[str, dict[str, list[str]]]
    systems: list[str]


class PlanRules(Frozen):
    """Profile clues, blockers and the glossary (``knowledge/plan.yaml``)."""

    version: int
    profile: ProfileTexts
    blockers: list[BlockerRule]
    glossary: dict[str, str]
