"""Selection: patterns at risk + their warning evidence -> the Recommendation blocks to plan.

A pattern's blocks are ranked by how closely they answer its warning evidence; a pattern with
no warning evidence gets its foundational blocks (no prerequisites, small effort). A block
whose ``Triggered by`` slot holds a gap of this pilot ranks above one that only resembles the
evidence (``TRIGGER_BONUS``), and a block whose prerequisites are already planned is preferred
(``PREREQUISITE_PENALTY`` for each one that is not). Prerequisites a chosen block names are
added too, at most ``MAX_PREREQUISITES`` per pattern.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property

import numpy as np

from app.documents.embeddings import Embedder, Vectors, embed_fixed
from app.knowledge.catalog import Knowledge, Recommendation
from app.schemas import Assessment, Evidence

# Ranking bonus of a block whose declared slot holds a gap: a declared fit beats a block that
# merely reads like the evidence. A design choice, not fitted to any eval.
TRIGGER_BONUS = 0.15
ITEMS_HIGH = 3
ITEMS_MEDIUM = 2
OPERATE_ITEMS = 3
EVIDENCE_PER_ITEM = 3
PREREQUISITE_PENALTY = 0.04
MAX_PREREQUISITES = 2

# The blocks planned so far: id -> (block, the evidence it answers, its phase before its
# prerequisites are counted).
Chosen = dict[str, tuple[Recommendation, list[Evidence], int]]
Picks = list[tuple[Recommendation, list[Evidence]]]


class Selector:
    """Ranks a pilot's eligible Recommendation blocks against its evidence."""

    def __init__(self, knowledge: Knowledge, embedder: Embedder) -> None:
        self.knowledge = knowledge
        self.embedder = embedder

    @cached_property
    def vectors(self) -> Vectors:
        """One vector per Recommendation block (title and action), in catalog order."""
        texts = [f"{r.title}. {r.action}" for r in self.knowledge.recommendations]
        return embed_fixed(self.embedder, texts)

    def vector(self, rec: Recommendation) -> Vectors:
        """The vector of one block."""
        row: Vectors = self.vectors[self.knowledge.recommendations.index(rec)]
        return row

    def select(
        self,
        pattern: str,
        warnings: Sequence[Evidence],
        count: int,
        chosen: Chosen,
        eligible: set[str],
        slot_of: dict[int, str],
        stage: str,
    ) -> Picks:
        """The ``count`` best blocks of ``pattern`` at ``stage`` not chosen yet, each with the
        warnings it answers best."""
        recs = [
            (i, r)
            for i, r in enumerate(self.knowledge.recommendations)
            if r.pattern == pattern and r.id in eligible and r.id not in chosen and r.stage == stage
        ]
        if not recs:
            return []
        rec_matrix = self.vectors[[i for i, _ in recs]]
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
            [len(self.prerequisites(r.id) - set(chosen)) for _, r in recs], dtype=np.float32
        )
        scores = scores - PREREQUISITE_PENALTY * missing
        gap_slots = {slot_of.get(id(e)) for e in warnings}
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

    def prerequisites(self, rec_id: str) -> set[str]:
        """Every block ``rec_id`` needs, directly or through other blocks."""
        out: set[str] = set()
        queue = list(self.knowledge.recommendation(rec_id).depends_on)
        while queue:
            dep = queue.pop()
            if dep not in out:
                out.add(dep)
                queue += self.knowledge.recommendation(dep).depends_on
        return out

    def add_prerequisites(
        self,
        chosen: Chosen,
        warnings_of: dict[str, list[Evidence]],
        eligible: set[str],
    ) -> None:
        """Add to ``chosen`` the eligible prerequisites its blocks name, in their phase."""
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
                    evidence = self.evidence_for(needed, warnings_of.get(needed.pattern, []))
                    chosen[dep] = (needed, evidence, phase)
                    queue.append(dep)

    def operate(
        self,
        assessment: Assessment,
        warnings_of: dict[str, list[Evidence]],
        chosen: Chosen,
        eligible: set[str],
        slot_of: dict[int, str],
    ) -> Picks:
        """Running and scaling work for days 90-180: one block per pattern at risk, riskiest
        first, at most ``OPERATE_ITEMS``."""
        out: Picks = []
        for pattern in sorted(assessment.patterns, key=lambda p: -(p.risk or 0)):
            if not pattern.at_risk or len(out) >= OPERATE_ITEMS:
                continue
            out += self.select(
                pattern.id, warnings_of[pattern.id], 1, chosen, eligible, slot_of, "operate"
            )
        return out

    def evidence_for(self, rec: Recommendation, warnings: Sequence[Evidence]) -> list[Evidence]:
        """The warnings that read most like ``rec``, closest first."""
        if not warnings:
            return []
        quotes = self.embedder.embed([e.quote for e in warnings])
        sims = quotes @ self.vector(rec)
        return [warnings[int(j)] for j in np.argsort(-sims, kind="stable")[:EVIDENCE_PER_ITEM]]
