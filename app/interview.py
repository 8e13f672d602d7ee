"""Interview: the turns so far -> the next question, offline and deterministic.

The interviewer walks the probe questions of ``patterns.yaml`` and keeps a coverage figure per
pattern (evidence found in answers and documents, plus probes answered). After each answer it
decides, in this order:

1. "finish" ends the interview; "skip" moves on; "I don't know" is noted as a gap;
2. an answer that has nothing to do with the question is re-asked once, more plainly;
3. one follow-up per probe when the answer contradicts an earlier one, reveals a warning sign,
   or is too vague to score (the probe's own follow-ups, from ``patterns.yaml``);
4. otherwise the least-covered pattern's next probe that suits the stakeholder's role and that
   the uploaded documents have not already answered;
5. it closes when every pattern is covered or the question budget is spent.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from app.assess import totals
from app.embeddings import embed_fixed
from app.knowledge import Catalog, Lexicon, Probe
from app.language import Reader, normalise
from app.reader import Detection, EvidenceReader
from app.schemas import Evidence, Question, Turn, TurnKind

COVERAGE_WEIGHT = 1.5  # evidence weight (summed probabilities) that covers a pattern
ANSWERED_CREDIT = 0.34
SKIPPED_CREDIT = 0.2
MAX_PROBES_PER_PATTERN = 3
DOCUMENT_ANSWER_SIMILARITY = 0.55
OFF_TOPIC_RELEVANCE = 0.3
VAGUE_WORDS = 12


def role_id(role: str, lexicon: Lexicon) -> str | None:
    """The roles.yaml id a free-text job title suits best, or None."""
    text = f" {normalise(role)} "
    best, hits = None, 0.0
    for rid, words in lexicon.role_keywords.items():
        count = sum(1 for w in words if re.search(rf"(?<!\w){re.escape(w.strip())}(?!\w)", text))
        # Seniority words ("head of", "director") say less than the area a person leads.
        score = count * (0.5 if rid == "executive" else 1.0)
        if score > hits:
            best, hits = rid, score
    return best


class Interviewer:
    def __init__(
        self, catalog: Catalog, reader: Reader, detector: EvidenceReader, max_questions: int
    ) -> None:
        self.catalog = catalog
        self.reader = reader
        self.detector = detector
        self.max_questions = max_questions

    def _probe(self, probe_id: str | None) -> Probe | None:
        for pattern in self.catalog.patterns:
            for probe in pattern.probes:
                if probe.id == probe_id:
                    return probe
        return None

    def reply_kind(self, text: str) -> TurnKind:
        command = self.reader.command(text)
        if command is not None:
            return command  # type: ignore[return-value]
        reading = self.reader.read(text)
        if reading.dont_know and len(normalise(text).split()) <= 25 and not reading.concrete:
            return "dont_know"
        return "answer"

    def coverage(
        self, turns: Sequence[Turn], answers: Detection, documents: Detection
    ) -> dict[str, float]:
        out = {}
        for pattern in self.catalog.ids:
            evidence = [e for e in [*answers.evidence, *documents.evidence] if e.pattern == pattern]
            warning, healthy = totals(evidence)
            credit = 0.0
            for question, reply in _pairs(turns):
                if question.pattern == pattern and reply is not None:
                    credit += SKIPPED_CREDIT if reply.kind != "answer" else ANSWERED_CREDIT
            out[pattern] = round(min(1.0, (warning + healthy) / COVERAGE_WEIGHT + credit), 2)
        return out

    def next_question(
        self,
        turns: Sequence[Turn],
        role: str | None,
        answers: Detection,
        documents: Detection,
    ) -> Question:
        if not turns:
            return self._intro(role, turns, answers, documents)
        last = turns[-1]
        if last.role == "advisor":
            return Question(
                text=last.content,
                kind=last.kind if last.kind != "answer" else "probe",
                probe_id=last.probe_id,
                pattern=last.pattern,
                reason="The last question is still open.",
            )
        asked = _last_advisor(turns)
        if last.kind == "finish":
            return self._closing("You asked to finish.")
        lead = ""
        if last.kind == "skip":
            lead = "No problem, let's move on. "
        elif last.kind == "dont_know":
            lead = self._who_would_know(asked)
        elif asked is not None and last.kind == "answer":
            follow = self._follow_up(turns, asked, last, answers)
            if follow is not None:
                return follow
            lead = self._acknowledge(last, answers)
        return self._next_probe(turns, role, answers, documents, lead)

    # steps -------------------------------------------------------------------------------------

    def _intro(
        self, role: str | None, turns: Sequence[Turn], answers: Detection, documents: Detection
    ) -> Question:
        first = self._next_probe(turns, role, answers, documents, "")
        text = (
            "Thanks for making the time. I will ask about the five areas where pilots usually "
            "stall on the way to production: data, infrastructure, integration, governance and "
            "the people side. Answer in your own words; say \u201cskip\u201d to pass on a "
            "question or \u201cfinish\u201d to stop at any time. " + first.text
        )
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

    def _who_would_know(self, asked: Turn | None) -> str:
        probe = self._probe(asked.probe_id if asked else None)
        if probe is None:
            return "That's fine, I'll note it as an open point. "
        names = {r.id: r.name.lower() for r in self.catalog.roles}
        who = " or ".join(names[r] for r in probe.roles[:2] if r in names)
        return f"That's fine: I'll note it as an open point to check with the {who}. "

    def _acknowledge(self, last: Turn, answers: Detection) -> str:
        own = [e for e in answers.evidence if _turn_of(e) == last.index]
        if not own:
            return "Thanks. "
        top = max(own, key=lambda e: e.weight)
        name = self.catalog.pattern(top.pattern).name
        if top.signal.polarity == "warning":
            return f"Noted: that is a risk for {name}. "
        return f"Good, that is a control that lowers the risk for {name}. "

    def _follow_up(
        self, turns: Sequence[Turn], asked: Turn, last: Turn, answers: Detection
    ) -> Question | None:
        probe_id = asked.probe_id
        if probe_id is None or asked.kind in ("follow_up", "redirect"):
            return self._maybe_redirect(asked, last)
        probe = self._probe(probe_id)
        own = [e for e in answers.evidence if _turn_of(e) == last.index]
        redirect = self._maybe_redirect(asked, last) if not own else None
        if redirect is not None:
            return redirect
        contradiction = self._contradiction(own, answers)
        if contradiction is not None:
            earlier, now = contradiction
            return Question(
                text=(
                    f"Earlier you said \u201c{_short(earlier.quote)}\u201d, "
                    f"and now \u201c{_short(now.quote)}\u201d. "
                    "Which of the two describes how it works today?"
                ),
                kind="follow_up",
                probe_id=probe_id,
                pattern=now.pattern,
                reason="The answer contradicts an earlier one.",
            )
        warnings = [e for e in own if e.signal.polarity == "warning"]
        if warnings and probe:
            top = max(warnings, key=lambda e: e.weight)
            follow = self._closest_follow_up(top, probe_id)
            return Question(
                text=f"You said \u201c{_short(top.quote)}\u201d. {follow}",
                kind="follow_up",
                probe_id=probe_id,
                pattern=top.pattern,
                reason=f"The answer shows a warning sign ({top.signal.id}).",
            )
        vague = len(normalise(last.content).split()) < VAGUE_WORDS and not own
        if vague and probe:
            follow = probe.follow_ups[-1] if warnings else probe.follow_ups[0]
            return Question(
                text=f"Could you say a little more? {follow}",
                kind="follow_up",
                probe_id=probe_id,
                pattern=asked.pattern,
                reason="The answer was too vague to score.",
            )
        return None

    def warm(self) -> None:
        """Embed every pattern's follow-ups now rather than at the first warning sign."""
        for pattern in self.catalog.patterns:
            self._follow_ups(pattern.id)

    def _follow_ups(self, pattern: str) -> tuple[list[tuple[Probe, str]], np.ndarray]:
        options = [(p, f) for p in self.catalog.pattern(pattern).probes for f in p.follow_ups]
        texts = [f"{p.question} {f}" for p, f in options]
        return options, embed_fixed(self.detector.embedder, texts)

    def _closest_follow_up(self, warning: Evidence, probe_id: str) -> str:
        """The follow-up, among the warning's pattern's probes, that best digs into it."""
        options, vectors = self._follow_ups(warning.pattern)
        about = f"{warning.quote} {warning.signal.text}"
        sims = vectors @ self.detector.embedder.embed([about])[0]
        bonus = np.array([0.1 if p.id == probe_id else 0.0 for p, _ in options])
        return options[int(np.argmax(sims + bonus))][1]

    def _maybe_redirect(self, asked: Turn, last: Turn) -> Question | None:
        """Re-ask once when the answer is about something else entirely."""
        if asked.kind == "redirect" or asked.probe_id is None:
            return None
        reading = self.reader.read(last.content)
        if (
            reading.cues
            or reading.vague
            or reading.dont_know
            or self.reader.yes_no(last.content) != 0
            or len(normalise(last.content).split()) < 4
        ):
            return None
        if self.detector.relevance(last.content) >= OFF_TOPIC_RELEVANCE:
            return None
        probe = self._probe(asked.probe_id)
        question = probe.question if probe else asked.content
        return Question(
            text=f"Let's keep to the pilot for now. {question}",
            kind="redirect",
            probe_id=asked.probe_id,
            pattern=asked.pattern,
            reason="The answer did not address the question.",
        )

    def _contradiction(
        self, own: list[Evidence], answers: Detection
    ) -> tuple[Evidence, Evidence] | None:
        for now in own:
            vector = answers.vector(now)
            if vector is None:
                continue
            for earlier in answers.evidence:
                if (
                    earlier.pattern == now.pattern
                    and earlier.signal.polarity != now.signal.polarity
                    and _turn_of(earlier) is not None
                    and _turn_of(earlier) != _turn_of(now)
                ):
                    other = answers.vector(earlier)
                    if other is not None and float(vector @ other) >= 0.5:
                        return earlier, now
        return None

    def _next_probe(
        self,
        turns: Sequence[Turn],
        role: str | None,
        answers: Detection,
        documents: Detection,
        lead: str,
    ) -> Question:
        asked_ids = {t.probe_id for t in turns if t.role == "advisor" and t.probe_id}
        questions = sum(1 for t in turns if t.role == "advisor" and t.kind != "closing")
        if questions >= self.max_questions:
            return self._closing("The question budget is spent.")
        coverage = self.coverage(turns, answers, documents)
        per_pattern = {
            p: sum(
                1
                for t in turns
                if t.role == "advisor" and t.kind in ("probe", "intro") and t.pattern == p
            )
            for p in self.catalog.ids
        }
        open_patterns = [
            p
            for p in self.catalog.ids
            if coverage[p] < 1.0 and per_pattern[p] < MAX_PROBES_PER_PATTERN
        ]
        skipped_for_documents: list[str] = []
        for pattern_id in sorted(open_patterns, key=lambda p: (coverage[p], per_pattern[p])):
            pattern = self.catalog.pattern(pattern_id)
            candidates = [p for p in pattern.probes if p.id not in asked_ids]
            candidates.sort(key=lambda p: (role not in p.roles) if role else 0)
            for probe in candidates:
                if self._answered_by_documents(probe, documents):
                    skipped_for_documents.append(probe.id)
                    continue
                note = ""
                if skipped_for_documents:
                    note = "Your documents already answer some questions, so I'll skip those. "
                return Question(
                    text=lead + note + probe.question,
                    kind="probe",
                    probe_id=probe.id,
                    pattern=pattern_id,
                    reason=f"{pattern.name} coverage is {coverage[pattern_id]:.0%}.",
                )
        return self._closing("Every pattern has enough evidence.")

    def _answered_by_documents(self, probe: Probe, documents: Detection) -> bool:
        if not documents.evidence:
            return False
        probe_vector = self.detector.probe_vector(probe.id)
        for item in documents.evidence:
            vector = documents.vector(item)
            if vector is not None and float(np.dot(vector, probe_vector)) >= (
                DOCUMENT_ANSWER_SIMILARITY
            ):
                return True
        return False


def _pairs(turns: Sequence[Turn]) -> list[tuple[Turn, Turn | None]]:
    out: list[tuple[Turn, Turn | None]] = []
    for i, turn in enumerate(turns):
        if turn.role == "advisor" and turn.kind in ("probe", "intro", "follow_up", "redirect"):
            reply = turns[i + 1] if i + 1 < len(turns) and turns[i + 1].role != "advisor" else None
            out.append((turn, reply))
    return out


def _last_advisor(turns: Sequence[Turn]) -> Turn | None:
    return next((t for t in reversed(turns) if t.role == "advisor"), None)


def _turn_of(item: Evidence) -> int | None:
    return item.source.turn if item.source.kind == "turn" else None


def _short(quote: str, limit: int = 140) -> str:
    quote = quote.rstrip(" .!?;:,")
    return quote if len(quote) <= limit else quote[: limit - 1].rsplit(" ", 1)[0] + "\u2026"
