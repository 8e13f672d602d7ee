"""Scripted stakeholders: personas with hidden facts, interviewed through the advisor's API.

A persona (``evals/personas/*.json``) is one stakeholder of one pilot. The simulated person
answers a question with the fact whose topic the question is about (the closest topic by
meaning, if it is close enough), says so when asked again about a fact already given, and
otherwise gives a vague reply or deflects, as people do. The simulation never sees slot or
probe ids, only the text the advisor shows.

``interview``: one persona, through the advisor -> one results row. Measured per persona: the
facts the interview drew out within the question budget, whether the assessment's verdict per
pattern matches the persona's hidden truth, questions asked twice, and acknowledgements that
contradict the reading of the answer they acknowledge.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, Field

from app.advice.wording import acknowledgement_side
from app.reading.reader import asked
from app.service.advisor import Advisor
from evals.schemas import Case, finished

# How close (cosine, all-MiniLM-L6-v2) a question must be to a fact's topic for the persona to
# take it as a question about that fact. Fixed when the simulation was written; never tuned to
# the interviewer's results.
TOPIC_MATCH = 0.35
QUESTION_BUDGET = 15


class Fact(BaseModel):
    id: str
    pattern: str
    stance: Literal["warning", "healthy"]
    topic: str
    answer: str


class Persona(BaseModel):
    id: str
    pilot: dict[str, str] = Field(default_factory=dict)
    name: str
    role: str
    voice: str = ""
    facts: list[Fact]
    deflections: list[str]
    vague: str
    truth: dict[str, Literal["at_risk", "healthy"]]


def load_personas(evals_dir: Path, folder_name: str = "personas") -> list[Persona]:
    folder = evals_dir / folder_name
    return [
        Persona.model_validate(json.loads(path.read_text(encoding="utf-8")))
        for path in sorted(folder.glob("*.json"))
    ]


@dataclass
class Stakeholder:
    """The simulated person: question text in, answer text out."""

    persona: Persona
    embed: Callable[[Sequence[str]], np.ndarray]
    told: list[str] = field(default_factory=list)
    misses: int = 0

    def __post_init__(self) -> None:
        self._topics = self.embed([f.topic for f in self.persona.facts])

    def fact_for(self, question: str) -> tuple[Fact | None, float]:
        vector = self.embed([question])[0]
        sims = self._topics @ vector
        best = int(np.argmax(sims))
        score = float(sims[best])
        return (self.persona.facts[best] if score >= TOPIC_MATCH else None), score

    def reply(self, text: str) -> str:
        question = asked(text) or text
        fact, _ = self.fact_for(question)
        if fact is not None:
            if fact.id in self.told:
                return f"As I said, {fact.answer[0].lower()}{fact.answer[1:]}"
            self.told.append(fact.id)
            return fact.answer
        self.misses += 1
        if self.misses == 1:
            return self.persona.vague
        deflections = self.persona.deflections
        return deflections[(self.misses - 2) % len(deflections)]


def normalised_question(text: str) -> str:
    question = asked(text) or text
    return " ".join(re.findall(r"[a-z0-9]+", question.lower()))


def interview(advisor: Advisor, persona: Persona) -> Case:
    """Interview one scripted stakeholder through the app's API, then assess the pilot."""
    start = time.perf_counter()
    space = advisor.create_workspace(f"eval-{persona.id}", pilot=dict(persona.pilot))
    person = advisor.add_stakeholder(space.id, persona.name, persona.role)
    simulated = Stakeholder(persona, advisor.embedder.embed)
    result = advisor.start_interview(person.id)
    questions: list[str] = []
    contradicting: list[str] = []
    transcript: list[str] = []
    while not result.finished and len(questions) < QUESTION_BUDGET:
        question = result.question.content
        questions.append(question)
        reply = simulated.reply(question)
        transcript += [f"Q: {question}", f"A: {reply}"]
        result = advisor.answer(person.id, reply)
        side = acknowledgement_side(result.question.content)
        if side is not None:
            # The reading of this answer, with its question, as the interview read it.
            read = {e.signal.polarity for e in advisor.read_answer(question, reply)}
            if side not in read:
                contradicting.append(
                    f"“{reply[:80]}” acknowledged as {side}, read as {sorted(read)}"
                )
    if result.finished:
        transcript.append(f"Q: {result.question.content}")
    assessment = advisor.assess(space.id)
    repeated = _repeated(questions)
    levels = {p.id: p for p in assessment.patterns}
    verdicts = {
        pattern: (
            "not_assessed"
            if levels[pattern].risk is None
            else "at_risk"
            if levels[pattern].at_risk
            else "healthy"
        )
        for pattern in persona.truth
    }
    agree = [verdicts[p] == want for p, want in persona.truth.items()]
    elicited = [f.id in simulated.told for f in persona.facts]
    failures = [
        f"fact not drawn out: {f.topic}" for f in persona.facts if f.id not in simulated.told
    ]
    failures += [
        f"{p}: truth {want}, verdict {verdicts[p]}"
        for p, want in persona.truth.items()
        if verdicts[p] != want
    ]
    failures += [f"asked twice: {q}" for q in repeated]
    failures += [f"acknowledgement contradicts the reading, {c}" for c in contradicting]
    detail = {
        "questions": len(questions),
        "elicited": elicited,
        "agree": agree,
        "repeated": repeated,
        "contradicting": contradicting,
        "transcript": transcript,
    }
    return finished("persona", persona.id, detail, failures, time.perf_counter() - start)


def _repeated(questions: list[str]) -> list[str]:
    """The questions that repeat an earlier one, once normalised."""
    seen: set[str] = set()
    repeated = []
    for text in questions:
        key = normalised_question(text)
        if key in seen:
            repeated.append(text)
        seen.add(key)
    return repeated
