"""Figures policy: drafted text -> the do-not-cite figures it repeats.

The statistics playbook lists, as data, the figures that must never be cited, each with
regular expressions that find it however it is phrased. Every text the advisor outputs (plan
prose, answers, LLM drafts) passes through ``find_banned`` before it is shown.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from pydantic import BaseModel

from app.knowledge.catalog import BannedFigure
from app.reading.guards import sentence_texts


class FigureViolation(BaseModel):
    """A do-not-cite figure found in a text."""

    figure_id: str
    claim: str
    why: str
    excerpt: str


@cache
def _compiled(expression: str) -> re.Pattern[str]:
    return re.compile(expression, re.IGNORECASE)


def find_banned(text: str, banned: Sequence[BannedFigure]) -> list[FigureViolation]:
    """Every do-not-cite figure that ``text`` repeats, with the words that repeat it."""
    normalised = re.sub(r"\s+", " ", text.replace("\u00a0", " "))
    found: list[FigureViolation] = []
    for figure in banned:
        for expression in figure.match:
            match = _compiled(expression).search(normalised)
            if match:
                found.append(
                    FigureViolation(
                        figure_id=figure.id,
                        claim=figure.claim,
                        why=figure.why,
                        excerpt=match.group(0),
                    )
                )
                break
    return found


def without_banned(text: str, banned: Sequence[BannedFigure]) -> tuple[str, list[str]]:
    """``text`` less the sentences that repeat a do-not-cite figure, and a notice if any went."""
    if not find_banned(text, banned):
        return text, []
    kept = [s for s in sentence_texts(text) if not find_banned(s, banned)]
    return " ".join(kept), [
        "A sentence repeating a figure that must not be cited was removed from the draft."
    ]
