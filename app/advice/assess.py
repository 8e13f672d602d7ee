"""Assess: ``Evidence`` -> a 0-100 risk, a level and a confidence per pattern, with findings.

Each item of evidence carries the reader's probability ``q`` that it is a warning (a gap now)
or a healthy sign (a control in place now) for its pattern. The score is a ratio a reader can
redo by hand:

    W = sum of warning q, H = sum of healthy q (after the two rules below)
    risk = 100 * (W + a) / (W + H + 2a)            with a = PRIOR = 0.5

- **Nothing said, nothing scored**: a pattern with no evidence is ``not_assessed`` (risk
  null, confidence 0), never "medium".
- **Repetition decays**: within one source (a stakeholder, a document) and one side, the
  strongest item counts fully, the next ``DECAY`` times as much, and so on, so a long document
  or a talkative stakeholder cannot swamp the rest. The same sentence read twice (chunk
  overlap) counts once, and so does a document whose text repeats another's (the same report
  uploaded as .md and .docx).
- **Contradicted assurances**: a healthy statement contradicted by a warning about the same
  thing from another stakeholder or a document is a finding, and keeps the pattern at least
  medium. "The same thing" means the same pattern, opposite sides, and quotes close in
  meaning (cosine of their embeddings >= ``CONTRADICTION_SIMILARITY``); two people describing
  the same system the same way are not a contradiction.

Levels: medium from ``ADVISOR_RISK_MEDIUM`` (46), high from ``ADVISOR_RISK_HIGH`` (65). With
``a = 0.5``, one clear warning (q = 0.9) and nothing else gives 74 (high); one clear healthy
sign gives 26 (low); one of each from different people gives 50 (medium).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Sequence

import numpy as np

from app.knowledge.catalog import Catalog
from app.schemas import Evidence, Finding, Level, PatternAssessment

PRIOR = 0.5
DECAY = 0.5
CONFIDENCE_SCALE = 2.0
CONTRADICTION_SIMILARITY = 0.5


def source_key(item: Evidence) -> str:
    source = item.source
    if source.kind == "turn":
        return f"speaker:{source.speaker or source.role or '?'}"
    return f"file:{source.file}"


def _words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


# A sentence this long or longer that ends another sentence of the same source is a repeat of
# it ("As I said, the extract failed twice in March." repeats "The extract failed twice ...").
REPEAT_WORDS = 5


def distinct(evidence: Sequence[Evidence]) -> list[Evidence]:
    """One item per (source, sentence, pattern): the strongest reading of a repeated quote. A
    sentence said again with a preface ("As I said, ...") is the same sentence."""
    best: dict[tuple[str, str], dict[str, Evidence]] = defaultdict(dict)
    for item in sorted(evidence, key=lambda e: len(e.quote)):
        said = best[(source_key(item), item.pattern)]
        words = _words(item.quote)
        key = next(
            (
                seen
                for seen in said
                if len(seen.split()) >= REPEAT_WORDS and words.endswith(f" {seen}")
            ),
            words,
        )
        if key not in said or item.probability > said[key].probability:
            said[key] = item
    return [item for said in best.values() for item in said.values()]


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
    catalog: Catalog,
    evidence: Sequence[Evidence],
    medium: int,
    high: int,
    contradicted: Sequence[str] = (),
) -> list[PatternAssessment]:
    """One assessment per pattern, in catalog order, every item of evidence strongest first.
    Patterns in ``contradicted`` hold a contradicted assurance and are at least medium."""
    out = []
    unique = distinct(evidence)
    for pattern in catalog.patterns:
        own = [e for e in unique if e.pattern == pattern.id]
        own.sort(key=lambda e: (-e.probability, e.signal.polarity != "warning"))
        warning, healthy = totals(own)
        if not own:
            risk: int | None = None
            level: Level = "not_assessed"
        else:
            risk = risk_of(warning, healthy)
            if pattern.id in contradicted:
                risk = max(risk, medium)
            level = level_of(risk, medium, high)
        out.append(
            PatternAssessment(
                id=pattern.id,
                name=pattern.name,
                risk=risk,
                level=level,
                confidence=confidence_of(warning, healthy),
                assessed=bool(own),
                warning_weight=round(warning, 2),
                healthy_weight=round(healthy, 2),
                evidence_count=len(own),
                evidence=own,
            )
        )
    return out


def _who(item: Evidence) -> str:
    return item.source.label()


def contradictions(
    evidence: Sequence[Evidence],
    vector: Callable[[Evidence], np.ndarray | None],
    catalog: Catalog,
) -> list[Finding]:
    """Per pattern, the closest pair of a healthy and a warning statement about the same thing
    from different stakeholders, or a stakeholder and a document."""
    found: list[Finding] = []
    unique = distinct(evidence)
    for pattern in catalog.ids:
        own = [e for e in unique if e.pattern == pattern]
        warnings = [e for e in own if e.signal.polarity == "warning"]
        healthy = [e for e in own if e.signal.polarity == "healthy"]
        best: tuple[float, Evidence, Evidence] | None = None
        for w in warnings:
            for h in healthy:
                if source_key(w) == source_key(h):
                    continue
                similarity = _similarity(vector, w, h)
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


def _similarity(vector: Callable[[Evidence], np.ndarray | None], a: Evidence, b: Evidence) -> float:
    va, vb = vector(a), vector(b)
    if va is None or vb is None:
        return 0.0
    return float(va @ vb)
