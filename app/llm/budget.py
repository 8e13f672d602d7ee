"""One user action's LLM work: its time budget, and the record of what it used.

An answer, an assessment, a plan or a question is one action. Every LLM call made while it
runs shares its time budget (``ADVISOR_LLM_BUDGET_SECONDS``) and adds to its own record: the
calls and what each cost, the prompts used (name and version) and how many personal-data items
were redacted. The record lives in a context variable, so simultaneous sessions never see each
other's prompts or counts; results (an assessment's audit, a notice) read it from there.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from app.schemas import LLMCall


@dataclass
class Action:
    """The time one user action's LLM calls may take in all, and what they used."""

    deadline: float
    seconds: float
    calls: list[LLMCall] = field(default_factory=list)
    prompts: dict[str, str] = field(default_factory=dict)
    redacted: int = 0

    def remaining(self) -> float:
        return self.deadline - time.monotonic()


_ACTION: ContextVar[Action | None] = ContextVar("llm_action", default=None)


@contextmanager
def action(seconds: float) -> Iterator[Action]:
    """Bound the LLM work of one user action; nested actions share the outer one."""
    current = _ACTION.get()
    if current is not None:
        yield current
        return
    started = Action(time.monotonic() + seconds, seconds)
    token = _ACTION.set(started)
    try:
        yield started
    finally:
        _ACTION.reset(token)


def current_calls() -> list[LLMCall]:
    """The LLM calls of the action under way (for its audit)."""
    found = _ACTION.get()
    return list(found.calls) if found else []


def current_prompts() -> dict[str, str]:
    """The prompts (name -> label with version and hash) the action under way has used."""
    found = _ACTION.get()
    return dict(found.prompts) if found else {}
