"""The scoring formula of ``app.advice.assess``, by hand: no model involved."""

from __future__ import annotations

import numpy as np
import pytest

from app.advice.assess import contradictions, distinct, risk_of, score, totals
from app.knowledge.catalog import Catalog, load_knowledge
from app.schemas import ChunkRef, Evidence, Signal, TurnRef
from app.settings import Settings


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_knowledge(Settings().knowledge_dir.resolve()).catalog


def _item(
    pattern: str, side: str, p: float, who: str = "Ana", quote: str = "q", turn: int = 1
) -> Evidence:
    source: TurnRef | ChunkRef = (
        ChunkRef(file=who, chunk_id="c1")
        if who.endswith(".md")
        else TurnRef(turn=turn, speaker=who)
    )
    return Evidence(
        quote=quote,
        source=source,
        signal=Signal(id="x", polarity="warning" if side == "warning" else "healthy", text="x"),
        pattern=pattern,
        probability=p,
        weight=p,
    )


def test_the_formula_by_hand() -> None:
    assert risk_of(0.9, 0) == 74  # one clear warning: high
    assert risk_of(0, 0.9) == 26  # one clear healthy sign: low
    assert risk_of(0.9, 0.9) == 50  # one of each: medium
    assert risk_of(0, 0) == 50  # never reached: no evidence is "not assessed"


def test_a_pattern_with_no_evidence_is_not_assessed(catalog: Catalog) -> None:
    result = score(catalog, [_item("data_quality", "warning", 0.9)], 46, 65)
    governance = next(p for p in result if p.id == "governance")
    assert governance.level == "not_assessed" and governance.risk is None
    assert not governance.assessed and governance.evidence_count == 0
    data = next(p for p in result if p.id == "data_quality")
    assert data.level == "high" and data.risk == 74


def test_repeats_from_one_source_decay_and_the_same_sentence_counts_once() -> None:
    same = [_item("data_quality", "warning", 0.8, quote="the feed breaks")] * 3
    assert len(distinct(same)) == 1
    many = [_item("data_quality", "warning", 0.8, quote=f"gap {n}") for n in range(3)]
    warning, healthy = totals(many)
    assert warning == pytest.approx(0.8 + 0.4 + 0.2) and healthy == 0
    others = [_item("data_quality", "warning", 0.8, who=f"P{n}", quote="gap") for n in range(3)]
    assert totals(others)[0] == pytest.approx(2.4)


def test_a_contradicted_assurance_keeps_the_pattern_at_least_medium(catalog: Catalog) -> None:
    evidence = [
        _item("integration", "healthy", 0.9, who="CIO", quote="a"),
        _item("integration", "healthy", 0.9, who="Ops", quote="b"),
        _item("integration", "warning", 0.6, who="Clerk", quote="c"),
    ]
    plain = next(p for p in score(catalog, evidence, 46, 65) if p.id == "integration")
    assert plain.level == "low"
    held = score(catalog, evidence, 46, 65, contradicted=["integration"])
    assert next(p for p in held if p.id == "integration").level == "medium"


def test_contradictions_need_other_voices_and_close_meaning(catalog: Catalog) -> None:
    healthy = _item("integration", "healthy", 0.9, who="CIO", quote="The API is stable.")
    warning = _item("integration", "warning", 0.9, who="Clerk", quote="The API falls over.")
    same_voice = _item("integration", "warning", 0.9, who="CIO", quote="It fails.", turn=3)
    vectors = {id(healthy): np.array([1.0, 0.0]), id(warning): np.array([0.8, 0.6])}
    vectors[id(same_voice)] = np.array([1.0, 0.0])
    found = contradictions([healthy, warning, same_voice], lambda e: vectors.get(id(e)), catalog)
    assert len(found) == 1 and found[0].evidence == [healthy, warning]
    far = {id(healthy): np.array([1.0, 0.0]), id(warning): np.array([0.0, 1.0])}
    assert contradictions([healthy, warning], lambda e: far.get(id(e)), catalog) == []
