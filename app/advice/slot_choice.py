"""Slot choice: the interview's slots and the person -> the next probe question to ask.

The most valuable open slot that fits the person's role comes first: what the role knows
first-hand, the area in their job title (or, when it names none, the role's own ``focus``),
the pattern least covered so far, then slots in the order a consultant would ask. An area the
person sent elsewhere, and a question close in meaning to one they have already answered, wait.
Slots that documents or other stakeholders already filled are skipped, except a verbal
assurance from one other person, which a second person is asked to confirm. The question names
the pilot ("How do Smart Match's results get back ...") and, in a probe's tailored wording,
what the pilot reads, produces and who uses it, as its brief says (``brief``). The interview
closes when no slot that fits the role is left, or the question budget is spent.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from app.advice.brief import PilotBrief
from app.advice.slots import SlotState
from app.advice.titles import home_patterns
from app.advice.wording import closing
from app.knowledge.catalog import Catalog, Pattern, Slot
from app.schemas import Question, Turn

_DOCUMENTS_SAID = "Your documents already answer some questions"
# A question at least this close in meaning (cosine of the probes' embeddings) to one the
# person has answered is likely to draw the same answer ("as I said"): it waits. Chosen on the
# development personas of one writer (evals/personas-dev, d01-d10): at 0.4, 58% of the probes
# that drew a fact already given, and 6% of the others.
HEARD_SIMILARITY = 0.4


def questions_left(turns: Sequence[Turn], max_questions: int) -> int:
    """How many of the ``max_questions`` budget are still to ask."""
    questions = sum(1 for t in turns if t.role == "advisor" and t.kind != "closing")
    return max_questions - questions


def asked_probes(turns: Sequence[Turn]) -> set[str]:
    """The probes this person has been asked."""
    return {t.probe_id for t in turns if t.role == "advisor" and t.probe_id}


def probe_id_for(
    catalog: Catalog, pattern: Pattern, slot: Slot, role: str | None, asked: set[str]
) -> str:
    """The slot's probe written most directly for this role (its roles are listed in
    order of who knows first-hand), not asked of this person before."""
    candidates = [p for p in slot.probes if p not in asked] or slot.probes

    def rank(probe_id: str) -> int:
        roles = pattern.probe(probe_id).roles
        return roles.index(role) if role in roles else len(catalog.roles)

    return min(candidates, key=lambda p: (rank(p), candidates.index(p)))


def _affinity(state: SlotState, role: str | None) -> int:
    """0 when the role is the first one a probe of the slot is written for (it knows
    the answer first-hand), 1 when it is the second, 2 otherwise."""
    if role is None:
        return 0
    ranks = [
        state.pattern.probe(p).roles.index(role)
        for p in state.slot.probes
        if role in state.pattern.probe(p).roles
    ]
    return min(min(ranks, default=2), 2)


@dataclass(frozen=True, eq=False)
class SlotChooser:
    """Chooses the next slot to ask about, within the question budget."""

    catalog: Catalog
    max_questions: int
    referents: tuple[str, ...] = ()
    similarity: Callable[[str, str], float] | None = None

    def next_probe(
        self,
        turns: Sequence[Turn],
        role: str | None,
        title: str | None,
        states: list[SlotState],
        lead: str,
        declined: frozenset[str] = frozenset(),
        pilot: PilotBrief | None = None,
        heard: frozenset[str] = frozenset(),
    ) -> Question:
        """The probe for the best open slot, after ``lead``; or the closing. ``declined``:
        the patterns this person has sent elsewhere or said they have already answered;
        ``pilot``: the pilot's brief, whose name the question uses for "the tool" and whose
        inputs and users a tailored probe names."""
        if questions_left(turns, self.max_questions) <= 0:
            return closing("The question budget is spent.")
        fits = [
            s
            for s in states
            if not s.asked
            and (role is None or role in s.pattern.slot_roles(s.slot))
            and (not s.filled or s.assurance_only)
        ]
        if not fits:
            return closing("Every slot this role can speak to has been covered.")
        best = self._best(fits, turns, role, title, states, declined, heard)
        probe_id = probe_id_for(self.catalog, best.pattern, best.slot, role, asked_probes(turns))
        note = ""
        skipped = [
            s
            for s in states
            if any(e.source.kind == "document" for e in s.others)
            and (role is None or role in s.pattern.slot_roles(s.slot))
        ]
        if skipped and not any(_DOCUMENTS_SAID in t.content for t in turns if t.role == "advisor"):
            note = f"{_DOCUMENTS_SAID}, so I'll skip those. "
        reason = (
            f"{best.pattern.name}: {best.slot.name} is open"
            if not best.filled
            else f"{best.pattern.name}: {best.slot.name} rests on one person's word"
        )
        return Question(
            text=lead
            + note
            + (pilot or PilotBrief()).question(best.pattern.probe(probe_id), self.referents),
            kind="probe",
            probe_id=probe_id,
            pattern=best.pattern.id,
            reason=reason + ".",
        )

    def _best(
        self,
        fits: list[SlotState],
        turns: Sequence[Turn],
        role: str | None,
        title: str | None,
        states: list[SlotState],
        declined: frozenset[str],
        heard: frozenset[str] = frozenset(),
    ) -> SlotState:
        """The most valuable of the slots that ``fits`` the person."""
        filled = {
            p.id: sum(1 for s in states if s.pattern.id == p.id and s.filled) / len(p.slots)
            for p in self.catalog.patterns
        }
        mine = {
            p.id: sum(1 for s in states if s.pattern.id == p.id and s.asked)
            for p in self.catalog.patterns
        }
        order = {(s.pattern.id, s.slot.id): n for n, s in enumerate(states)}
        home = home_patterns(title, self.catalog.patterns) or {
            pattern for r in self.catalog.roles if r.id == role for pattern in r.focus
        }
        asked = asked_probes(turns)

        def near_heard(s: SlotState) -> bool:
            """Its question is close in meaning to one this person has answered."""
            if not heard or self.similarity is None:
                return False
            probe = probe_id_for(self.catalog, s.pattern, s.slot, role, asked)
            return max(self.similarity(probe, h) for h in heard) >= HEARD_SIMILARITY

        return min(
            fits,
            key=lambda s: (
                # what this role knows first-hand, first; the area in the job title before
                # the rest; a step back for an area the person said was not theirs, or
                # answered already, and for a question close to one they have answered
                _affinity(s, role)
                - (s.pattern.id in home)
                + 3 * (s.pattern.id in declined)
                + 2 * near_heard(s),
                s.filled,  # open slots before second accounts of others' assurances
                filled[s.pattern.id] + mine[s.pattern.id] / len(s.pattern.slots),
                order[(s.pattern.id, s.slot.id)],
            ),
        )
