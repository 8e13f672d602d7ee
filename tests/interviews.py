"""Driving an interview through the advisor's API in tests."""

from __future__ import annotations

from app.schemas import Turn, TurnResult
from app.service.advisor import Advisor


def skip_to_the_end(advisor: Advisor, person: str, result: TurnResult) -> list[Turn]:
    """Answer "skip" until the interview closes; the questions asked on the way, from the one
    in ``result`` up to (not including) the closing."""
    asked = []
    while not result.finished:
        asked.append(result.question)
        result = advisor.answer(person, "skip")
    return asked
