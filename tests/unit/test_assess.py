"""The scoring formula of ``app.advice.assess``, by hand: no model involved."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from app.advice.assess import (
    confidence_of,
    contradictions,
    distinct,
    level_of,
    risk_of,
    score,
    source_key,
    totals,
)
from app.knowledge.catalog import Catalog, load_knowledge
from app.schemas import ChunkRef, Evidence, PatternAssessment, Signal, TurnRef
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


Row = tuple[str, float, str, str]  # (side, probability, who, quote)


def _said(pattern: str, *rows: Row) -> list[Evidence]:
    """Evidence for one pattern from ``(side, probability, who, quote)`` rows."""
    return [_item(pattern, side, p, who=who, quote=quote) for side, p, who, quote in rows]


def _pattern(result: Sequence[PatternAssessment], pattern: str) -> PatternAssessment:
    return next(p for p in result if p.id == pattern)


def _scored(catalog: Catalog, pattern: str, *rows: Row) -> PatternAssessment:
    """``pattern``'s assessment from ``_said`` rows, at the default levels (46, 65)."""
    return _pattern(score(catalog, _said(pattern, *rows), 46, 65), pattern)


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
    evidence = _said(
        "integration",
        ("healthy", 0.9, "CIO", "a"),
        ("healthy", 0.9, "Ops", "b"),
        ("warning", 0.6, "Clerk", "c"),
    )
    plain = _pattern(score(catalog, evidence, 46, 65), "integration")
    assert plain.level == "low" and plain.risk == round(100 * 1.1 / 3.4) == 32
    for medium in (46, 50):  # raised to medium exactly, whatever medium is set to
        held = score(catalog, evidence, medium, 65, contradicted=["integration"])
        raised = _pattern(held, "integration")
        assert raised.risk == medium and raised.level == "medium"
        assert raised.confidence == plain.confidence  # the floor moves the risk only
    high = [_item("integration", "warning", 0.9)]  # a floor never lowers a high risk
    kept = _pattern(score(catalog, high, 46, 65, contradicted=["integration"]), "integration")
    assert (kept.risk, kept.level) == (74, "high")


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


def test_no_evidence_at_all_leaves_every_pattern_not_assessed(catalog: Catalog) -> None:
    result = score(catalog, [], 46, 65)
    assert [p.id for p in result] == catalog.ids  # one per pattern, in catalog order
    for pattern in result:
        assert pattern.level == "not_assessed" and pattern.risk is None
        assert pattern.confidence == 0.0 and not pattern.assessed
        assert pattern.warning_weight == 0 and pattern.healthy_weight == 0
        assert pattern.evidence == [] and pattern.evidence_count == 0


def test_only_healthy_evidence_scores_low_by_hand(catalog: Catalog) -> None:
    evidence = [_item("governance", "healthy", p, quote=f"control {p}") for p in (0.8, 0.9)]
    governance = _pattern(score(catalog, evidence, 46, 65), "governance")
    # H = 0.9 + 0.5 * 0.8 = 1.3 (one speaker: the strongest counts fully), W = 0
    assert governance.healthy_weight == 1.3 and governance.warning_weight == 0
    assert governance.risk == round(100 * 0.5 / (1.3 + 1)) == 22
    assert governance.level == "low" and governance.assessed
    assert governance.confidence == round(1.3 / 3.3, 2) == 0.39
    assert [e.probability for e in governance.evidence] == [0.9, 0.8]


def test_mixed_evidence_by_hand(catalog: Catalog) -> None:
    infra = _scored(
        catalog,
        "infrastructure",
        ("healthy", 0.6, "Ana", "we have a test server"),
        ("warning", 0.9, "Ana", "it runs on a laptop"),
        ("warning", 0.8, "Ben", "no monitoring at all"),
        ("warning", 0.4, "deploy.md", "retrained by hand"),
        ("warning", 0.2, "deploy.md", "no rollback"),
    )
    # Each side decays on its own within a source; sources add up undecayed.
    warning, healthy = 0.9 + 0.8 + (0.4 + 0.5 * 0.2), 0.6
    assert infra.warning_weight == pytest.approx(warning) and infra.healthy_weight == 0.6
    assert infra.risk == round(100 * (warning + 0.5) / (warning + healthy + 1)) == 71
    assert infra.level == "high" and infra.evidence_count == 5
    agreement = 1 - 0.5 * healthy / warning
    total = warning + healthy
    assert infra.confidence == round(total / (total + 2) * agreement, 2) == 0.5
    assert [e.probability for e in infra.evidence] == [0.9, 0.8, 0.6, 0.4, 0.2]


