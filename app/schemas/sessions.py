"""Types of the interview sessions: pilots (workspaces), stakeholders, their stored turns and
documents, and what one answer -> ``TurnResult`` (the next ``Question`` and the coverage)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

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
