"""Readings -> evidence labels: the reader's decision rule, pure and shared with training.

A reading is, per pattern, three probabilities: not evidence, a warning (a gap as things stand
now), healthy (a control in place now). A sentence is evidence for a pattern when the likelier
side reaches the model's threshold, which training chose on validation data (never on the
test writers) and ships in the model's metadata. At most two patterns per sentence.
"""

from __future__ import annotations

from collections.abc import Sequence

MAX_PATTERNS = 2
Label = tuple[str, str]  # (pattern, "warning" | "healthy")


def decide(
    row: Sequence[Sequence[float]], patterns: Sequence[str], threshold: float
) -> list[tuple[str, str, float]]:
    """One sentence's reading -> ``(pattern, stance, probability)``, strongest first."""
    found = []
    for pattern, (_, warning, healthy) in zip(patterns, row, strict=True):
        best = max(warning, healthy)
        if best >= threshold:
            found.append((pattern, "warning" if warning >= healthy else "healthy", float(best)))
    found.sort(key=lambda item: -item[2])
    return found[:MAX_PATTERNS]


def labels_of(
    rows: Sequence[Sequence[Sequence[float]]], patterns: Sequence[str], threshold: float
) -> list[list[Label]]:
    return [[(p, s) for p, s, _ in decide(row, patterns, threshold)] for row in rows]
