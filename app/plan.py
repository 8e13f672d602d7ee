"""Plan: ``Assessment`` -> a phased production plan of cited Recommendation blocks.

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
from collections.abc import Sequence
from functools import cached_property

import numpy as np

from app.citations import cite, quotable_sentences
from app.embeddings import Embedder, Vectors, embed_fixed
from app.knowledge import Knowledge, Recommendation
from app.schemas import Assessment, Chunk, Citation, Evidence, Phase, PlanItem
from app.store import VectorStore

log = logging.getLogger(__name__)

PHASES = ("First 30 days", "Days 30-90", "Days 90-180")
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

    def draft(self, assessment: Assessment) -> tuple[list[Phase], list[str]]:
        """Phases of cited items, and notices about anything left out."""
        chosen: dict[str, tuple[Recommendation, list[Evidence], int]] = {}
        warnings_of = {
            p.id: [e for e in p.evidence if e.signal.polarity == "warning"]
            for p in assessment.patterns
        }
        for pattern in sorted(assessment.patterns, key=lambda p: -(p.risk or 0)):
            if not pattern.at_risk:
                continue
            count = ITEMS_HIGH if pattern.level == "high" else ITEMS_MEDIUM
            for rec, evidence in self._select(pattern.id, warnings_of[pattern.id], count, chosen):
                chosen[rec.id] = (rec, evidence, _base_phase(pattern.level, rec.effort))
        picked = set(chosen)
        self._add_prerequisites(chosen, warnings_of)
        depths = _depths(chosen)
        # A block chosen for its own evidence waits at most one phase for its prerequisites.
        depths = {r: min(d, 1) if r in picked else d for r, d in depths.items()}
        phase_of = self._settle_phases(chosen, depths)
        risk = {p.id: p.risk or 0 for p in assessment.patterns}
        notices: list[str] = []
        items: list[tuple[int, PlanItem]] = []
        for rec_id in _dependency_order(chosen, phase_of, risk):
            rec, evidence, _ = chosen[rec_id]
            citations = self._citations(rec, evidence)
            if not citations:
                notices.append(
                    f"\u201c{rec.title}\u201d was left out: its passage could not be cited "
                    "verbatim. Re-index the knowledge base (advisor index-knowledge)."
                )
                continue
            items.append((phase_of[rec_id], _item(rec, evidence, citations, chosen)))
        kept = {item.id for _, item in items}
        phases = []
        for number, name in enumerate(PHASES):
            own = [i for p, i in items if p == number]
            for item in own:
                item.depends_on = [d for d in item.depends_on if d in kept]
            phases.append(Phase(name=name, items=own))
        return phases, notices

    # choosing ----------------------------------------------------------------------------------

    def _select(
        self,
        pattern: str,
        warnings: Sequence[Evidence],
        count: int,
        chosen: dict[str, tuple[Recommendation, list[Evidence], int]],
    ) -> list[tuple[Recommendation, list[Evidence]]]:
        recs = [
            (i, r) for i, r in enumerate(self.knowledge.recommendations) if r.pattern == pattern
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
    ) -> None:
        queue = list(chosen)
        added: dict[str, int] = {}
        while queue:
            rec_id = queue.pop(0)
            rec, _, phase = chosen[rec_id]
            for dep in rec.depends_on:
                pattern = self.knowledge.recommendation(dep).pattern
                if dep not in chosen and added.get(pattern, 0) < MAX_PREREQUISITES:
                    added[pattern] = added.get(pattern, 0) + 1
                    needed = self.knowledge.recommendation(dep)
                    evidence = self._evidence_for(needed, warnings_of.get(needed.pattern, []))
                    chosen[dep] = (needed, evidence, phase)
                    queue.append(dep)

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
    if evidence:
        top = evidence[0]
        rationale = f"Triggered by \u201c{top.quote}\u201d ({top.source.label()})."
        if needed_by:
            rationale += f" Also a prerequisite of \u201c{needed_by[0]}\u201d."
    elif needed_by:
        rationale = f"A prerequisite of \u201c{needed_by[0]}\u201d."
    else:
        rationale = "Nothing was said or found about this area: start with its foundations."
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
