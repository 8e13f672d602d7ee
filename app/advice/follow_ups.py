"""Follow-ups: the question asked and the answer to it -> one more question on it, or None.

An answer about something else entirely gets the same slot asked once more, in other words.
Otherwise at most one follow-up per question asked (and at most a fifth of the budget in all),
never presupposing the opposite of what was said: an answer at odds with what another
stakeholder or a document says about the same thing gets a neutral cross-check (naming no
one); a gap the person described (not "no idea, ask IT") gets a question about owner, plan
or impact; a vague or evasive answer ("it's fine", a few words with nothing in them) gets a
request for a concrete example. A longer answer the reader cannot place is a story, not an
evasion: it is acknowledged, and the interview moves on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from app.advice.assess import CONTRADICTION_SIMILARITY
from app.advice.brief import PilotBrief
from app.advice.slot_choice import asked_probes, probe_id_for, questions_left
from app.advice.slots import SlotState, own_evidence
from app.advice.wording import short
from app.knowledge.catalog import Catalog, InterviewTexts
from app.reading.language import Reader, normalise
from app.reading.reader import SPECIFIC, EvidenceReader, asked
from app.schemas import Evidence, Question, Turn

OFF_TOPIC_RELEVANCE = 0.3  # an answer less related than this to any sign is off topic
# Fewer words than this, with nothing read in them ("It's going well, lots of momentum"), is
# too general to be about something else: it gets the request for an example, not a redirect.
OFF_TOPIC_WORDS = 8
# A longer answer with nothing read in it tells a story the reader cannot place; asking for "a
# concrete example" after it would not be listening. It is acknowledged and the interview goes on.
VAGUE_WORDS = 12
# A gap said in fewer words than this ("Not that I know of.") is not quoted back.
QUOTED_WORDS = 6
FOLLOW_UP_SHARE = 0.2  # of the question budget, at most
FollowUp = Literal["gap", "gap_plain", "vague", "cross_check"]


@dataclass(frozen=True, eq=False)
class FollowUps:
    """Decides whether the last answer calls for a redirect or a follow-up, and phrases it."""

    catalog: Catalog
    texts: InterviewTexts
    reader: Reader
    detector: EvidenceReader
    max_questions: int

    def follow_up(
        self, turns: Sequence[Turn], question: Turn, last: Turn, states: list[SlotState]
    ) -> Question | None:
        """A cross-check, a gap or a vagueness follow-up to ``last``, the answer to
        ``question``; None when none is due or the budget for them is spent."""
        if question.kind not in ("intro", "probe") or question.pattern is None:
            return None
        follow_ups = sum(
            1 for t in turns if t.role == "advisor" and t.kind in ("follow_up", "redirect")
        )
        if follow_ups >= max(1, int(self.max_questions * FOLLOW_UP_SHARE)):
            return None
        if questions_left(turns, self.max_questions) <= 1:
            return None
        asked_before = {normalise(asked(t.content) or "") for t in turns if t.role == "advisor"}

        def follow(kind: FollowUp, pattern: str, reason: str, **values: str) -> Question | None:
            """The first phrasing of ``kind`` not asked before, or None when all were."""
            for option in self.texts.follow_up[kind]:
                text = option.format(**values)
                if normalise(asked(text) or text) not in asked_before:
                    return Question(
                        text=text,
                        kind="follow_up",
                        probe_id=question.probe_id,
                        pattern=pattern,
                        reason=reason,
                    )
            return None

        own = own_evidence(states, last.index)
        at_odds = _at_odds(own, states)
        found = None
        if at_odds is not None:
            found = follow(
                "cross_check",
                at_odds.pattern,
                "The answer differs from another account of the same thing.",
            )
        # "I don't know this" may read as a gap, but quoting it back to ask who owns the fix
        # would be absurd: only a gap the person described is followed up.
        gaps = (
            []
            if self.reader.deflects(last.content)
            else [e for e in own if e.signal.polarity == "warning"]
        )
        if found is None and gaps and all(e.signal.polarity == "warning" for e in own):
            top = max(gaps, key=lambda e: e.probability or e.weight)
            found = follow(
                "gap" if len(normalise(top.quote).split()) >= QUOTED_WORDS else "gap_plain",
                top.pattern,
                "The answer shows a gap: who owns it, what it costs, what the plan is.",
                quote=short(top.quote),
            )
        if found is None and not own and self._vague(last.content):
            found = follow(
                "vague", question.pattern, "The answer was too general to read as evidence."
            )
        return found

    def _vague(self, text: str) -> bool:
        """Too general to read as evidence: reassurance ("it's fine", "everything is on
        course, the stakeholders are happy"), or a few words with
        nothing specific in them (no cue word such as "nobody owns" or "by hand", no figure,
        no name: "18 percent", "MIRO" are specific)."""
        reading = self.reader.read(text)
        if reading.vague or self.detector.reassures(text):
            return True
        if reading.cues:  # names a practice or its absence: "nobody owns the interface"
            return False
        return len(normalise(text).split()) < VAGUE_WORDS and not SPECIFIC.search(text)

    def redirect(
        self,
        turns: Sequence[Turn],
        role: str | None,
        question: Turn,
        last: Turn,
        states: list[SlotState],
        pilot: PilotBrief | None = None,
    ) -> Question | None:
        """An answer about something else entirely gets the same slot asked once more, in
        other words (never the same question twice)."""
        if question.kind not in ("intro", "probe") or question.pattern is None:
            return None
        reading = self.reader.read(last.content)
        if (
            own_evidence(states, last.index)
            or reading.cues
            or reading.vague
            or self.reader.deflects(last.content)
            or self.reader.yes_no(last.content) != 0
            or len(normalise(last.content).split()) < OFF_TOPIC_WORDS
            or self.detector.relevance(last.content) >= OFF_TOPIC_RELEVANCE
        ):
            return None
        pattern = self.catalog.pattern(question.pattern)
        slot = pattern.slot_of(question.probe_id)
        asked_already = asked_probes(turns)
        others = [p for p in (slot.probes if slot else []) if p not in asked_already]
        if not others or slot is None:
            return None
        probe_id = probe_id_for(self.catalog, pattern, slot, role, asked_already)
        return Question(
            text="Let's keep to the pilot for now. "
            + (pilot or PilotBrief()).question(pattern.probe(probe_id), self.texts.pilot_referents),
            kind="redirect",
            probe_id=probe_id,
            pattern=pattern.id,
            reason="The answer did not address the question.",
        )


def _at_odds(own: list[Evidence], states: list[SlotState]) -> Evidence | None:
    """Evidence from the last answer that another stakeholder or a document contradicts
    about the same thing: same slot, opposite side, close in meaning (the assessment's
    test for a contradiction)."""
    for state in states:
        for item in (e for e in state.own if any(e is o for o in own)):
            mine = state.vectors[id(item)]
            for other in state.others:
                if other.signal.polarity != item.signal.polarity and (
                    float(mine @ state.vectors[id(other)]) >= CONTRADICTION_SIMILARITY
                ):
                    return item
    return None
