"""Interview: the turns so far -> the next question, offline and deterministic.

Coverage is counted in slots (``knowledge/patterns.yaml``): the aspects of each pattern a
consultant must hear about, each with probe questions for the roles that can speak to it. A
slot is filled when the reader places evidence there, whoever gave it: this stakeholder,
another one, or a document. Evidence from an answer to one of a slot's probes goes to that slot
when the reader puts it in the slot's pattern; any other evidence goes to the closest slot of
its pattern by meaning.

After each answer the interviewer decides, in this order:

1. "finish" ends the interview; "skip" moves on; "I don't know" is noted as an open point for
   the roles that could answer;
2. "as I said" / "I just told you": a short apology, and on to the next slot; an answer about
   something else entirely: the same slot once more, in other words;
3. at most one follow-up per question asked (and at most a fifth of the budget in all),
   never presupposing the opposite of what was said: an answer at odds with what another
   stakeholder or a document says about the same thing gets a neutral cross-check (naming no
   one); a gap gets a question about owner, plan or impact; a vague or evasive answer gets a
   request for a concrete example;
4. otherwise a short acknowledgement that never goes beyond the reading (neutral when the
   reader is unsure or found nothing), then the most valuable open slot that fits the person's
   role: the pattern least covered so far first, slots in the order a consultant would ask.
   Slots that documents or other stakeholders already filled are skipped, except a verbal
   assurance from one other person, which a second person is asked to confirm;
5. it closes when no slot that fits the role is left to ask, or the budget is spent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Literal

import numpy as np

from app.advice.assess import CONTRADICTION_SIMILARITY
from app.documents.embeddings import embed_fixed
from app.knowledge.catalog import Catalog, InterviewTexts, Lexicon, Pattern, Slot
from app.reading.language import Reader, normalise
from app.reading.reader import Detection, EvidenceReader, asked
from app.schemas import Evidence, Question, Turn, TurnKind

ACK_CONFIDENT = 0.8  # below this the acknowledgement stays neutral
OFF_TOPIC_RELEVANCE = 0.3  # an answer less related than this to any sign is off topic
FOLLOW_UP_SHARE = 0.2  # of the question budget, at most
FollowUp = Literal["gap", "vague", "cross_check"]

# What an acknowledgement claims the answer showed ("that is a gap", "a control in place");
# role names such as "risk, legal and compliance" are not claims.
_WARNING_ACK = re.compile(r"\b(a|the|that) (gap|risk|problem|weakness|concern)\b(?!,? legal)", re.I)
_HEALTHY_ACK = re.compile(r"\b(a|the|that) (control|safeguard|strength)\b|\bin place\b", re.I)
_QUOTED = re.compile(r"\u201c[^\u201d]*\u201d|\"[^\"]*\"")


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


def quotes(text: str) -> list[str]:
    """The passages of ``text`` in quotation marks (curly or straight), without the marks."""
    return [m.group(0)[1:-1] for m in _QUOTED.finditer(text)]


def acknowledgement_side(text: str) -> str | None:
    """What the words before an advisor's question claim the last answer showed: "warning",
    "healthy", or None (neutral, or both). The stakeholder's own words quoted back do not
    count."""
    question = asked(text) or ""
    lead = text[: text.rfind(question)] if question and question in text else text
    lead = _QUOTED.sub(" ", lead)
    warning, healthy = bool(_WARNING_ACK.search(lead)), bool(_HEALTHY_ACK.search(lead))
    if warning == healthy:
        return None
    return "warning" if warning else "healthy"


@dataclass
class SlotState:
    """One slot in this interview: the evidence placed there, and whether this person has
    been asked about it."""

    pattern: Pattern
    slot: Slot
    own: list[Evidence] = field(default_factory=list)
    others: list[Evidence] = field(default_factory=list)
    vectors: dict[int, np.ndarray] = field(default_factory=dict)  # id(evidence) -> its vector
    asked: bool = False

    @property
    def filled(self) -> bool:
        return bool(self.own or self.others)

    @property
    def assurance_only(self) -> bool:
        """Filled only by what other people said was in place: worth a second account."""
        return (
            not self.own
            and bool(self.others)
            and all(e.source.kind == "turn" and e.signal.polarity == "healthy" for e in self.others)
        )


class Interviewer:
    def __init__(
        self,
        catalog: Catalog,
        texts: InterviewTexts,
        reader: Reader,
        detector: EvidenceReader,
        max_questions: int,
    ) -> None:
        self.catalog = catalog
        self.texts = texts
        self.reader = reader
        self.detector = detector
        self.max_questions = max_questions
        self._said = [_words(p) for p in texts.already_said]

    # what the stakeholder said -----------------------------------------------------------------

    def reply_kind(self, text: str) -> TurnKind:
        command = self.reader.command(text)
        if command is not None:
            return command  # type: ignore[return-value]
        reading = self.reader.read(text)
        if reading.dont_know and len(normalise(text).split()) <= 25 and not reading.concrete:
            return "dont_know"
        return "answer"

    def already_said(self, text: str) -> bool:
        clean = f" {_words(text)} "
        return any(f" {phrase} " in clean for phrase in self._said)

    # slots ---------------------------------------------------------------------------------------

    def warm(self) -> None:
        """Embed the slots now rather than at the first answer."""
        self._slot_vectors()

    def _slot_vectors(self) -> tuple[list[tuple[str, int]], np.ndarray]:
        """One row per text describing a slot (its name and scope, and each probe question),
        labelled with (pattern, slot index)."""
        labels: list[tuple[str, int]] = []
        texts: list[str] = []
        for pattern in self.catalog.patterns:
            for number, slot in enumerate(pattern.slots):
                labels.append((pattern.id, number))
                texts.append(f"{slot.name}: {slot.about}")
                for probe_id in slot.probes:
                    labels.append((pattern.id, number))
                    texts.append(pattern.probe(probe_id).question)
        return labels, embed_fixed(self.detector.embedder, texts)

    def slots(
        self, turns: Sequence[Turn], answers: Detection, others: Detection
    ) -> list[SlotState]:
        """Every slot of every pattern, with the evidence placed there and what was asked."""
        states = [SlotState(p, s) for p in self.catalog.patterns for s in p.slots]
        index = {(s.pattern.id, s.slot.id): s for s in states}
        by_number = {
            (p.id, n): index[(p.id, s.id)]
            for p in self.catalog.patterns
            for n, s in enumerate(p.slots)
        }
        probe_of_turn = {
            t.index: t.probe_id for t in turns if t.role == "advisor" and t.probe_id is not None
        }
        for turn in turns:
            if turn.role != "advisor" or turn.kind not in ("intro", "probe", "redirect"):
                continue
            if turn.probe_id is None or turn.pattern is None:
                continue
            slot = self.catalog.pattern(turn.pattern).slot_of(turn.probe_id)
            if slot is not None:
                index[(turn.pattern, slot.id)].asked = True
        labels, matrix = self._slot_vectors()
        state: SlotState | None
        for source, items in (("own", answers), ("others", others)):
            for item in items.evidence:
                vector = items.vector(item)
                if vector is None:
                    vector = self.detector.embedder.embed([item.quote])[0]
                state = None
                if source == "own" and item.source.kind == "turn" and item.source.turn:
                    probe_id = probe_of_turn.get(item.source.turn - 1)
                    slot = self.catalog.pattern(item.pattern).slot_of(probe_id)
                    state = index[(item.pattern, slot.id)] if slot is not None else None
                if state is None:
                    sims = matrix @ vector
                    rows = [n for n, (p, _) in enumerate(labels) if p == item.pattern]
                    best = max(rows, key=lambda n: sims[n])
                    state = by_number[labels[best]]
                (state.own if source == "own" else state.others).append(item)
                state.vectors[id(item)] = vector
        return states

    def slot_counts(self, states: Sequence[SlotState]) -> dict[str, tuple[int, int]]:
        """Per pattern, (slots filled by anyone, slots in all): the coverage meter."""
        return {
            p.id: (
                sum(1 for s in states if s.pattern.id == p.id and s.filled),
                len(p.slots),
            )
            for p in self.catalog.patterns
        }

    # the next question ---------------------------------------------------------------------------

    def next_question(
        self,
        turns: Sequence[Turn],
        role: str | None,
        states: list[SlotState],
        title: str | None = None,
    ) -> Question:
        """``role`` is the roles id of the person, ``title`` their job title as given,
        ``states`` the interview's slots (``slots``)."""
        if not turns:
            return self._intro(role, title, turns, states)
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
            return self._closing("You asked to finish.")
        lead = ""
        if last.kind == "skip":
            lead = "No problem, let's move on. "
        elif last.kind == "dont_know":
            lead = self._who_would_know(question, role)
        elif self.already_said(last.content):
            lead = self._pick(self.texts.apology, turns) + " "
        elif question is not None and last.kind == "answer":
            follow = self._redirect(turns, role, question, last, states)
            follow = follow or self._follow_up(turns, question, last, states)
            if follow is not None:
                return follow
            lead = self._acknowledge(last, states, turns)
        return self._next_probe(turns, role, title, states, lead)

    # steps ---------------------------------------------------------------------------------------

    def _intro(
        self, role: str | None, title: str | None, turns: Sequence[Turn], states: list[SlotState]
    ) -> Question:
        first = self._next_probe(turns, role, title, states, "")
        text = (
            "Thanks for making the time. I will ask about the five areas where pilots usually "
            "stall on the way to production: data, infrastructure, integration, governance and "
            "the people side. Answer in your own words; say \u201cskip\u201d to pass on a "
            "question or \u201cfinish\u201d to stop at any time. " + first.text
        )
        if first.kind == "closing":
            return first
        return first.model_copy(update={"text": text, "kind": "intro"})

    def _closing(self, reason: str) -> Question:
        return Question(
            text=(
                "Thank you, that is everything I need from you for now. Your answers are saved; "
                "the assessment and the production plan will include them."
            ),
            kind="closing",
            reason=reason,
        )

    def _who_would_know(self, question: Turn | None, role: str | None) -> str:
        if question is None or question.pattern is None or question.probe_id is None:
            return "That's fine, I'll note it as an open point. "
        pattern = self.catalog.pattern(question.pattern)
        slot = pattern.slot_of(question.probe_id)
        names = {r.id: _lower_first(r.name) for r in self.catalog.roles}
        roles = [
            r
            for r in self.catalog.role_ids()
            if slot and r in pattern.slot_roles(slot) and r != role
        ]
        if not roles:
            return "That's fine, I'll note it as an open point. "
        who = " or ".join(names[r] for r in roles[:2])
        return f"That's fine: I'll note it as an open point to check with the {who}. "

    def _acknowledge(self, last: Turn, states: list[SlotState], turns: Sequence[Turn]) -> str:
        own = _own(states, last.index)
        sides = {e.signal.polarity for e in own}
        if len(sides) != 1:
            return self._pick(self.texts.acknowledge["neutral"], turns) + " "
        top = max(own, key=lambda e: e.probability or e.weight)
        if (top.probability or top.weight) < ACK_CONFIDENT:
            return self._pick(self.texts.acknowledge["neutral"], turns) + " "
        side: Literal["warning", "healthy"] = (
            "warning" if top.signal.polarity == "warning" else "healthy"
        )
        name = self.catalog.pattern(top.pattern).name
        return self._pick(self.texts.acknowledge[side], turns).format(pattern=name) + " "

    def _follow_up(
        self, turns: Sequence[Turn], question: Turn, last: Turn, states: list[SlotState]
    ) -> Question | None:
        if question.kind not in ("intro", "probe") or question.pattern is None:
            return None
        follow_ups = sum(
            1 for t in turns if t.role == "advisor" and t.kind in ("follow_up", "redirect")
        )
        if follow_ups >= max(1, int(self.max_questions * FOLLOW_UP_SHARE)):
            return None
        if self._remaining(turns) <= 1:
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

        own = _own(states, last.index)
        at_odds = self._at_odds(own, states)
        found = None
        if at_odds is not None:
            found = follow(
                "cross_check",
                at_odds.pattern,
                "The answer differs from another account of the same thing.",
            )
        # "I don't know this" may read as a gap, but quoting it back to ask who owns the fix
        # would be absurd: only a gap the person described is followed up.
        gaps = [
            e
            for e in own
            if e.signal.polarity == "warning" and not self.reader.read(e.quote).dont_know
        ]
        if found is None and gaps and all(e.signal.polarity == "warning" for e in own):
            top = max(gaps, key=lambda e: e.probability or e.weight)
            found = follow(
                "gap",
                top.pattern,
                "The answer shows a gap: who owns it, what it costs, what the plan is.",
                quote=_short(top.quote),
            )
        if found is None and not own:  # something said, nothing the reader can place
            found = follow(
                "vague", question.pattern, "The answer was too general to read as evidence."
            )
        return found

    def _redirect(
        self,
        turns: Sequence[Turn],
        role: str | None,
        question: Turn,
        last: Turn,
        states: list[SlotState],
    ) -> Question | None:
        """An answer about something else entirely gets the same slot asked once more, in
        other words (never the same question twice)."""
        if question.kind not in ("intro", "probe") or question.pattern is None:
            return None
        reading = self.reader.read(last.content)
        if (
            _own(states, last.index)
            or reading.cues
            or reading.vague
            or reading.dont_know
            or self.reader.yes_no(last.content) != 0
            or len(normalise(last.content).split()) < 4
            or self.detector.relevance(last.content) >= OFF_TOPIC_RELEVANCE
        ):
            return None
        pattern = self.catalog.pattern(question.pattern)
        slot = pattern.slot_of(question.probe_id)
        asked_probes = {t.probe_id for t in turns if t.role == "advisor" and t.probe_id}
        others = [p for p in (slot.probes if slot else []) if p not in asked_probes]
        if not others or slot is None:
            return None
        probe_id = self._probe_id_for(pattern, slot, role, asked_probes)
        return Question(
            text=f"Let's keep to the pilot for now. {pattern.probe(probe_id).question}",
            kind="redirect",
            probe_id=probe_id,
            pattern=pattern.id,
            reason="The answer did not address the question.",
        )

    def _at_odds(self, own: list[Evidence], states: list[SlotState]) -> Evidence | None:
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

    def _remaining(self, turns: Sequence[Turn]) -> int:
        questions = sum(1 for t in turns if t.role == "advisor" and t.kind != "closing")
        return self.max_questions - questions

    def _next_probe(
        self,
        turns: Sequence[Turn],
        role: str | None,
        title: str | None,
        states: list[SlotState],
        lead: str,
    ) -> Question:
        if self._remaining(turns) <= 0:
            return self._closing("The question budget is spent.")
        asked_probes = {t.probe_id for t in turns if t.role == "advisor" and t.probe_id}
        fits = [
            s
            for s in states
            if not s.asked
            and (role is None or role in s.pattern.slot_roles(s.slot))
            and (not s.filled or s.assurance_only)
        ]
        if not fits:
            return self._closing("Every slot this role can speak to has been covered.")
        filled = {
            p.id: sum(1 for s in states if s.pattern.id == p.id and s.filled) / len(p.slots)
            for p in self.catalog.patterns
        }
        mine = {
            p.id: sum(1 for s in states if s.pattern.id == p.id and s.asked)
            for p in self.catalog.patterns
        }
        order = {(s.pattern.id, s.slot.id): n for n, s in enumerate(states)}
        # A pattern this person has said "not my area" to moves back a step for them.
        declined = {
            question.pattern
            for question, reply in pairwise(turns)
            if question.role == "advisor" and reply.kind == "dont_know"
        }
        home = self.home_patterns(title)
        best = min(
            fits,
            key=lambda s: (
                # what this role knows first-hand, first; the area in the job title before
                # the rest; a step back for an area the person said was not theirs
                self._affinity(s, role) - (s.pattern.id in home) + (s.pattern.id in declined),
                s.filled,  # open slots before second accounts of others' assurances
                filled[s.pattern.id] + mine[s.pattern.id] / len(s.pattern.slots),
                order[(s.pattern.id, s.slot.id)],
            ),
        )
        probe_id = self._probe_id_for(best.pattern, best.slot, role, asked_probes)
        note = ""
        skipped = [
            s
            for s in states
            if any(e.source.kind == "document" for e in s.others)
            and (role is None or role in s.pattern.slot_roles(s.slot))
        ]
        said = "Your documents already answer some questions"
        if skipped and not any(said in t.content for t in turns if t.role == "advisor"):
            note = f"{said}, so I'll skip those. "
        reason = (
            f"{best.pattern.name}: {best.slot.name} is open"
            if not best.filled
            else f"{best.pattern.name}: {best.slot.name} rests on one person's word"
        )
        return Question(
            text=lead + note + best.pattern.probe(probe_id).question,
            kind="probe",
            probe_id=probe_id,
            pattern=best.pattern.id,
            reason=reason + ".",
        )

    def home_patterns(self, title: str | None) -> set[str]:
        """Patterns whose ``title_words`` appear in the person's job title ("IT integration
        lead" -> integration); the most specific words win ("data protection officer" is
        governance, not data quality)."""
        if not title:
            return set()
        scores = title_scores(title, {p.id: p.title_words for p in self.catalog.patterns})
        top = max(scores.values())
        return {p for p, score in scores.items() if score and score == top}

    def _affinity(self, state: SlotState, role: str | None) -> int:
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

    def _probe_id_for(
        self, pattern: Pattern, slot: Slot, role: str | None, asked_probes: set[str]
    ) -> str:
        """The slot's probe written most directly for this role (its roles are listed in
        order of who knows first-hand), not asked of this person before."""
        candidates = [p for p in slot.probes if p not in asked_probes] or slot.probes

        def rank(probe_id: str) -> int:
            roles = pattern.probe(probe_id).roles
            return roles.index(role) if role in roles else len(self.catalog.roles)

        return min(candidates, key=lambda p: (rank(p), candidates.index(p)))

    def _pick(self, options: list[str], turns: Sequence[Turn]) -> str:
        """Rotate through phrasings so the interviewer does not sound like a form."""
        return options[sum(1 for t in turns if t.role == "advisor") % len(options)]


def _words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9']+", normalise(text).replace("\u2019", "'")))


def _own(states: list[SlotState], turn: int) -> list[Evidence]:
    return [e for s in states for e in s.own if e.source.kind == "turn" and e.source.turn == turn]


def _last_advisor(turns: Sequence[Turn]) -> Turn | None:
    return next((t for t in reversed(turns) if t.role == "advisor"), None)


def _lower_first(name: str) -> str:
    """ "Executive sponsor" -> "executive sponsor"; "IT / operations" stays."""
    if len(name) > 1 and name[1].islower():
        return name[0].lower() + name[1:]
    return name


def _short(quote: str, limit: int = 120) -> str:
    quote = quote.rstrip(" .!?;:,")
    return quote if len(quote) <= limit else quote[: limit - 1].rsplit(" ", 1)[0] + "\u2026"
