"""Plan: ``Assessment`` + pilot profile -> a go-live verdict and a phased, cited plan.

Only blocks whose ``Applies when`` conditions hold for the pilot's profile are considered (a
condition on a field nobody has settled does not hold; the plan says which facts would add
advice). The planner runs these stages, each in its own module:

- ``verdict``: what stops go-live and what conditions it. The item that closes each blocker
  and condition is always planned, in the first phase.
- ``selection``: for each pattern at medium or high risk, the blocks that best answer its
  warning evidence (high risk earns ``ITEMS_HIGH`` items, medium ``ITEMS_MEDIUM``), with the
  prerequisites they name, and one running and scaling block per pattern at risk for days
  90-180.
- ``phasing``: the phase of each block, prerequisites first, riskiest pattern first.
- ``item_citations``: each item cites its block and the section above it, every quote checked
  verbatim against its chunk. An item that cannot be cited is dropped, never shown uncited.
- ``rationale``: why each item is here, and who owns it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import TYPE_CHECKING

from app.advice.item_citations import cite_block
from app.advice.phasing import (
    base_phase,
    chain_depths,
    dated_phases,
    dependency_order,
    due,
    settle_phases,
)
from app.advice.profile import holds, unknown
from app.advice.rationale import Person, condition_text, owner, owner_label, why_here
from app.advice.selection import EVIDENCE_PER_ITEM, ITEMS_HIGH, ITEMS_MEDIUM, Chosen, Selector
from app.advice.verdict import decide, heard_in_slots, late, link_items
from app.documents.chunk import carry
from app.documents.embeddings import Embedder
from app.knowledge.catalog import Knowledge, Recommendation
from app.schemas import Assessment, Citation, Evidence, Phase, PilotProfile, PlanItem, Verdict

if TYPE_CHECKING:  # chromadb loads only when a store is opened
    from app.documents.store import VectorStore

# Planned items with their phase, in plan order.
Items = list[tuple[int, PlanItem]]


@dataclass
class Context:
    """What the planner knows about this pilot beyond its assessment."""

    profile: PilotProfile = field(default_factory=PilotProfile)
    people: Sequence[Person] = ()
    slot_of: dict[int, str] = field(default_factory=dict)  # id(evidence) -> slot id
    role_of: Callable[[str], str | None] = lambda _: None
    today: date = field(default_factory=date.today)


class Planner:
    """Drafts a pilot's plan: the go-live verdict, then cited items phase by phase."""

    def __init__(self, knowledge: Knowledge, embedder: Embedder, store: VectorStore) -> None:
        self.knowledge = knowledge
        self.embedder = embedder
        self.store = store
        self._selector = Selector(knowledge, embedder)

    def warm(self) -> None:
        """Embed the Recommendation blocks now rather than on the first plan."""
        _ = self._selector.vectors

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
        heard = heard_in_slots(assessment, context.slot_of)
        verdict = decide(self.knowledge, assessment, profile, heard, eligible)
        warnings_of = {
            p.id: [e for e in p.evidence if e.signal.polarity == "warning"]
            for p in assessment.patterns
        }
        chosen, phase_of = self._choose(assessment, verdict, warnings_of, eligible, context)
        items, bases, notices = self._cited_items(
            assessment, chosen, phase_of, warnings_of, context
        )
        builds = {rec_id for rec_id, (rec, _, _) in chosen.items() if rec.stage == "build"}
        link_items(verdict, assessment, [item for _, item in items], builds)
        for _, item in items:
            rec = chosen[item.id][0]
            # A prerequisite with no evidence of its own is there for what needs it.
            needs = [
                r for r, _, _ in chosen.values() if rec.id in self._selector.prerequisites(r.id)
            ]
            fields = {c.partition("=")[0] for r in [rec, *needs] for c in r.applies_when}
            basis = list(bases[item.id]) or [e for r in needs for e in bases.get(r.id, [])]
            item.why_here = why_here(rec, basis, profile, verdict, fields, self.knowledge)
        phases = dated_phases(items, verdict, context.today)
        verdict.timing = late(verdict, phases, profile)
        if verdict.timing:
            notices.append(verdict.timing)
        missing = self._missing_facts(eligible, profile)
        if missing:
            notices.append(missing)
        return phases, verdict, notices

    def _choose(
        self,
        assessment: Assessment,
        verdict: Verdict,
        warnings_of: dict[str, list[Evidence]],
        eligible: set[str],
        context: Context,
    ) -> tuple[Chosen, dict[str, int]]:
        """The blocks to plan and the phase of each: those closing the verdict's blockers and
        conditions (first phase), the best for each pattern at risk, the prerequisites they
        name, then running and scaling work (last phase)."""
        selector = self._selector
        rules = [*verdict.blockers, *verdict.conditions]
        chosen: Chosen = {}
        for rule in rules:
            for rec_id in rule.items:
                rec = self.knowledge.recommendation(rec_id)
                evidence = rule.evidence or selector.evidence_for(rec, warnings_of[rec.pattern])
                chosen[rec_id] = (rec, evidence[:EVIDENCE_PER_ITEM], 0)
        for pattern in sorted(assessment.patterns, key=lambda p: -(p.risk or 0)):
            if not pattern.at_risk:
                continue
            count = ITEMS_HIGH if pattern.level == "high" else ITEMS_MEDIUM
            picks = selector.select(
                pattern.id,
                warnings_of[pattern.id],
                count,
                chosen,
                eligible,
                context.slot_of,
                "build",
            )
            for rec, evidence in picks:
                chosen[rec.id] = (rec, evidence, base_phase(pattern.level, rec.effort))
        picked = set(chosen)
        selector.add_prerequisites(chosen, warnings_of, eligible)
        # A block chosen for its own evidence waits at most one phase for its prerequisites.
        depths = {r: min(d, 1) if r in picked else d for r, d in chain_depths(chosen).items()}
        phase_of = settle_phases(chosen, depths)
        for rec_id in {i for rule in rules for i in rule.items}:
            phase_of[rec_id] = 0
            for dep in selector.prerequisites(rec_id) & set(chosen):
                phase_of[dep] = 0
        operate = selector.operate(assessment, warnings_of, chosen, eligible, context.slot_of)
        for rec, evidence in operate:
            chosen[rec.id] = (rec, evidence, 2)
            phase_of[rec.id] = 2
        return chosen, phase_of

    def _cited_items(
        self,
        assessment: Assessment,
        chosen: Chosen,
        phase_of: dict[str, int],
        warnings_of: dict[str, list[Evidence]],
        context: Context,
    ) -> tuple[Items, dict[str, Sequence[Evidence]], list[str]]:
        """The items that could be cited, in plan order with their phase; the evidence each
        rests on; a notice for each item left out."""
        risk = {p.id: p.risk or 0 for p in assessment.patterns}
        pattern_evidence = {p.id: p.evidence for p in assessment.patterns}
        items: Items = []
        bases: dict[str, Sequence[Evidence]] = {}
        notices: list[str] = []
        for rec_id in dependency_order(chosen, phase_of, risk):
            rec, evidence, _ = chosen[rec_id]
            block_vector = partial(self._selector.vector, rec)
            citations = cite_block(self.store, self.embedder, rec, evidence, block_vector)
            if not citations:
                notices.append(
                    f"\u201c{rec.title}\u201d was left out: its passage could not be cited "
                    "verbatim. Re-index the knowledge base (advisor index-knowledge)."
                )
                continue
            item = _item(rec, evidence, citations, chosen, self.knowledge)
            basis = evidence or warnings_of[rec.pattern] or pattern_evidence[rec.pattern]
            bases[rec_id] = basis
            person = owner(rec, basis, context.people, context.role_of)
            if person is not None:
                item.owner_stakeholder = person.name
                item.owner = owner_label(person)
            item.due = due(context.today, phase_of[rec_id])
            items.append((phase_of[rec_id], item))
        return items, bases, notices

    def _missing_facts(self, eligible: set[str], profile: PilotProfile) -> str | None:
        """A notice asking for the profile facts that would make more advice apply."""
        missing = sorted(
            {
                f
                for r in self.knowledge.recommendations
                if r.id not in eligible
                for f in unknown(r.applies_when, profile)
            }
        )
        if not missing:
            return None
        asks = [self.knowledge.plan.profile.questions[f] for f in missing]
        return (
            "Some advice depends on facts not yet known about this pilot. Answer these "
            "in the pilot profile to include it: " + " ".join(asks)
        )


def _item(
    rec: Recommendation,
    evidence: list[Evidence],
    citations: list[Citation],
    chosen: Chosen,
    knowledge: Knowledge,
) -> PlanItem:
    """A plan item from its block: id, title, pattern, action, owner, effort, timeframe and
    prerequisites carried over, the exit criterion as its KPI."""
    needed_by = [r.title for r, _, _ in chosen.values() if rec.id in r.depends_on]
    # The offline rationale says only what "why here" does not: which items wait for this one.
    rationale = f"Needed before \u201c{needed_by[0]}\u201d." if needed_by else None
    return carry(
        PlanItem,
        rec,
        kpi=rec.exit_criterion,
        citations=citations,
        evidence=evidence,
        rationale=rationale,
        applies_when=[condition_text(c, knowledge) for c in rec.applies_when],
    )
