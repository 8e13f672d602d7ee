"""The interview: ``(stakeholder, answer) -> TurnResult``: the answer stored whole first, then
read, then the next question chosen by the interviewer and phrased by the engine.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from app.advice.brief import PilotBrief, read_brief
from app.advice.slots import SlotState
from app.errors import (
    ConfigError,
    NotFound,
)
from app.schemas import (
    Stakeholder,
    Turn,
    TurnResult,
)
from app.service.components import Components
from app.service.session_tables import now
from app.service.units import Sources
from app.service.workspace import Workspaces

log = logging.getLogger(__name__)


class Interviews:
    """One stakeholder's interview: answers stored first, then the next question."""

    def __init__(self, parts: Components, access: Workspaces, sources: Sources) -> None:
        self.parts = parts
        self.access = access
        self.sources = sources

    def start(self, stakeholder_id: str, user: str | None = None) -> TurnResult:
        """The question waiting for the stakeholder: the first one, or the open one."""
        person = self.access.interview(stakeholder_id, user, "interview")
        turns = self.parts.sessions.turns(stakeholder_id)
        if turns and turns[-1].role == "advisor":
            return self.result(person, turns, None, turns[-1], [])
        return self.ask_next(person, turns, None)

    def answer(
        self,
        stakeholder_id: str,
        text: str,
        user: str | None = None,
        question: int | None = None,
    ) -> TurnResult:
        """Store the answer first, whole (it is never lost), then work out the next question.

        ``question`` is the index of the question the person saw: an answer typed in a second
        tab is tied to that question, not to whatever was asked since."""
        person = self.access.interview(stakeholder_id, user, "interview")
        content = text.strip()
        if not content:
            raise ConfigError("Type an answer, or \u201cskip\u201d to pass on the question.")
        limit = self.parts.settings.max_answer_chars
        if len(content) > limit:
            raise ConfigError(
                f"This answer is {len(content):,} characters; the limit is {limit:,} "
                "(ADVISOR_MAX_ANSWER_CHARS). Nothing was saved: split it into shorter answers, "
                "or upload it as a document on the Documents page."
            )
        turns = self.parts.sessions.turns(stakeholder_id)
        open_question = turns[-1] if turns and turns[-1].role == "advisor" else None
        asked = open_question
        if question is not None:
            asked = next(
                (t for t in turns if t.index == question and t.role == "advisor"), open_question
            )
        stored = self.parts.sessions.append_turn(
            Turn(
                stakeholder_id=stakeholder_id,
                index=len(turns),
                role="stakeholder",
                content=content,
                kind="answer",
                probe_id=asked.probe_id if asked else None,
                pattern=asked.pattern if asked else None,
                created=now(),
                answers=asked.index if asked else None,
            )
        )
        # read only once the answer is safe
        kind = self.parts.interviewer.reply_kind(content, asked.content if asked else None)
        language = self.parts.language.foreign(content)
        unread = (
            [
                f"Not read: this answer is in {language}, and the advisor reads English only. "
                "It is saved, and the assessment lists it for a person to read."
            ]
            if language
            else []
        )
        if kind != "answer" and stored.id is not None:
            self.parts.sessions.set_turn_kind(stored.id, kind)
            stored = stored.model_copy(update={"kind": kind})
        if asked is not None and open_question is not None and asked.index != open_question.index:
            # Answered an earlier question (another tab): the open one still waits.
            latest = self.parts.sessions.turns(stakeholder_id)
            notice = (
                "Your answer was saved with the question you saw. Another window had moved "
                "on; the current question is below."
            )
            return self.result(person, latest, stored, open_question, [notice, *unread])
        result = self.ask_next(person, [*turns, stored], stored)
        return result.model_copy(update={"notices": [*unread, *result.notices]})

    def delete_answer(self, stakeholder_id: str, index: int, user: str | None = None) -> None:
        """Remove one of a stakeholder's answers (the pilot's owner only): it no longer counts
        as evidence; the question stays in the transcript."""
        person = self.access.interview(stakeholder_id, user, "write")
        if not self.parts.sessions.delete_turn(stakeholder_id, index):
            raise NotFound(f"No answer at position {index} in {person.name}'s interview.")
        self.parts.sessions.log(
            user, "answer-deleted", f"workspace:{person.workspace_id}", person.name
        )

    def finish(self, stakeholder_id: str, user: str | None = None) -> TurnResult:
        return self.answer(stakeholder_id, "finish", user)

    def ask_next(self, person: Stakeholder, turns: list[Turn], stored: Turn | None) -> TurnResult:
        states, notices = self.slot_states(person, turns)
        question = self.parts.interviewer.next_question(
            turns, person.role_id, states, person.role, self.pilot_brief(person)
        )
        text, phrased = self.parts.engine.phrase(question, person.role, recent_turns(turns))
        asked = self.parts.sessions.append_turn(
            Turn(
                stakeholder_id=person.id,
                index=len(turns),
                role="advisor",
                content=text,
                kind=question.kind,
                probe_id=question.probe_id,
                pattern=question.pattern,
                created=now(),
            )
        )
        if question.kind == "closing":
            self.parts.sessions.set_finished(person.id, True)
        return self.result(person, turns, stored, asked, notices + phrased, states)

    def pilot_brief(self, person: Stakeholder) -> PilotBrief | None:
        """The pilot as the consultant set it up (name, use case), for the questions to name."""
        space = self.parts.sessions.workspace(person.workspace_id)
        if space is None:
            return None
        return read_brief(space.pilot, space.name, self.parts.knowledge.interview.brief)

    def result(
        self,
        person: Stakeholder,
        turns: list[Turn],
        stored: Turn | None,
        asked: Turn,
        notices: list[str],
        states: list[SlotState] | None = None,
    ) -> TurnResult:
        if states is None:
            states, _ = self.slot_states(person, turns)
        slots = self.parts.interviewer.slot_counts(states)
        return TurnResult(
            answer=stored,
            question=asked,
            coverage={p: round(f / t, 2) for p, (f, t) in slots.items()},
            slots={p: [f, t] for p, (f, t) in slots.items()},
            finished=asked.kind == "closing",
            notices=notices,
        )

    def coverage(self, stakeholder_id: str, user: str | None = None) -> dict[str, tuple[int, int]]:
        """Slots filled and slots in all, per pattern, as this stakeholder's interview sees
        them (filled by anyone: this person, the others, the documents)."""
        person = self.access.stakeholder(stakeholder_id, user)
        states, _ = self.slot_states(person, self.parts.sessions.turns(stakeholder_id))
        return self.parts.interviewer.slot_counts(states)

    def slot_states(
        self, person: Stakeholder, turns: Sequence[Turn]
    ) -> tuple[list[SlotState], list[str]]:
        """The interview's slots: what this person, the others and the documents filled."""
        answers, notices = self.sources.answer_detection(person, turns)
        others, more = self.sources.others_detection(person)
        return self.parts.interviewer.slots(turns, answers, others), notices + more


def recent_turns(turns: Sequence[Turn], count: int = 4) -> str:
    lines = []
    for turn in turns[-count:]:
        who = "Advisor" if turn.role == "advisor" else "Stakeholder"
        lines.append(f"{who}: {turn.content}")
    return "\n".join(lines)
