"""Assess: ``Evidence`` -> a 0-100 risk, a level and a confidence per pattern, with findings.

The score is a ratio of weights, so a reader can redo it by hand:

    risk = 100 * (W + a) / (W + H + 2a)

``W`` is the warning weight and ``H`` the healthy weight found for the pattern, and ``a``
(``PRIOR``) is a pseudo-weight on each side, so a pattern nobody spoke about sits at 50
("unknown", confidence 0) and one clear sign moves it, without a single remark deciding it.
Each item of evidence weighs its sign's severity (1-3) times how closely it matched, less when
hedged. Within one source (a stakeholder, a document) and one direction, repeated evidence
decays: the strongest counts fully, the next ``DECAY`` times as much, and so on, so a long
document or a talkative stakeholder cannot swamp the rest.

Contradictions: a warning and a healthy statement about the same thing (their quotes are close
in meaning), both read from explicit cue words rather than similarity alone, from two
different speakers, or from the same speaker at different turns.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence

import numpy as np

from app.knowledge import Catalog
from app.schemas import Evidence, Finding, Level, PatternAssessment
from app.signals import Detection

PRIOR = 1.5
DECAY = 0.6
CONFIDENCE_SCALE = 3.0
CONTRADICTION_SIMILARITY = 0.5
MAX_EVIDENCE_SHOWN = 8


def source_key(item: Evidence) -> str:
    source = item.source
    if source.kind == "turn":
        return f"speaker:{source.speaker or source.role or '?'}"
    return f"file:{source.file}"


def _decayed(weights: list[float]) -> float:
    return sum(w * DECAY**i for i, w in enumerate(sorted(weights, reverse=True)))


def totals(evidence: Sequence[Evidence]) -> tuple[float, float]:
    """Warning and healthy weight of one pattern's evidence, decayed within each source."""
    groups: dict[tuple[str, str], list[float]] = defaultdict(list)
    for item in evidence:
        groups[(source_key(item), item.signal.polarity)].append(item.weight)
    warning = sum(_decayed(w) for (_, pol), w in groups.items() if pol == "warning")
    healthy = sum(_decayed(w) for (_, pol), w in groups.items() if pol == "healthy")
    return warning, healthy


def risk_of(warning: float, healthy: float) -> int:
    return round(100 * (warning + PRIOR) / (warning + healthy + 2 * PRIOR))


def confidence_of(warning: float, healthy: float) -> float:
    total = warning + healthy
    if total == 0:
        return 0.0
    agreement = 1 - 0.5 * min(warning, healthy) / max(warning, healthy)
    return round(total / (total + CONFIDENCE_SCALE) * agreement, 2)


def level_of(risk: int, medium: int, high: int) -> Level:
    if risk >= high:
        return "high"
    return "medium" if risk >= medium else "low"


def score(
    catalog: Catalog, evidence: Sequence[Evidence], medium: int, high: int
) -> list[PatternAssessment]:
    """One assessment per pattern, in catalog order, strongest evidence first."""
    out = []
    for pattern in catalog.patterns:
        own = [e for e in evidence if e.pattern == pattern.id]
        warning, healthy = totals(own)
        risk = risk_of(warning, healthy)
        own.sort(key=lambda e: (-e.weight, e.signal.polarity != "warning"))
        out.append(
            PatternAssessment(
                id=pattern.id,
                name=pattern.name,
                risk=risk,
                level=level_of(risk, medium, high),
                confidence=confidence_of(warning, healthy),
                assessed=bool(own),
                warning_weight=round(warning, 2),
                healthy_weight=round(healthy, 2),
                evidence=own[:MAX_EVIDENCE_SHOWN],
            )
        )
    return out


def _who(item: Evidence) -> str:
    return item.source.label()


def contradictions(detection: Detection, catalog: Catalog) -> list[Finding]:
    """Warning and healthy statements about the same thing from different people or turns."""
    found: list[Finding] = []
    for pattern in catalog.ids:
        own = [e for e in detection.evidence if e.pattern == pattern]
        warnings = [e for e in own if e.signal.polarity == "warning"]
        healthy = [e for e in own if e.signal.polarity == "healthy"]
        best: tuple[float, Evidence, Evidence] | None = None
        for w in warnings:
            for h in healthy:
                if not _different_voice(w, h) or not (w.cues and h.cues):
                    continue
                similarity = _similarity(detection.vector, w, h)
                if similarity >= CONTRADICTION_SIMILARITY and (
                    best is None or similarity > best[0]
                ):
                    best = (similarity, w, h)
        if best is None:
            continue
        _, w, h = best
        name = catalog.pattern(pattern).name
        found.append(
            Finding(
                kind="contradiction",
                pattern=pattern,
                text=(
                    f"{name}: {_who(h)} says \u201c{h.quote}\u201d, but {_who(w)} says "
                    f"\u201c{w.quote}\u201d. Settle which is true before relying on either."
                ),
                evidence=[h, w],
            )
        )
    return found


def _different_voice(a: Evidence, b: Evidence) -> bool:
    if source_key(a) != source_key(b):
        return True
    if a.source.kind == "turn" and b.source.kind == "turn":
        return a.source.turn != b.source.turn
    return False


def _similarity(vector: Callable[[Evidence], np.ndarray | None], a: Evidence, b: Evidence) -> float:
    va, vb = vector(a), vector(b)
    if va is None or vb is None:
        return 0.0
    return float(va @ vb)
