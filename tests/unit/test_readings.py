"""The reader's decision rule, ``app.reading.readings.decide``, on readings written by hand.

A reading gives per pattern ``(not evidence, warning, healthy)``; a pattern is evidence when
the likelier of warning and healthy reaches the threshold, strongest first, at most
``MAX_PATTERNS`` per sentence."""

from __future__ import annotations

import numpy as np
import pytest

from app.reading.readings import MAX_PATTERNS, decide, labels_of

PATTERNS = ["data_quality", "infrastructure", "integration"]
UNSORTED = ["integration", "data_quality", "governance"]  # catalog order is not alphabetical
NOTHING = (1.0, 0.0, 0.0)


def test_nothing_below_the_threshold_is_evidence() -> None:
    row = [(0.6, 0.3, 0.1), (0.5, 0.1, 0.4), NOTHING]
    assert decide(row, PATTERNS, 0.45) == []


def test_reaching_the_threshold_exactly_is_evidence() -> None:
    row = [(0.5, 0.5, 0.0), (0.75, 0.0, 0.25), NOTHING]
    assert decide(row, PATTERNS, 0.5) == [("data_quality", "warning", 0.5)]
    assert decide(row, PATTERNS, 0.25) == [
        ("data_quality", "warning", 0.5),
        ("infrastructure", "healthy", 0.25),
    ]


def test_the_not_evidence_probability_does_not_veto_a_likely_side() -> None:
    """Only the likelier side is compared with the threshold, whatever "not evidence" says."""
    row = [(0.7, 0.3, 0.0), NOTHING, NOTHING]
    assert decide(row, PATTERNS, 0.3) == [("data_quality", "warning", 0.3)]


def test_the_stance_is_the_likelier_side_and_a_tie_reads_as_a_warning() -> None:
    row = [(0.1, 0.2, 0.7), (0.1, 0.6, 0.3), NOTHING]
    assert decide(row, PATTERNS, 0.4) == [
        ("data_quality", "healthy", 0.7),
        ("infrastructure", "warning", 0.6),
    ]
    assert decide([NOTHING, NOTHING, (0.2, 0.4, 0.4)], PATTERNS, 0.4) == [
        ("integration", "warning", 0.4)
    ]


def test_strongest_first_and_equal_strength_keeps_the_pattern_order() -> None:
    row = [(0.4, 0.6, 0.0), (0.1, 0.0, 0.9), NOTHING]
    assert [p for p, _, _ in decide(row, PATTERNS, 0.5)] == ["infrastructure", "data_quality"]
    tied = [NOTHING, (0.2, 0.8, 0.0), (0.2, 0.0, 0.8)]
    assert decide(tied, UNSORTED, 0.5) == [
        ("data_quality", "warning", 0.8),
        ("governance", "healthy", 0.8),
    ]
    assert decide(tied[::-1], UNSORTED, 0.5) == [
        ("integration", "healthy", 0.8),
        ("data_quality", "warning", 0.8),
    ]


def test_at_most_two_patterns_per_sentence_the_strongest() -> None:
    assert MAX_PATTERNS == 2
    row = [(0.4, 0.6, 0.0), (0.2, 0.8, 0.0), (0.1, 0.0, 0.9)]
    assert decide(row, PATTERNS, 0.5) == [
        ("integration", "healthy", 0.9),
        ("infrastructure", "warning", 0.8),
    ]
    tied = [(0.3, 0.7, 0.0)] * 3
    assert [p for p, _, _ in decide(tied, UNSORTED, 0.5)] == ["integration", "data_quality"]


def test_model_output_comes_back_as_plain_floats() -> None:
    row = np.array([[0.1, 0.875, 0.025], NOTHING, NOTHING], dtype=np.float32)
    [(pattern, stance, probability)] = decide(row.tolist(), PATTERNS, 0.5)
    assert (pattern, stance) == ("data_quality", "warning")
    assert type(probability) is float and probability == 0.875
    found = decide(list(row), PATTERNS, 0.5)  # rows of numpy scalars
    assert type(found[0][2]) is float


def test_a_reading_must_cover_every_pattern() -> None:
    with pytest.raises(ValueError):
        decide([NOTHING, NOTHING], PATTERNS, 0.5)


def test_labels_of_reads_each_sentence_on_its_own() -> None:
    rows = [
        [(0.1, 0.9, 0.0), NOTHING, NOTHING],
        [NOTHING, NOTHING, NOTHING],
        [(0.2, 0.0, 0.8), (0.3, 0.7, 0.0), (0.4, 0.6, 0.0)],
    ]
    assert labels_of(rows, PATTERNS, 0.5) == [
        [("data_quality", "warning")],
        [],
        [("data_quality", "healthy"), ("infrastructure", "warning")],
    ]