def test_the_documented_examples_get_their_levels(catalog: Catalog) -> None:
    defaults = Settings()
    medium, high = defaults.risk_medium, defaults.risk_high
    assert (medium, high) == (46, 65)
    cases = [
        ([_item("integration", "warning", 0.9)], 74, "high"),
        ([_item("integration", "healthy", 0.9)], 26, "low"),
        (
            [
                _item("integration", "warning", 0.9, who="Ana", quote="re-keyed by hand"),
                _item("integration", "healthy", 0.9, who="Ben", quote="a stable API"),
            ],
            50,
            "medium",
        ),
    ]
    for evidence, risk, level in cases:
        integration = _pattern(score(catalog, evidence, medium, high), "integration")
        assert (integration.risk, integration.level) == (risk, level)


def test_level_boundaries_are_inclusive() -> None:
    assert [level_of(r, 46, 65) for r in (0, 45, 46, 64, 65, 100)] == [
        "low",
        "low",
        "medium",
        "medium",
        "high",
        "high",
    ]


def test_score_applies_the_thresholds_it_is_given(catalog: Catalog) -> None:
    evidence = [_item("data_quality", "warning", 0.9)]  # risk 74
    for medium, high, level in ((46, 74, "high"), (46, 75, "medium"), (74, 80, "medium")):
        assert _pattern(score(catalog, evidence, medium, high), "data_quality").level == level
    assert _pattern(score(catalog, evidence, 75, 80), "data_quality").level == "low"


def test_confidence_by_hand() -> None:
    assert confidence_of(0, 0) == 0.0
    assert confidence_of(0.9, 0) == round(0.9 / 2.9, 2) == 0.31
    assert confidence_of(0, 0.9) == confidence_of(0.9, 0)  # the side does not matter
    assert confidence_of(0.9, 0.9) == round(1.8 / 3.8 * 0.5, 2) == 0.24  # full disagreement
    assert confidence_of(3.0, 0) > confidence_of(0.9, 0)  # more evidence, more confidence


def test_a_contradicted_pattern_without_evidence_stays_not_assessed(catalog: Catalog) -> None:
    result = score(catalog, [], 46, 65, contradicted=["governance"])
    governance = _pattern(result, "governance")
    assert governance.level == "not_assessed" and governance.risk is None


def test_a_warning_comes_before_a_healthy_sign_of_equal_strength(catalog: Catalog) -> None:
    tie = _said("governance", ("healthy", 0.7, "Ana", "a"), ("warning", 0.7, "Cy", "b"))
    ordered = _pattern(score(catalog, tie, 46, 65), "governance").evidence
    assert [e.signal.polarity for e in ordered] == ["warning", "healthy"]


def test_the_same_sentence_counts_once_however_it_is_written() -> None:
    weak = _item("data_quality", "warning", 0.6, quote="The feed breaks!")
    strong = _item("data_quality", "warning", 0.9, quote="the feed  breaks", turn=4)
    assert distinct([weak, strong]) == [strong]  # the strongest reading is kept
    healthy = _item("data_quality", "healthy", 0.7, quote="the feed breaks")
    assert distinct([weak, healthy]) == [healthy]  # one sentence, one reading per pattern
    other_voice = _item("data_quality", "warning", 0.6, who="Ben", quote="The feed breaks!")
    other_pattern = _item("integration", "warning", 0.6, quote="The feed breaks!")
    assert len(distinct([weak, other_voice, other_pattern])) == 3


def test_a_statement_said_again_with_as_i_said_counts_once() -> None:
    first = _item(
        "integration", "healthy", 0.9, quote="We have a QA system that mirrors production SAP."
    )
    again = _item(
        "integration",
        "healthy",
        0.7,
        quote="As I said, we have a QA system that mirrors production SAP.",
        turn=9,
    )
    assert distinct([again, first]) == [first]
    # Another person saying it is another account, and a short phrase is not a repeat.
    other = _item("integration", "healthy", 0.7, who="Ben", quote=again.quote)
    assert len(distinct([first, other])) == 2
    short = _item("integration", "warning", 0.8, quote="No retry.")
    longer = _item("integration", "warning", 0.8, quote="There is still no retry.")
    assert len(distinct([short, longer])) == 2


def test_the_strongest_item_of_a_source_counts_fully_whatever_the_order() -> None:
    evidence = [
        _item("data_quality", "warning", 0.2, quote="a"),
        _item("data_quality", "warning", 0.9, quote="b"),
        _item("data_quality", "healthy", 0.8, quote="c"),
    ]
    warning, healthy = totals(evidence)
    assert warning == pytest.approx(0.9 + 0.5 * 0.2)  # sides decay apart
    assert healthy == pytest.approx(0.8)


def test_sources_are_keyed_by_speaker_or_file() -> None:
    def turn(speaker: str | None, role: str | None) -> Evidence:
        item = _item("data_quality", "warning", 0.5)
        return item.model_copy(update={"source": TurnRef(turn=1, speaker=speaker, role=role)})

    assert source_key(turn("Ana", "cio")) == "speaker:Ana"
    assert source_key(turn(None, "cio")) == "speaker:cio"
    assert source_key(turn(None, None)) == "speaker:?"
    assert source_key(_item("data_quality", "warning", 0.5, who="report.md")) == "file:report.md"
