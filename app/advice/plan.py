"""Plan: ``Assessment`` + pilot profile -> a go-live verdict and a phased, cited plan.

Only blocks whose ``Applies when`` conditions hold for the pilot's profile are considered (a
condition on a field nobody has settled does not hold; the plan says which facts would add
advice). A block whose ``Triggered by`` slot holds a gap of this pilot ranks above one that
only resembles the evidence (``TRIGGER_BONUS``).

The verdict: a blocker of ``knowledge/plan.yaml`` whose slot holds a gap, or a pattern at high
risk, stops go-live (``not_ready``); a pattern at medium risk, a pattern nobody spoke about, a
contradiction, or a legal blocker whose slot nobody spoke about is a condition
(``conditional``); otherwise ``ready``. Every blocker and condition names its evidence and the
item that closes it, and that item is always planned, in the first phase.

For each pattern at medium or high risk, the Recommendation blocks of the playbooks are ranked
by how closely they answer that pattern's warning evidence (a pattern with no warning evidence
gets its foundational blocks: no prerequisites, small effort). High risk earns
``ITEMS_HIGH`` items, medium ``ITEMS_MEDIUM``; every prerequisite an item names is added too.

Prerequisites a chosen block names are added (at most ``MAX_PREREQUISITES`` per pattern; a
block whose prerequisites are already planned is preferred). Phases: high risk with small or
medium effort starts in the first 30 days, large efforts and medium risks in days 30-90, and
each planned prerequisite below a block pushes it one phase later, so foundations come first.
A prerequisite never lands after the block that needs it, and within a phase the riskiest
pattern comes first.

Every item cites the block's own chunk with its Action sentence, and the section above it
with the sentence closest to the evidence; each quote is checked verbatim against its chunk
before the item is kept. An item that cannot be cited is dropped, never shown uncited.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from app.advice.citations import cite, quotable_sentences
from app.advice.profile import describe, holds, parse_date, unknown
from app.documents.embeddings import Embedder, Vectors, embed_fixed
from app.knowledge.catalog import Knowledge, Recommendation
from app.schemas import (
    Answer,
    Assessment,
    Blocker,
    Chunk,
    Citation,
    Evidence,
    Phase,
    PilotProfile,
    Plan,
    PlanItem,
    TurnRef,
    Verdict,
)

if TYPE_CHECKING:  # chromadb loads only when a store is opened
    from app.documents.store import VectorStore

log = logging.getLogger(__name__)

PHASES = ("First 30 days", "Days 30-90", "Days 90-180")
PHASE_DAYS = ((0, 30), (30, 90), (90, 180))
# Ranking bonus of a block whose declared slot holds a gap: a declared fit beats a block that
# merely reads like the evidence. A design choice, not fitted to any eval.
TRIGGER_BONUS = 0.15
OPERATE_ITEMS = 3
QUOTES_PER_ITEM = 2


@dataclass(frozen=True)
class Person:
    """A stakeholder who was interviewed: who may own an item."""

    name: str
    title: str
    role_id: str | None
    home: frozenset[str] = frozenset()


@dataclass
class Context:
    """What the planner knows about this pilot beyond its assessment."""

    profile: PilotProfile = field(default_factory=PilotProfile)
    people: Sequence[Person] = ()
    slot_of: dict[int, str] = field(default_factory=dict)  # id(evidence) -> slot id
    role_of: Callable[[str], str | None] = lambda _: None
    today: date = field(default_factory=date.today)


ITEMS_HIGH = 3
ITEMS_MEDIUM = 2
EVIDENCE_PER_ITEM = 3
PREREQUISITE_PENALTY = 0.04
MAX_PREREQUISITES = 2


class Planner:
    def __init__(self, knowledge: Knowledge, embedder: Embedder, store: VectorStore) -> None:
        self.knowledge = knowledge
        self.embedder = embedder
        self.store = store

    @cached_property
    def _rec_vectors(self) -> Vectors:
        texts = [f"{r.title}. {r.action}" for r in self.knowledge.recommendations]
        return embed_fixed(self.embedder, texts)

    def warm(self) -> None:
        _ = self._rec_vectors

    def draft(
        self, assessment: Assessment, context: Context | None = None
    ) -> tuple[list[Phase], Verdict, list[str]]:
        """Phases of cited items, the go-live verdict, and notices about anything left out."""
        context = context or Context()
        profile = context.profile
        eligible = {
            r.id
            for r in self.knowledge.recommendations
            if all(holds(c, profile) for c in r.applies_when)
        }
        gaps_in: dict[str, list[Evidence]] = {}
        controls_in: dict[str, list[Evidence]] = {}
        heard: set[str] = set()
        for pattern in assessment.patterns:
            for e in pattern.evidence:
                slot = context.slot_of.get(id(e))
                if slot is None:
                    continue
                heard.add(slot)
                side = gaps_in if e.signal.polarity == "warning" else controls_in
                side.setdefault(slot, []).append(e)
        verdict = self._verdict(assessment, profile, gaps_in, controls_in, heard, eligible)
        forced = {i for b in [*verdict.blockers, *verdict.conditions] for i in b.items}
        chosen: dict[str, tuple[Recommendation, list[Evidence], int]] = {}
        warnings_of = {
            p.id: [e for e in p.evidence if e.signal.polarity == "warning"]
            for p in assessment.patterns
        }
        for rule in [*verdict.blockers, *verdict.conditions]:
            for rec_id in rule.items:
                rec = self.knowledge.recommendation(rec_id)
                evidence = rule.evidence or self._evidence_for(rec, warnings_of[rec.pattern])
                chosen[rec_id] = (rec, evidence[:EVIDENCE_PER_ITEM], 0)
        for pattern in sorted(assessment.patterns, key=lambda p: -(p.risk or 0)):
            if not pattern.at_risk:
                continue
            count = ITEMS_HIGH if pattern.level == "high" else ITEMS_MEDIUM
            picks = self._select(
                pattern.id, warnings_of[pattern.id], count, chosen, eligible, context, "build"
            )
            for rec, evidence in picks:
                chosen[rec.id] = (rec, evidence, _base_phase(pattern.level, rec.effort))
        picked = set(chosen)
        self._add_prerequisites(chosen, warnings_of, eligible)
        depths = _depths(chosen)
        # A block chosen for its own evidence waits at most one phase for its prerequisites.
        depths = {r: min(d, 1) if r in picked else d for r, d in depths.items()}
        phase_of = self._settle_phases(chosen, depths)
        for rec_id in forced:
            phase_of[rec_id] = 0
            for dep in self._prerequisites(rec_id) & set(chosen):
                phase_of[dep] = 0
        operate = self._operate(assessment, warnings_of, chosen, eligible, context)
        for rec, evidence in operate:
            chosen[rec.id] = (rec, evidence, 2)
            phase_of[rec.id] = 2
        risk = {p.id: p.risk or 0 for p in assessment.patterns}
        notices: list[str] = []
        items: list[tuple[int, PlanItem]] = []
        bases: dict[str, Sequence[Evidence]] = {}
        pattern_evidence = {p.id: p.evidence for p in assessment.patterns}
        for rec_id in _dependency_order(chosen, phase_of, risk):
            rec, evidence, _ = chosen[rec_id]
            citations = self._citations(rec, evidence)
            if not citations:
                notices.append(
                    f"\u201c{rec.title}\u201d was left out: its passage could not be cited "
                    "verbatim. Re-index the knowledge base (advisor index-knowledge)."
                )
                continue
            item = _item(rec, evidence, citations, chosen)
            basis = evidence or warnings_of[rec.pattern] or pattern_evidence[rec.pattern]
            bases[rec_id] = basis
            item.applies_when = [_condition_text(c, self.knowledge) for c in rec.applies_when]
            person = self._owner(rec, basis, context)
            if person is not None:
                item.owner_stakeholder = person.name
                item.owner = (
                    f"{person.name}, {person.title}"
                    if person.title and person.title not in person.name
                    else person.name
                )
            item.due = (context.today + timedelta(days=PHASE_DAYS[phase_of[rec_id]][1])).isoformat()
            items.append((phase_of[rec_id], item))
        kept = {item.id for _, item in items}
        # A pattern-wide blocker or condition is closed by that pattern's build items.
        own_items: dict[str, list[str]] = {}
        for _, item in items:
            if chosen[item.id][0].stage == "build":
                own_items.setdefault(item.pattern, []).append(item.id)
        at_risk = {f"{p.id}-{level}" for p in assessment.patterns for level in ("high", "medium")}
        for rule in [*verdict.blockers, *verdict.conditions]:
            rule.items = [i for i in rule.items if i in kept]
            if not rule.items and rule.pattern is not None and rule.id in at_risk:
                rule.items = own_items.get(rule.pattern, [])
        for _, item in items:
            rec = chosen[item.id][0]
            # A prerequisite with no evidence of its own is there for what needs it.
            needs = [r for r, _, _ in chosen.values() if rec.id in self._prerequisites(r.id)]
            fields = {c.partition("=")[0] for r in [rec, *needs] for c in r.applies_when}
            basis = list(bases[item.id]) or [e for r in needs for e in bases.get(r.id, [])]
            item.why_here = self._why_here(rec, basis, profile, verdict, fields)
        phases = []
        for number, name in enumerate(PHASES):
            own = [i for p, i in items if p == number]
            for item in own:
                item.depends_on = [d for d in item.depends_on if d in kept]
            first, last = PHASE_DAYS[number]
            phases.append(
                Phase(
                    name=name,
                    items=own,
                    note=None if own else _empty_note(number, verdict),
                    starts=(context.today + timedelta(days=first)).isoformat(),
                    ends=(context.today + timedelta(days=last)).isoformat(),
                )
            )
        verdict.timing = self._late(verdict, phases, profile)
        if verdict.timing:
            notices.append(verdict.timing)
        missing = sorted(
            {
                f
                for r in self.knowledge.recommendations
                if r.id not in eligible
                for f in unknown(r.applies_when, profile)
            }
        )
        if missing:
            asks = [self.knowledge.plan.profile.questions[f] for f in missing]
            notices.append(
                "Some advice depends on facts not yet known about this pilot. Answer these "
                "in the pilot profile to include it: " + " ".join(asks)
            )
        return phases, verdict, notices

    # the verdict -------------------------------------------------------------------------------

    def _verdict(
        self,
        assessment: Assessment,
        profile: PilotProfile,
        gaps_in: dict[str, list[Evidence]],
        controls_in: dict[str, list[Evidence]],
        heard: set[str],
        eligible: set[str],
    ) -> Verdict:
        blockers: list[Blocker] = []
        conditions: list[Blocker] = []
        ruled: set[str] = set()
        for rule in self.knowledge.plan.blockers:
            if not all(holds(c, profile) for c in rule.when):
                continue
            items = [rule.item] if rule.item in eligible else []
            pattern = self._pattern_of_slot(rule.slot)
            if rule.slot in gaps_in and rule.slot in controls_in:
                # A gap and a control in the same place: worth settling, not a stop.
                evidence = _strongest(gaps_in[rule.slot])
                conditions.append(
                    Blocker(
                        id=rule.id,
                        pattern=pattern,
                        text=f"{rule.unheard} Accounts differ: one names a control, another a gap.",
                        evidence=[*evidence[:1], *_strongest(controls_in[rule.slot])[:1]],
                        items=items,
                    )
                )
            elif rule.slot in gaps_in:
                evidence = _strongest(gaps_in[rule.slot])
                blockers.append(
                    Blocker(
                        id=rule.id, pattern=pattern, text=rule.gap, evidence=evidence, items=items
                    )
                )
                ruled.add(pattern)
            elif rule.when and rule.slot not in heard:
                conditions.append(
                    Blocker(id=rule.id, pattern=pattern, text=rule.unheard, items=items)
                )
        contested = {
            f.pattern for f in assessment.findings if f.kind == "contradiction" and f.pattern
        }
        for p in assessment.patterns:
            warnings = _strongest([e for e in p.evidence if e.signal.polarity == "warning"])
            if p.level == "high" and p.id not in ruled:
                blockers.append(
                    Blocker(
                        id=f"{p.id}-high",
                        pattern=p.id,
                        text=f"{p.name} is at high risk ({p.risk_text}): its gaps are current "
                        "and unresolved.",
                        evidence=warnings,
                    )
                )
            elif p.level == "medium" and p.id not in ruled:
                conditions.append(
                    Blocker(
                        id=f"{p.id}-medium",
                        pattern=p.id,
                        text=f"{p.name} has gaps to close before go-live ({p.risk_text}).",
                        evidence=warnings,
                    )
                )
            elif p.risk is None:
                conditions.append(
                    Blocker(
                        id=f"{p.id}-unheard",
                        pattern=p.id,
                        text=f"Nobody has described {p.name} yet: ask the people who know it "
                        "before go-live.",
                    )
                )
            elif p.id in contested and not p.at_risk:
                conditions.append(
                    Blocker(
                        id=f"{p.id}-contested",
                        pattern=p.id,
                        text=f"Accounts of {p.name} disagree: settle which is right.",
                        evidence=next(
                            f.evidence
                            for f in assessment.findings
                            if f.kind == "contradiction" and f.pattern == p.id
                        ),
                    )
                )
        if blockers:
            status, headline = (
                "not_ready",
                (
                    f"Not ready to go live: {_count(len(blockers), 'gap')} "
                    f"{'blocks' if len(blockers) == 1 else 'block'} it."
                ),
            )
        elif conditions:
            status, headline = (
                "conditional",
                (
                    f"Ready with conditions: {_count(len(conditions), 'condition')} to meet "
                    "before go-live."
                ),
            )
        else:
            status, headline = (
                "ready",
                ("Ready to go live: every area was discussed, and no gap stands in the way."),
            )
        return Verdict(status=status, headline=headline, blockers=blockers, conditions=conditions)

    def _pattern_of_slot(self, slot_id: str) -> str:
        return next(
            p.id for p in self.knowledge.catalog.patterns if any(s.id == slot_id for s in p.slots)
        )

    def _late(self, verdict: Verdict, phases: Sequence[Phase], profile: PilotProfile) -> str | None:
        """Whether the work go-live waits for fits before the target go-live date."""
        if not profile.go_live:
            return None
        due = {i.id: i.due for ph in phases for i in ph.items if i.due}
        needed = [
            due[i] for b in [*verdict.blockers, *verdict.conditions] for i in b.items if i in due
        ]
        if not needed:
            return None
        last = max(needed)
        if last <= profile.go_live:
            return (
                f"The work go-live waits for is due by {last}, before the target go-live date "
                f"of {profile.go_live}."
            )
        return (
            f"The work go-live waits for is due by {last}, after the target go-live date "
            f"of {profile.go_live}: move the date, or bring that work forward."
        )

    # why here, and who -------------------------------------------------------------------------

    def _why_here(
        self,
        rec: Recommendation,
        basis: Sequence[Evidence],
        profile: PilotProfile,
        verdict: Verdict,
        fields: set[str],
    ) -> str:
        parts = []
        for e in _strongest(list(basis))[:QUOTES_PER_ITEM]:
            parts.append(f"{_who(e)}: \u201c{e.quote}\u201d")
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
            phrases = [_condition_text(c, self.knowledge) for c in rec.applies_when]
            text += f" It applies because this pilot {_join(phrases)}."
        if any(rec.id in b.items for b in verdict.blockers):
            text += " Go-live waits for it."
        elif any(rec.id in b.items for b in verdict.conditions):
            text += " It is a condition of go-live."
        return text

    def _owner(
        self, rec: Recommendation, basis: Sequence[Evidence], context: Context
    ) -> Person | None:
        if not context.people:
            return None
        wanted = context.role_of(rec.owner)
        fits = [p for p in context.people if wanted is not None and p.role_id == wanted]
        home = [p for p in fits if rec.pattern in p.home]
        if home or fits:
            return (home or fits)[0]
        speakers = [_speaker(e) for e in _strongest(list(basis))]
        for name in speakers:
            person = next((p for p in context.people if p.name == name), None)
            if person is not None and rec.pattern in person.home:
                return person
        return None

    # choosing ----------------------------------------------------------------------------------

    def _select(
        self,
        pattern: str,
        warnings: Sequence[Evidence],
        count: int,
        chosen: dict[str, tuple[Recommendation, list[Evidence], int]],
        eligible: set[str],
        context: Context,
        stage: str,
    ) -> list[tuple[Recommendation, list[Evidence]]]:
        recs = [
            (i, r)
            for i, r in enumerate(self.knowledge.recommendations)
            if r.pattern == pattern and r.id in eligible and r.id not in chosen and r.stage == stage
        ]
        if not recs:
            return []
        rec_matrix = self._rec_vectors[[i for i, _ in recs]]
        if warnings:
            quotes = self.embedder.embed([e.quote for e in warnings])
            weights = np.array([e.weight for e in warnings], dtype=np.float32)
            sims = rec_matrix @ quotes.T  # recs x evidence
            scores = (sims * (0.5 + weights / weights.max() / 2)).max(axis=1)
        else:
            scores = np.array(
                [1.0 if not r.depends_on else 0.5 for _, r in recs], dtype=np.float32
            ) + np.array([{"S": 0.2, "M": 0.1, "L": 0.0}[r.effort] for _, r in recs])
            sims = np.zeros((len(recs), 0), dtype=np.float32)
        # Prefer blocks whose prerequisites are already planned: a long chain of new
        # prerequisites crowds the first phase.
        missing = np.array(
            [len(self._prerequisites(r.id) - set(chosen)) for _, r in recs], dtype=np.float32
        )
        scores = scores - PREREQUISITE_PENALTY * missing
        gap_slots = {context.slot_of.get(id(e)) for e in warnings}
        scores = scores + TRIGGER_BONUS * np.array(
            [bool(gap_slots & set(r.triggered_by)) for _, r in recs], dtype=np.float32
        )
        order = np.argsort(-scores, kind="stable")[:count]
        out = []
        for row in order:
            _, rec = recs[int(row)]
            if warnings:
                ranked = np.argsort(-sims[int(row)], kind="stable")[:EVIDENCE_PER_ITEM]
                evidence = [warnings[int(j)] for j in ranked]
            else:
                evidence = []
            out.append((rec, evidence))
        return out

    def _prerequisites(self, rec_id: str) -> set[str]:
        """Every block ``rec_id`` needs, directly or through other blocks."""
        out: set[str] = set()
        queue = list(self.knowledge.recommendation(rec_id).depends_on)
        while queue:
            dep = queue.pop()
            if dep not in out:
                out.add(dep)
                queue += self.knowledge.recommendation(dep).depends_on
        return out

    def _add_prerequisites(
        self,
        chosen: dict[str, tuple[Recommendation, list[Evidence], int]],
        warnings_of: dict[str, list[Evidence]],
        eligible: set[str],
    ) -> None:
        queue = list(chosen)
        added: dict[str, int] = {}
        while queue:
            rec_id = queue.pop(0)
            rec, _, phase = chosen[rec_id]
            for dep in rec.depends_on:
                pattern = self.knowledge.recommendation(dep).pattern
                if (
                    dep not in chosen
                    and dep in eligible
                    and added.get(pattern, 0) < MAX_PREREQUISITES
                ):
                    added[pattern] = added.get(pattern, 0) + 1
                    needed = self.knowledge.recommendation(dep)
                    evidence = self._evidence_for(needed, warnings_of.get(needed.pattern, []))
                    chosen[dep] = (needed, evidence, phase)
                    queue.append(dep)

    def _operate(
        self,
        assessment: Assessment,
        warnings_of: dict[str, list[Evidence]],
        chosen: dict[str, tuple[Recommendation, list[Evidence], int]],
        eligible: set[str],
        context: Context,
    ) -> list[tuple[Recommendation, list[Evidence]]]:
        """Running and scaling work for days 90-180: one block per pattern at risk, riskiest
        first, at most ``OPERATE_ITEMS``."""
        out: list[tuple[Recommendation, list[Evidence]]] = []
        for pattern in sorted(assessment.patterns, key=lambda p: -(p.risk or 0)):
            if not pattern.at_risk or len(out) >= OPERATE_ITEMS:
                continue
            out += self._select(
                pattern.id, warnings_of[pattern.id], 1, chosen, eligible, context, "operate"
            )
        return out

    def _evidence_for(self, rec: Recommendation, warnings: Sequence[Evidence]) -> list[Evidence]:
        if not warnings:
            return []
        index = self.knowledge.recommendations.index(rec)
        quotes = self.embedder.embed([e.quote for e in warnings])
        sims = quotes @ self._rec_vectors[index]
        return [warnings[int(j)] for j in np.argsort(-sims, kind="stable")[:EVIDENCE_PER_ITEM]]

    @staticmethod
    def _settle_phases(
        chosen: dict[str, tuple[Recommendation, list[Evidence], int]],
        depths: dict[str, int],
    ) -> dict[str, int]:
        phase = {rec_id: min(2, value[2] + depths[rec_id]) for rec_id, value in chosen.items()}
        changed = True
        while changed:
            changed = False
            for rec_id, (rec, _, _) in chosen.items():
                for dep in rec.depends_on:
                    if dep in phase and phase[dep] > phase[rec_id]:
                        phase[dep] = phase[rec_id]
                        changed = True
        return phase

    # citing ------------------------------------------------------------------------------------

    def _citations(self, rec: Recommendation, evidence: Sequence[Evidence]) -> list[Citation]:
        collection = self.store.name_for(None)
        out: list[Citation] = []
        own = self.store.section(collection, rec.file, rec.section)
        action = rec.action.split(". ")[0].rstrip(".")
        for chunk in own:
            citation = cite(chunk, action) or cite(chunk, rec.action)
            if citation is not None:
                out.append(citation)
                break
        if rec.parent:
            context = self.store.section(collection, rec.file, rec.parent)
            citation = self._closest_sentence(context, evidence, rec)
            if citation is not None:
                out.append(citation)
        return out

    def _closest_sentence(
        self, chunks: Sequence[Chunk], evidence: Sequence[Evidence], rec: Recommendation
    ) -> Citation | None:
        candidates = [(chunk, s) for chunk in chunks for s in quotable_sentences(chunk)]
        if not candidates:
            return None
        if evidence:
            target = self.embedder.embed([e.quote for e in evidence]).mean(axis=0)
        else:
            target = self._rec_vectors[self.knowledge.recommendations.index(rec)]
        sentences = self.embedder.embed([s for _, s in candidates])  # playbook text, cached
        best = int(np.argmax(sentences @ target))
        chunk, sentence = candidates[best]
        return cite(chunk, sentence)


def _depths(chosen: dict[str, tuple[Recommendation, list[Evidence], int]]) -> dict[str, int]:
    """How many planned prerequisites stand below each block, on the longest chain."""
    memo: dict[str, int] = {}

    def depth(rec_id: str, trail: frozenset[str]) -> int:
        if rec_id not in memo:
            deps = [d for d in chosen[rec_id][0].depends_on if d in chosen and d not in trail]
            memo[rec_id] = 1 + max((depth(d, trail | {rec_id}) for d in deps), default=-1)
        return memo[rec_id]

    return {rec_id: depth(rec_id, frozenset()) for rec_id in chosen}


def _strongest(evidence: Sequence[Evidence]) -> list[Evidence]:
    """Strongest first, each quote once."""
    seen: set[str] = set()
    out = []
    for e in sorted(evidence, key=lambda e: -e.probability * max(e.weight, 1e-6)):
        if e.quote not in seen:
            seen.add(e.quote)
            out.append(e)
    return out


def _speaker(e: Evidence) -> str | None:
    return e.source.speaker if isinstance(e.source, TurnRef) else None


def _who(e: Evidence) -> str:
    """ "Brigitte Hoffmann (Head of AP) said", "audit.pdf, p. 2 says"."""
    if isinstance(e.source, TurnRef):
        who = e.source.speaker or "A stakeholder"
        if e.source.role and e.source.role not in who:
            who += f" ({e.source.role})"
        return f"{who} said"
    return f"{e.source.label()} says"


def _condition_text(condition: str, knowledge: Knowledge) -> str:
    return knowledge.plan.profile.applies[condition]


def _join(phrases: Sequence[str]) -> str:
    return phrases[0] if len(phrases) == 1 else ", ".join(phrases[:-1]) + " and " + phrases[-1]


def _count(number: int, noun: str) -> str:
    words = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
    word = words[number] if number < len(words) else str(number)
    return f"{word} {noun}{'' if number == 1 else 's'}"


def _empty_note(phase: int, verdict: Verdict) -> str:
    if phase == 0:
        return "Nothing must start in the first 30 days: no gap found needs urgent work."
    if phase == 1:
        return "Nothing is scheduled for days 30-90: the work found fits in the first phase."
    if verdict.status == "ready":
        return (
            "Nothing is scheduled after day 90: no area is at risk, so no running or scaling "
            "work is needed beyond the usual reviews."
        )
    return (
        "Nothing is scheduled after day 90: the areas at risk need their gaps closed first; "
        "plan running and scaling work once they are."
    )


def _base_phase(level: str, effort: str) -> int:
    if level == "high":
        return 0 if effort in ("S", "M") else 1
    return 1 if effort in ("S", "M") else 2


def _dependency_order(
    chosen: dict[str, tuple[Recommendation, list[Evidence], int]],
    phase_of: dict[str, int],
    risk: dict[str, int],
) -> list[str]:
    """Phase by phase, riskiest pattern first, each block after its prerequisites."""
    done: list[str] = []
    seen: set[str] = set()

    def visit(rec_id: str) -> None:
        if rec_id in seen:
            return
        seen.add(rec_id)
        for dep in chosen[rec_id][0].depends_on:
            if dep in chosen:
                visit(dep)
        done.append(rec_id)

    for rec_id in sorted(chosen, key=lambda r: (phase_of[r], -risk.get(chosen[r][0].pattern, 0))):
        visit(rec_id)
    return done


def _item(
    rec: Recommendation,
    evidence: list[Evidence],
    citations: list[Citation],
    chosen: dict[str, tuple[Recommendation, list[Evidence], int]],
) -> PlanItem:
    needed_by = [r.title for r, _, _ in chosen.values() if rec.id in r.depends_on]
    # The offline rationale says only what "why here" does not: which items wait for this one.
    rationale = f"Needed before \u201c{needed_by[0]}\u201d." if needed_by else None
    return PlanItem(
        id=rec.id,
        title=rec.title,
        pattern=rec.pattern,
        action=rec.action,
        owner=rec.owner,
        effort=rec.effort,
        timeframe=rec.timeframe,
        kpi=rec.exit_criterion,
        depends_on=list(rec.depends_on),
        citations=citations,
        evidence=evidence,
        rationale=rationale,
    )


# the executive summary ----------------------------------------------------------------------------


def executive_summary(
    verdict: Verdict,
    profile: PilotProfile,
    assessment: Assessment,
    phases: Sequence[Phase],
    knowledge: Knowledge,
) -> str:
    """One page in plain words: the verdict, why, what to do first, and each area in a line.
    Jargon from the glossary is explained the first time it appears."""
    items = {i.id: i for ph in phases for i in ph.items}
    lines = [f"**{verdict.headline}**", ""]
    facts = describe(profile, knowledge.plan)
    if facts:
        lines += [f"The pilot, as we understand it: {', '.join(facts)}.", ""]
    for title, rules in (
        ("What stops go-live", verdict.blockers),
        ("Conditions", verdict.conditions),
    ):
        if not rules:
            continue
        lines.append(f"{title}:")
        for rule in rules:
            line = f"- {rule.text}"
            if rule.evidence:
                e = rule.evidence[0]
                line += f" {_who(e)}: \u201c{e.quote}\u201d"
            fixes = [items[i].title for i in rule.items if i in items]
            if fixes:
                line += f" Fix: {fixes[0]}."
            lines.append(line)
        lines.append("")
    if verdict.timing:
        lines += [f"Timing: {verdict.timing}", ""]
    first = phases[0].items[:3] if phases else []
    if first:
        lines.append("Start with:")
        lines += [
            f"- {i.title} (owner: {i.owner}; by {i.due})" if i.due else f"- {i.title}"
            for i in first
        ]
        lines.append("")
    lines.append("Area by area:")
    for p in assessment.patterns:
        lines.append(f"- {p.name}: {_plain_level(p.level)}.")
    total = sum(len(ph.items) for ph in phases)
    lines += ["", f"The plan holds {total} actions over 180 days, each with its source."]
    return gloss("\n".join(lines), knowledge.plan.glossary)


def _plain_level(level: str) -> str:
    return {
        "high": "serious gaps, must be fixed first",
        "medium": "some gaps to close",
        "low": "in good shape",
        "not_assessed": "not discussed yet",
    }.get(level, level)


def gloss(text: str, glossary: dict[str, str]) -> str:
    """Explain each glossary term at its first appearance: "DPIA (data protection impact
    assessment)"."""
    for term, meaning in glossary.items():
        pattern = re.compile(rf"(?<![\w-]){re.escape(term)}(?![\w-])", re.IGNORECASE)
        match = pattern.search(text)
        if match is None or meaning.lower() in text.lower():
            continue
        text = text[: match.end()] + f" ({meaning})" + text[match.end() :]
    return text


