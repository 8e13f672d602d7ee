"""Job titles: a person's free-text job title -> the role they speak for and their home areas.

A title is matched against keyword lists (the lexicon's ``role_keywords`` for roles, each
pattern's ``title_words`` for areas). The most specific keyword wins: "data protection
officer" is risk and legal, not data, because "data protection" is two words and "data" one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from app.knowledge.catalog import Lexicon, Pattern
from app.reading.language import normalise


def title_scores(title: str, groups: Mapping[str, Sequence[str]]) -> dict[str, float]:
    """Per group, how specifically a job title names it: the word count of its longest
    keyword found in the title (0 when none is), so "data protection" beats "data"."""
    text = f" {normalise(title)} "
    return {
        name: max(
            (
                float(len(word.split()))
                for word in words
                if re.search(rf"(?<!\w){re.escape(word.strip())}(?!\w)", text)
            ),
            default=0.0,
        )
        for name, words in groups.items()
    }


def role_id(role: str, lexicon: Lexicon) -> str | None:
    """The roles id a free-text job title suits best, or None. The most specific keyword
    wins ("data protection officer" is risk and legal, not data; "head of accounts payable"
    leads a team of users), and seniority words ("head of", "director") count for half."""
    best, top = None, 0.0
    for rid, score in title_scores(role, lexicon.role_keywords).items():
        if rid == "executive":
            score = score * 0.5 - 0.01  # on a tie, the area a person leads wins
        if score > top:
            best, top = rid, score
    return best


def home_patterns(title: str | None, patterns: Sequence[Pattern]) -> set[str]:
    """Patterns whose ``title_words`` appear in the person's job title ("IT integration
    lead" -> integration); the most specific words win ("data protection officer" is
    governance, not data quality)."""
    if not title:
        return set()
    scores = title_scores(title, {p.id: p.title_words for p in patterns})
    top = max(scores.values())
    return {p for p, score in scores.items() if score and score == top}
