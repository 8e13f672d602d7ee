"""Slots: the turns so far and the evidence read -> what each slot of each pattern holds.

Coverage is counted in slots (``knowledge/patterns.yaml``): the aspects of each pattern a
consultant must hear about, each with probe questions for the roles that can speak to it. A
slot is filled when the reader places evidence there, whoever gave it: this stakeholder,
another one, or a document. Evidence from an answer to one of a slot's probes goes to that slot
when the reader puts it in the slot's pattern; any other evidence goes to the closest slot of
its pattern by meaning.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from app.documents.embeddings import embed_fixed
from app.knowledge.catalog import Catalog, Pattern, Slot
from app.reading.reader import Detection, EvidenceReader
from app.schemas import Evidence, Turn

# How much closer in meaning (cosine) a sentence must be to another slot of its pattern than to
# the slot it was asked about to be placed there instead.
SLOT_MARGIN = 0.1


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


def own_evidence(states: Sequence[SlotState], turn: int) -> list[Evidence]:
    """What this person's answer at position ``turn`` put in any slot."""
    return [e for s in states for e in s.own if e.source.kind == "turn" and e.source.turn == turn]


def slot_counts(catalog: Catalog, states: Sequence[SlotState]) -> dict[str, tuple[int, int]]:
    """Per pattern, (slots filled by anyone, slots in all): the coverage meter."""
    return {
        p.id: (
            sum(1 for s in states if s.pattern.id == p.id and s.filled),
            len(p.slots),
        )
        for p in catalog.patterns
    }


@dataclass(frozen=True, eq=False)
class SlotPlacer:
    """Places evidence in the slots of the catalog's patterns."""

    catalog: Catalog
    detector: EvidenceReader

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
                sims = matrix @ vector
                rows = [n for n, (p, _) in enumerate(labels) if p == item.pattern]
                best = max(rows, key=lambda n: sims[n])
                state = by_number[labels[best]]
                if source == "own" and item.source.kind == "turn" and item.source.turn:
                    # An answer fills the slot it was asked about, unless a sentence of it
                    # is plainly about another slot of the same pattern ("... and rollback
                    # is one command", said about releases, fills versions and rollback).
                    probe_id = probe_of_turn.get(item.source.turn - 1)
                    slot = self.catalog.pattern(item.pattern).slot_of(probe_id)
                    if slot is not None:
                        asked_rows = [n for n in rows if by_number[labels[n]].slot is slot]
                        if max(sims[n] for n in asked_rows) >= sims[best] - SLOT_MARGIN:
                            state = index[(item.pattern, slot.id)]
                (state.own if source == "own" else state.others).append(item)
                state.vectors[id(item)] = vector
        return states