# questions about going live -------------------------------------------------------------------

_GO_LIVE_QUESTION = re.compile(
    r"\b(can|could|should|shall|are|is|when|will|ready)\b.{0,50}"
    r"\b(go(ing)?[- ]?live|launch|roll(ing)?( it)?[- ]?out|ready|(in|into) production|"
    r"switch (it )?on)\b",
    re.IGNORECASE,
)
_RELATIVE = {"next week": 7, "next month": 31, "next quarter": 92, "this month": 15}


def asks_about_going_live(question: str) -> bool:
    return bool(_GO_LIVE_QUESTION.search(question))


def verdict_answer(plan: Plan, question: str, engine: str, today: date) -> Answer:
    """Answer "can we go live next month?" with the verdict, its reasons and when the work
    go-live waits for is due; every reason is quoted and every fix is cited."""
    verdict = plan.verdict
    if verdict is None:
        raise ValueError("the plan has no verdict")
    opening = {
        "not_ready": "No, not yet.",
        "conditional": "Only if the conditions below are met first.",
        "ready": "Yes.",
    }[verdict.status]
    items = {i.id: i for i in plan.items()}
    lines = [f"{opening} {verdict.headline}"]
    citations = []
    for title, rules in (("Blocking", verdict.blockers), ("Conditions", verdict.conditions)):
        for rule in rules:
            line = f"- {title}: {rule.text}"
            if rule.evidence:
                e = rule.evidence[0]
                line += f" {_who(e)}: \u201c{e.quote}\u201d"
            fixes = [items[i] for i in rule.items if i in items]
            if fixes and fixes[0].citations:
                citations.append(fixes[0].citations[0])
                line += f" Fix: {fixes[0].title}, due {fixes[0].due} [{len(citations)}]."
            lines.append(line)
    target = _target_date(question, today)
    needed = [
        items[i].due
        for rule in [*verdict.blockers, *verdict.conditions]
        for i in rule.items
        if i in items and items[i].due
    ]
    if target and needed:
        last = max(d for d in needed if d)
        if last and last > target:
            lines.append(
                f"The work go-live waits for is due by {last}, after {target}: that date "
                "is too early unless this work is brought forward."
            )
        elif last:
            lines.append(f"The work go-live waits for is due by {last}, before {target}.")
    return Answer(question=question, text="\n".join(lines), citations=citations, engine=engine)


def _target_date(question: str, today: date) -> str | None:
    lowered = question.lower()
    for phrase, days in _RELATIVE.items():
        if phrase in lowered:
            return (today + timedelta(days=days)).isoformat()
    return parse_date(question)
