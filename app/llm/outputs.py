"""What the LLM must answer, step by step: pydantic models whose field descriptions are the spec
the model sees. ``app.llm.online`` validates each against the step's inputs."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class QuestionOut(BaseModel):
    question: str = Field(description="The one question to ask next, ending with '?'.")


class SignalOut(BaseModel):
    unit_id: str = Field(description="Id of the text the quote comes from.")
    quote: str = Field(description="Exact words copied from that text.")
    pattern: str = Field(description="One of the failure pattern ids.")
    polarity: Literal["warning", "healthy"]
    severity: int = Field(description="1 minor, 2 serious, 3 critical.")
    hedged: bool = Field(description="True when the speaker sounds unsure.")


class SignalsOut(BaseModel):
    signals: list[SignalOut]


class QuoteOut(BaseModel):
    chunk_id: str = Field(description="Id of the passage the quote comes from.")
    quote: str = Field(description="Exact words copied from that passage.")


class RationaleOut(BaseModel):
    id: str = Field(description="The plan item id.")
    rationale: str = Field(description="Two or three sentences.")
    quotes: list[QuoteOut]


class RationalesOut(BaseModel):
    items: list[RationaleOut]


class SummaryOut(BaseModel):
    summary: str = Field(description="At most 120 words.")


class VerdictOut(BaseModel):
    faithful: bool = Field(description="True only when every claim is supported.")
    reason: str = Field(description="One sentence.")


class AnswerOut(BaseModel):
    answer: str = Field(description="At most 150 words.")
    citations: list[QuoteOut]
