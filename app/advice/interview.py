"""Interview: the turns so far -> the next question, offline and deterministic.

Coverage is counted in slots (``slots``): the aspects of each pattern a consultant must hear
about, filled by evidence from this stakeholder, another one, or a document.

After each answer the interviewer decides, in this order:

1. "finish" ends the interview; "skip" moves on; "I don't know" is noted as an open point for
   the roles that could answer;
2. "as I said" / "I just told you": a short apology, and on to the next slot; an answer about
   something else entirely: the same slot once more, in other words (``follow_ups``);
3. at most one follow-up per question asked (and at most a fifth of the budget in all),
   never presupposing the opposite of what was said: an answer at odds with what another
   stakeholder or a document says about the same thing gets a neutral cross-check (naming no
   one); a gap gets a question about owner, plan or impact; a vague or evasive answer gets a
   request for a concrete example (``follow_ups``);
4. otherwise a short acknowledgement that never goes beyond the reading (neutral when the
   reader is unsure or found nothing; ``wording``), then the most valuable open slot that fits
   the person's role: the pattern least covered so far first, slots in the order a consultant
   would ask, a question close to one the person has answered later. Slots that documents or
   other stakeholders already filled are skipped, except a verbal assurance from one other
   person, which a second person is asked to confirm. The question calls the system by the
   pilot's name, and names its inputs, outputs and users where the brief says them
   (``slot_choice``, ``brief``);
5. it closes when no slot that fits the role is left to ask, or the budget is spent.

The names other modules import from here (``SlotState``, ``role_id``, ``quotes``,
``acknowledgement_side`` ...) live in those modules and are re-exported.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from app.advice.brief import PilotBrief
from app.advice.follow_ups import FollowUps
from app.advice.slot_choice import SlotChooser
from app.advice.slots import SlotPlacer, SlotState, own_evidence, slot_counts
from app.advice.titles import home_patterns
from app.advice.wording import Wording, closing, intro
from app.knowledge.catalog import Catalog, InterviewTexts
from app.reading.language import Reader, normalise
from app.reading.reader import Detection, EvidenceReader
from app.schemas import Question, Turn, TurnKind


@dataclass(eq=False)
class Interviewer:
    """The turns so far, the person and the slots -> the next question."""

    catalog: Catalog
    texts: InterviewTexts
    reader: Reader
    detector: EvidenceReader
    max_questions: int
    _said: list[str] = field(init=False, repr=False)
    _placer: SlotPlacer = field(init=False, repr=False)
    _chooser: SlotChooser = field(init=False, repr=False)
    _follow_ups: FollowUps = field(init=False, repr=False)
    _wording: Wording = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._said = [_words(p) for p in self.texts.already_said]
        self._placer = SlotPlacer(self.catalog, self.detector)
        self._chooser = SlotChooser(
            self.catalog,
            self.max_questions,
            tuple(self.texts.pilot_referents),
            lambda a, b: float(self.detector.probe_vector(a) @ self.detector.probe_vector(b)),
        )
        self._follow_ups = FollowUps(
            self.catalog, self.texts, self.reader, self.detector, self.max_questions
        )
        self._wording = Wording(self.catalog, self.texts)

    # what the stakeholder said -----------------------------------------------------------------

    def reply_kind(self, text: str, question: str | None = None) -> TurnKind:
        """A command ("skip", "finish"), a deflection ("not my area, ask Priya", with nothing
        the reader reads as evidence in it, against ``question``, or so short that it says
        nothing else), or an answer."""
        command = self.reader.command(text)
        if command is not None:
            return command  # type: ignore[return-value]
        if self.reader.deflects(text) and (
            self.reader.bare(text) or not self.detector.finds_evidence(text, question)
        ):
            return "dont_know"
        return "answer"

    def already_said(self, text: str) -> bool:
        clean = f" {_words(text)} "
        return any(f" {phrase} " in clean for phrase in self._said)

    # slots ---------------------------------------------------------------------------------------

    def warm(self) -> None:
        """Embed the slots now rather than at the first answer."""
        self._placer.warm()

    def slots(
        self, turns: Sequence[Turn], answers: Detection, others: Detection
    ) -> list[SlotState]:
        """Every slot of every pattern, with the evidence placed there and what was asked."""
        return self._placer.slots(turns, answers, others)

    def slot_counts(self, states: Sequence[SlotState]) -> dict[str, tuple[int, int]]:
        """Per pattern, (slots filled by anyone, slots in all): the coverage meter."""
        return slot_counts(self.catalog, states)

    def home_patterns(self, title: str | None) -> set[str]:
        """Patterns whose ``title_words`` appear in the person's job title."""
        return home_patterns(title, self.catalog.patterns)

    # the next question ---------------------------------------------------------------------------

    def next_question(
        self,
        turns: Sequence[Turn],
        role: str | None,
        states: list[SlotState],
        title: str | None = None,
        pilot: PilotBrief | None = None,
    ) -> Question:
        """``role`` is the roles id of the person, ``title`` their job title as given,
        ``states`` the interview's slots (``slots``), ``pilot`` the pilot's brief (``brief``)."""
        if not turns:
            return intro(self._chooser.next_probe(turns, role, title, states, "", pilot=pilot))
        last = turns[-1]
        if last.role == "advisor":
            return Question(
                text=last.content,
                kind=last.kind if last.kind != "answer" else "probe",
                probe_id=last.probe_id,
                pattern=last.pattern,
                reason="The last question is still open.",
            )
        question = _last_advisor(turns)
        if last.kind == "finish":
            return closing("You asked to finish.")
        lead = ""
        if last.kind == "skip":
            lead = "No problem, let's move on. "
        elif last.kind == "dont_know":
            lead = self._wording.who_would_know(question, role)
        elif self.already_said(last.content):
            lead = self._wording.apology(turns)
        elif question is not None and last.kind == "answer":
            follow = self._follow_ups.redirect(turns, role, question, last, states, pilot)
            follow = follow or self._follow_ups.follow_up(turns, question, last, states)
            if follow is not None:
                return follow
            lead = self._wording.acknowledge(own_evidence(states, last.index), turns)
        return self._chooser.next_probe(
            turns, role, title, states, lead, self._declined(turns), pilot, self._heard(turns)
        )

    def _heard(self, turns: Sequence[Turn]) -> frozenset[str]:
        """The probes this person answered (not deflected)."""
        return frozenset(
            question.probe_id
            for question, reply in pairwise(turns)
            if question.role == "advisor"
            and question.probe_id is not None
            and question.kind in ("intro", "probe", "redirect")
            and reply.role == "stakeholder"
            and reply.kind == "answer"
        )

    def _declined(self, turns: Sequence[Turn]) -> frozenset[str]:
        """Patterns this person said were not theirs ("not my area, ask IT"), or answered
        with "as I said": they have nothing more on it, so it moves back a step for them."""
        return frozenset(
            question.pattern
            for question, reply in pairwise(turns)
            if question.role == "advisor"
            and question.pattern is not None
            and (reply.kind == "dont_know" or self.already_said(reply.content))
        )


def _words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9']+", normalise(text).replace("\u2019", "'")))


def _last_advisor(turns: Sequence[Turn]) -> Turn | None:
    return next((t for t in reversed(turns) if t.role == "advisor"), None)
