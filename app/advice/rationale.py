"""Rationale: a planned block + its evidence + pilot profile -> why it is here, and its owner.

"Why here" quotes the strongest evidence with who said it (or, with none, the words that made
the advice apply), names the pilot's systems it concerns and the facts that make it apply, and
says whether go-live waits for it. The owner is an interviewed stakeholder in the block's
owning role, or else one who spoke about its area.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from app.advice.verdict import strongest
from app.knowledge.catalog import Knowledge, Recommendation
from app.schemas import Evidence, PilotProfile, TurnRef, Verdict

QUOTES_PER_ITEM = 2


@dataclass(frozen=True)
class Person:
    """A stakeholder who was interviewed: who may own an item."""

    name: str
    title: str
    role_id: str | None
    home: frozenset[str] = frozenset()


def why_here(
    rec: Recommendation,
    basis: Sequence[Evidence],
    profile: PilotProfile,
    verdict: Verdict,
    fields: set[str],
    knowledge: Knowledge,
) -> str:
    """Why ``rec`` is in this pilot's plan, from ``basis`` (its evidence) and the profile
    ``fields`` its conditions read."""
    parts = [quoted(e) for e in strongest(list(basis))[:QUOTES_PER_ITEM]]
    if not parts:
        # No evidence in its area: the words that made the advice apply are the reason.
        parts = [
            f"Nothing was said about this area yet, and {clue.source} says: "
            f"\u201c{clue.quote}\u201d"
            for clue in profile.clues
            if clue.field in fields
        ][:1]
    text = " ".join(parts) or (
        "Nothing was said or found about this area yet; this is where to start."
    )
    named = [s for s in profile.systems if any(s.lower() in e.quote.lower() for e in basis)]
    if named:
        text += f" It concerns {', '.join(named)}."
    if rec.applies_when:
        phrases = [condition_text(c, knowledge) for c in rec.applies_when]
        text += f" It applies because this pilot {_join(phrases)}."
    if any(rec.id in b.items for b in verdict.blockers):
        text += " Go-live waits for it."
    elif any(rec.id in b.items for b in verdict.conditions):
        text += " It is a condition of go-live."
    return text


def owner(
    rec: Recommendation,
    basis: Sequence[Evidence],
    people: Sequence[Person],
    role_of: Callable[[str], str | None],
) -> Person | None:
    """Who should own ``rec``: someone in its owning role (one whose area it is first), else
    someone who spoke about its area."""
    if not people:
        return None
    wanted = role_of(rec.owner)
    fits = [p for p in people if wanted is not None and p.role_id == wanted]
    home = [p for p in fits if rec.pattern in p.home]
    if home or fits:
        return (home or fits)[0]
    speakers = [_speaker(e) for e in strongest(list(basis))]
    for name in speakers:
        person = next((p for p in people if p.name == name), None)
        if person is not None and rec.pattern in person.home:
            return person
    return None


def owner_label(person: Person) -> str:
    """ "Brigitte Hoffmann, Head of AP", or the name alone when it already holds the title."""
    if person.title and person.title not in person.name:
        return f"{person.name}, {person.title}"
    return person.name


def condition_text(condition: str, knowledge: Knowledge) -> str:
    """A profile condition in words: 'model_source=vendor' -> 'is bought from a vendor'."""
    return knowledge.plan.profile.applies[condition]


def quoted(e: Evidence) -> str:
    """A quote with who said it: 'Brigitte Hoffmann (Head of AP) said: "..."'."""
    return f"{_who(e)}: \u201c{e.quote}\u201d"


def _who(e: Evidence) -> str:
    """ "Brigitte Hoffmann (Head of AP) said", "audit.pdf, p. 2 says"."""
    if isinstance(e.source, TurnRef):
        name = e.source.speaker or "A stakeholder"
        if e.source.role and e.source.role not in name:
            name += f" ({e.source.role})"
        return f"{name} said"
    return f"{e.source.label()} says"


def _speaker(e: Evidence) -> str | None:
    return e.source.speaker if isinstance(e.source, TurnRef) else None


def _join(phrases: Sequence[str]) -> str:
    return phrases[0] if len(phrases) == 1 else ", ".join(phrases[:-1]) + " and " + phrases[-1]
