"""The LLM engine: the same steps as the offline engine, richer, and checked before use.

Each step renders a prompt from ``prompts/``, asks the chat model for a pydantic-typed answer,
and validates it against what it was given: every quote must be a substring of the turn or
chunk it names, pattern ids must exist, numbers must be in range, and prose may state no
figure that its inputs do not contain and no do-not-cite figure. An answer that fails is asked
for once more with the reasons; if it fails again, or the endpoint is down, slow or
rate-limited after the client's own retries, the step raises ``LLMError`` and the caller uses
the offline engine for that step and says so.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from app.advice.figures import FigureViolation, find_banned
from app.advice.wording import acknowledgement_side, quotes
from app.errors import LLMError
from app.knowledge.catalog import Knowledge
from app.llm.budget import Action, action
from app.llm.chat import Chat, Request
from app.llm.outputs import (
    AnswerOut,
    QuestionOut,
    RationalesOut,
    SignalOut,
    SignalsOut,
    SummaryOut,
    VerdictOut,
)
from app.llm.prompts import Prompt, load_prompt
from app.llm.redact import Redaction, Redactor
from app.reading.guards import sentence_texts, squash, verbatim
from app.schemas import LLMCall

log = logging.getLogger(__name__)
T = TypeVar("T", bound=BaseModel)
_NUMBER = re.compile(r"(?<![\w.])\d[\d,.]*\d(?:\s*%)?|(?<![\w.])\d(?:\s*%)?")


# Output tokens allowed per step: enough for a valid answer, never a runaway loop.
MAX_TOKENS = {
    "interview_question": 160,
    "extract_signals": 1200,
    "plan_rationale": 1200,
    "plan_summary": 400,
    "answer_question": 600,
    "judge_faithfulness": 160,
}
SIGNAL_BATCH_TOKENS = 1500  # of answer and document text per extract_signals call
RATIONALE_BATCH = 4  # plan items per plan_rationale call
PASSAGE_CHARS = 700  # of each passage shown to the LLM (quotes are checked against the same)


# checks ------------------------------------------------------------------------------------------


def _restored(result: T, redaction: Redaction) -> T:
    """Put redacted values back into every string of a model's output."""
    if not redaction.count:
        return result

    def walk(value: Any) -> Any:
        if isinstance(value, str):
            return Redactor.restore(value, redaction)
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        return value

    return type(result).model_validate(walk(result.model_dump()))


def _since(started: float) -> float:
    return round(time.monotonic() - started, 3)


def invented_numbers(text: str, sources: Sequence[str]) -> list[str]:
    """Numbers in ``text`` that appear in none of ``sources``."""
    pool = " ".join(squash(s) for s in sources)
    known = {m.group(0).replace(" ", "") for m in _NUMBER.finditer(pool)}
    return [
        m.group(0)
        for m in _NUMBER.finditer(text)
        if m.group(0).replace(" ", "") not in known and m.group(0).strip("%").strip() not in known
    ]


