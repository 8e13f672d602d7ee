"""The advice pipeline: ``text units -> Assessment -> Plan``, side-effect free.

Reading goes through the engine (cached), scoring through ``app.advice.assess``, the plan
through ``app.advice.plan``; the engine may enrich rationales and summaries. Nothing here
writes to the session store.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from datetime import date

from app.advice import assess as scoring
from app.advice.figures import without_banned
from app.advice.plan import Context
from app.advice.profile import Passage
from app.advice.profile import infer as infer_profile
from app.advice.rationale import Person
from app.advice.summary import executive_summary
from app.advice.titles import role_id
from app.llm.budget import current_calls, current_prompts
from app.reading.guards import without_instructions
from app.reading.language import Reader
from app.reading.reader import Detection, TextUnit
from app.schemas import (
    Assessment,
    Audit,
    ChunkRef,
    Evidence,
    Finding,
    Plan,
    TurnRef,
)
from app.service.components import Components
from app.service.session_tables import now

log = logging.getLogger(__name__)


class Pipeline:
    """Units -> assessment -> plan. Computes from what it is given and stores nothing: saving
    a draft is the caller's explicit step."""

    def __init__(self, parts: Components) -> None:
        self.parts = parts

    def assess(
        self, units: list[TextUnit], documents: dict[str, str], extra: list[Finding]
    ) -> Assessment:
        detection, notices = self.parts.engine.detect(units)
        conflicts = scoring.contradictions(
            detection.evidence, detection.vector, self.parts.knowledge.catalog
        )
        patterns = scoring.score(
            self.parts.knowledge.catalog,
            detection.evidence,
            self.parts.settings.risk_medium,
            self.parts.settings.risk_high,
            contradicted=[f.pattern for f in conflicts if f.pattern],
        )
        findings = [*extra, *dedupe(detection.findings), *conflicts, *self.unread(units)]
        return Assessment(
            engine=self.parts.engine.name,
            patterns=patterns,
            findings=findings,
            audit=self.audit(documents, notices, detection.prompts),
        )

    def unread(self, units: Sequence[TextUnit]) -> list[Finding]:
        """Answers and documents in a language the reader does not read: saved, and said."""
        out: list[Finding] = []
        files: set[str] = set()
        for unit in units:
            language = self.parts.language.foreign(unit.text)
            if language is None:
                continue
            if isinstance(unit.source, ChunkRef):
                if unit.source.file in files:
                    continue
                files.add(unit.source.file)
            out.append(
                Finding(
                    kind="language",
                    text=f"{unit.source.label()} is in {language}; the advisor reads English "
                    "only, so it gives no evidence. It is saved: read it yourself, or add an "
                    "English version.",
                )
            )
        return out

    def audit(
        self, documents: dict[str, str], notices: list[str], prompts: dict[str, str]
    ) -> Audit:
        """What the result rests on: the engine, the prompts that produced its readings (read
        now or earlier and cached) and those this action used, the documents, the calls."""
        return Audit(
            engine=self.parts.engine.name,
            model=self.parts.engine.model_id,
            prompts={**prompts, **current_prompts()},
            knowledge_version=self.parts.knowledge.version,
            documents=documents,
            created=now(),
            notices=notices,
            llm_calls=current_calls(),
        )

    def read_answer(self, question: str, answer: str) -> list[Evidence]:
        """The evidence the interview reads in one answer to one question."""
        unit = TextUnit(text=answer, source=TurnRef(turn=1), question=question)
        detection, _ = self.parts.engine.detect([unit])
        return detection.evidence

    def read(self, pairs: Sequence[tuple[str, str]]) -> list[list[tuple[str, str, float]]]:
        """``(context, sentence)`` pairs -> the evidence the reader finds in each sentence:
        ``(pattern, "warning" | "healthy", probability)``, strongest first."""
        model = self.parts.detector.model
        return [model.labels(reading) for reading in model.read(pairs)]

    def person(self, name: str, title: str | None, known_role: str | None = None) -> Person:
        title = title or ""
        return Person(
            name=name,
            title=title,
            role_id=known_role or role_id(title, self.parts.knowledge.lexicon),
            home=frozenset(self.parts.interviewer.home_patterns(title)),
        )

    def slots_of(self, assessment: Assessment) -> dict[int, str]:
        """Which slot each item of evidence sits in, as the interviewer places it: by what
        the sentence means with the question it answers ("There's no specific route, no."
        after "can they challenge it?" is about contesting decisions)."""
        evidence = [e for p in assessment.patterns for e in p.evidence]
        if not evidence:
            return {}
        vectors = self.parts.embedder.embed(
            [
                f"{e.context} {e.quote}" if e.source.kind == "turn" and e.context else e.quote
                for e in evidence
            ]
        )
        detection = Detection(
            evidence=evidence, vectors={id(e): v for e, v in zip(evidence, vectors, strict=True)}
        )
        states = self.parts.interviewer.slots([], detection, Detection())
        return {id(e): state.slot.id for state in states for e in state.own}

    def plan(
        self,
        assessment: Assessment,
        pilot: dict[str, object],
        units: Sequence[TextUnit] = (),
        people: Sequence[Person] = (),
    ) -> Plan:
        self.parts.ensure_knowledge()
        profile = infer_profile(
            pilot, readable_passages(units, self.parts.language), self.parts.knowledge.plan
        )
        context = Context(
            profile=profile,
            people=people,
            slot_of=self.slots_of(assessment),
            role_of=lambda title: role_id(title, self.parts.knowledge.lexicon),
            today=date.today(),
        )
        phases, verdict, notices = self.parts.planner.draft(assessment, context)
        pilot_text = json.dumps(pilot, ensure_ascii=False, default=str)
        cited = [c.chunk_id for phase in phases for item in phase.items for c in item.citations]
        found = self.parts.store.get(self.parts.store.name_for(None), cited) if cited else []
        texts = {c.chunk_id: c.text for c in found}
        passages = {
            item.id: {c.chunk_id: texts.get(c.chunk_id, "") for c in item.citations}
            for phase in phases
            for item in phase.items
        }
        rationales, more = self.parts.engine.rationales(pilot_text, phases, passages)
        notices += more
        for phase in phases:
            for item in phase.items:
                if item.id in rationales:
                    item.rationale = rationales[item.id]
        summary, more = self.parts.engine.summary(pilot_text, assessment, phases)
        notices += more
        summary, more = self.clean(summary)
        notices += more
        executive, more = self.clean(
            executive_summary(verdict, profile, assessment, phases, self.parts.knowledge)
        )
        notices += more
        audit = assessment.audit.model_copy(
            update={
                "notices": [*assessment.audit.notices, *notices],
                "prompts": {**assessment.audit.prompts, **current_prompts()},
                "created": now(),
                "llm_calls": current_calls(),
            }
        )
        return Plan(
            pilot=pilot,
            verdict=verdict,
            profile=profile,
            executive_summary=executive,
            assessment=assessment,
            summary=summary,
            phases=phases,
            audit=audit,
        )

    def clean(self, text: str) -> tuple[str, list[str]]:
        """Remove sentences that repeat a do-not-cite figure, and say so."""
        return without_banned(text, self.parts.knowledge.banned)


def readable_passages(units: Sequence[TextUnit], language: Reader) -> list[Passage]:
    """What the profile may be read from: answers, and document paragraphs that are not
    addressed to an AI (nor the payload after such text)."""
    out = []
    for unit in units:
        if isinstance(unit.source, ChunkRef):
            text = without_instructions(unit.text, language)
        else:
            text = unit.text
        if text.strip():
            out.append(Passage(text=text, source=unit.source.label()))
    return out


def dedupe(findings: Sequence[Finding]) -> list[Finding]:
    seen: set[str] = set()
    out = []
    for finding in findings:
        key = f"{finding.kind}:{finding.text}"
        if key not in seen:
            seen.add(key)
            out.append(finding)
    return out