def _parts(text: str, budget: int, count: Callable[[str], int]) -> list[str]:
    """``text`` in consecutive parts of at most ``budget`` tokens, cut between sentences
    (between words only inside a sentence longer than that)."""
    sentences = sentence_texts(text)
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for sentence in sentences:
        tokens = count(sentence)
        if tokens > budget:
            words = sentence.split()
            step = max(1, len(words) * budget // (tokens + 1))
            pieces = [" ".join(words[i : i + step]) for i in range(0, len(words), step)]
        else:
            pieces = [sentence]
        for piece in pieces:
            cost = count(piece) + 1
            if current and size + cost > budget:
                parts.append(" ".join(current))
                current, size = [], 0
            current.append(piece)
            size += cost
    if current:
        parts.append(" ".join(current))
    return parts


def rough_tokens(text: str) -> int:
    """About how many tokens ``text`` is, when no tokenizer is given."""
    return len(text) // 4


@dataclass
class LLMEngine:
    """Prompts, calls and validation for every step the LLM can enrich. ``count`` measures
    prompts in tokens for the audit; ``budget`` is one user action's time, in seconds."""

    chat: Chat
    knowledge: Knowledge
    prompts_dir: Path
    redactor: Redactor | None = None
    count: Callable[[str], int] = rough_tokens
    budget: float = 120.0

    @property
    def model_id(self) -> str:
        return self.chat.model_id

    def prompt(self, name: str, current: Action | None = None) -> Prompt:
        """A prompt by name; the action under way records its label."""
        prompt = load_prompt(self.prompts_dir, name)
        if current is not None:
            current.prompts[name] = prompt.label
        return prompt

    def call(
        self,
        name: str,
        values: dict[str, str],
        schema: type[T],
        validate: Callable[[T], list[str]],
        max_tokens: int | None = None,
    ) -> T:
        """Redact, render, ask, restore, validate; one retry with the reasons; else ``LLMError``.

        Each call is bounded: ``max_tokens`` for the step, and no more time than is left of the
        user action's budget (``ADVISOR_LLM_BUDGET_SECONDS``); its cost goes to the action."""
        with action(self.budget) as current:
            redaction = Redaction()
            if self.redactor is not None:
                values = {k: self.redactor.redact(v, redaction) for k, v in values.items()}
                current.redacted += redaction.count
            system, user = self.prompt(name, current).render(**values)
            limit = max_tokens or MAX_TOKENS.get(name, 1024)
            problems: list[str] = []
            for attempt in range(2):
                if problems:
                    user += (
                        "\n\nYour previous answer was rejected: "
                        + "; ".join(problems[:5])
                        + ". Answer again, following the rules exactly."
                    )
                left = current.remaining()
                if left < 1:
                    raise LLMError(
                        f"The {current.seconds:g} s allowed for this action "
                        "(ADVISOR_LLM_BUDGET_SECONDS) were spent.",
                        "budget",
                    )
                record = LLMCall(step=name, prompt_tokens=self.count(system) + self.count(user),
                                 max_tokens=limit)  # fmt: skip
                started = time.monotonic()
                try:
                    reply = self.chat.structured(Request(system, user, schema, limit, left))
                except LLMError as exc:
                    current.calls.append(
                        record.model_copy(update={"seconds": _since(started), "outcome": exc.kind})
                    )
                    if exc.kind != "invalid_output" or attempt == 1:
                        raise
                    problems = [str(exc)]
                    continue
                result = _restored(reply.value, redaction)
                problems = validate(result)
                current.calls.append(
                    record.model_copy(
                        update={
                            "seconds": _since(started),
                            "completion_tokens": reply.completion_tokens,
                            "outcome": "rejected" if problems else "ok",
                        }
                    )
                )
                if not problems:
                    return result
                log.info("%s: invalid LLM output (%s)", name, "; ".join(problems[:3]))
            raise LLMError(f"The LLM's {name} output failed validation: {problems[0]}")

    def check_prose(self, text: str, sources: Sequence[str]) -> list[str]:
        problems = [f"repeats a do-not-cite figure ({v.excerpt})" for v in self._banned(text)]
        invented = invented_numbers(text, sources)
        if invented:
            problems.append(f"states figures not in its inputs ({', '.join(invented[:3])})")
        return problems

    def _banned(self, text: str) -> list[FigureViolation]:
        return find_banned(text, self.knowledge.banned)

    # steps ------------------------------------------------------------------------------------

    def question(self, values: dict[str, str], sources: Sequence[str]) -> str:
        """The next question in the LLM's words. The interviewer chose the slot; the wording
        must still be a question, claim nothing the stakeholder did not say, and acknowledge
        the last answer no differently from the offline text (``values["question"]``)."""
        side = acknowledgement_side(values["question"])
        said = "\n".join(sources)

        def validate(out: QuestionOut) -> list[str]:
            text = out.question.strip()
            problems = []
            if not text.endswith("?"):
                problems.append("the question must end with '?'")
            if len(text) > 600 or len(text.split()) < 3:
                problems.append("the question must be one sentence of 3 to 80 words")
            claimed = acknowledgement_side(text)
            if claimed is not None and claimed != side:
                problems.append(
                    "the acknowledgement must keep the meaning given: "
                    + ("neutral" if side is None else f"the answer showed a {side}")
                )
            for quote in quotes(text):
                words = quote.strip(" .,;:!?\u2026")
                if words and not verbatim(words, said):
                    problems.append(f"quotes words the stakeholder did not say: {words[:60]!r}")
            return problems + self.check_prose(text, sources)

        return self.call("interview_question", values, QuestionOut, validate).question.strip()

    def signals(self, units: dict[str, str]) -> list[SignalOut]:
        """Evidence in ``units`` (id -> text), asked in batches of at most
        ``SIGNAL_BATCH_TOKENS``; a unit longer than that is asked in parts. Any batch that
        fails fails the step (the caller falls back to the offline reader for all of it)."""
        patterns = "\n".join(
            f"- {p.id}: {p.name}. {p.definition}" for p in self.knowledge.catalog.patterns
        )
        found: list[SignalOut] = []
        for batch in self._batches(units):
            for signal in self._signals(patterns, batch):
                unit = signal.unit_id.split("~")[0]  # a part's quote is verbatim in its unit
                found.append(signal.model_copy(update={"unit_id": unit}))
        return found

    def _batches(self, units: dict[str, str]) -> list[dict[str, str]]:
        pieces: list[tuple[str, str, int]] = []
        for uid, text in units.items():
            size = self.count(text)
            if size <= SIGNAL_BATCH_TOKENS:
                pieces.append((uid, text, size))
                continue
            for number, part in enumerate(_parts(text, SIGNAL_BATCH_TOKENS, self.count)):
                pieces.append((f"{uid}~{number}", part, self.count(part)))
        batches: list[dict[str, str]] = []
        size = 0
        for uid, text, tokens in pieces:
            if not batches or size + tokens > SIGNAL_BATCH_TOKENS:
                batches.append({})
                size = 0
            batches[-1][uid] = text
            size += tokens
        return batches

    def _signals(self, patterns: str, units: dict[str, str]) -> list[SignalOut]:
        rendered = "\n\n".join(
            f"[unit_id: {uid}]\n{json.dumps(text, ensure_ascii=False)}"
            for uid, text in units.items()
        )
        ids = set(self.knowledge.catalog.ids)

        def validate(out: SignalsOut) -> list[str]:
            problems = []
            for s in out.signals:
                if s.unit_id not in units:
                    problems.append(f"unknown unit_id {s.unit_id!r}")
                elif not verbatim(s.quote, units[s.unit_id]):
                    problems.append(f"quote not found verbatim in {s.unit_id}: {s.quote[:60]!r}")
                if s.pattern not in ids:
                    problems.append(f"unknown pattern {s.pattern!r}")
                if not 1 <= s.severity <= 3:
                    problems.append(f"severity {s.severity} is outside 1-3")
            return problems

        values = {"patterns": patterns, "units": rendered}
        limit = min(MAX_TOKENS["extract_signals"], 150 + 120 * len(units))
        return self.call("extract_signals", values, SignalsOut, validate, limit).signals

    def rationales(
        self, pilot: str, items: dict[str, str], passages: dict[str, dict[str, str]]
    ) -> dict[str, str]:
        """Item id -> rationale; ``passages`` maps item id -> {chunk_id: text}. Asked
        ``RATIONALE_BATCH`` items at a time, so each prompt carries only what it needs."""
        out: dict[str, str] = {}
        ids = list(items)
        for start in range(0, len(ids), RATIONALE_BATCH):
            batch = {i: items[i] for i in ids[start : start + RATIONALE_BATCH]}
            out |= self._rationales(pilot, batch, {i: passages[i] for i in batch})
        return out

    def _rationales(
        self, pilot: str, items: dict[str, str], passages: dict[str, dict[str, str]]
    ) -> dict[str, str]:
        sources = [pilot, *items.values()] + [t for p in passages.values() for t in p.values()]

        def validate(out: RationalesOut) -> list[str]:
            problems = []
            for r in out.items:
                if r.id not in items:
                    problems.append(f"unknown item id {r.id!r}")
                    continue
                own = passages[r.id]
                for q in r.quotes:
                    if q.chunk_id not in own or not verbatim(q.quote, own[q.chunk_id]):
                        problems.append(f"quote for {r.id} is not verbatim in {q.chunk_id}")
                problems += self.check_prose(r.rationale, sources)
            return problems

        values = {"pilot": pilot, "items": "\n\n".join(items.values())}
        limit = min(MAX_TOKENS["plan_rationale"], 150 + 220 * len(items))
        out = self.call("plan_rationale", values, RationalesOut, validate, limit)
        return {r.id: r.rationale.strip() for r in out.items}

    def summary(self, pilot: str, assessment: str, phases: str) -> str:
        sources = [pilot, assessment, phases, "30 90 180"]

        def validate(out: SummaryOut) -> list[str]:
            problems = self.check_prose(out.summary, sources)
            if len(out.summary.split()) > 200:
                problems.append("the summary is longer than 120 words")
            return problems

        values = {"pilot": pilot, "assessment": assessment, "phases": phases}
        return self.call("plan_summary", values, SummaryOut, validate).summary.strip()

    def answer(self, question: str, passages: dict[str, str]) -> AnswerOut:
        rendered = "\n\n".join(f"[chunk_id: {cid}]\n{text}" for cid, text in passages.items())

        def validate(out: AnswerOut) -> list[str]:
            problems = []
            for c in out.citations:
                if c.chunk_id not in passages or not verbatim(c.quote, passages[c.chunk_id]):
                    problems.append(f"citation quote is not verbatim in {c.chunk_id}")
            return problems + self.check_prose(out.answer, [question, *passages.values()])

        values = {"question": question, "passages": rendered}
        return self.call("answer_question", values, AnswerOut, validate)

    def judge(self, rationale: str, passages: str) -> bool:
        """Eval tier: is ``rationale`` faithful to ``passages``? (LLM-as-judge)"""
        values = {"rationale": rationale, "passages": passages}
        return self.call("judge_faithfulness", values, VerdictOut, lambda out: []).faithful
