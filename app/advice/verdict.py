"""Verdict: ``Assessment`` + what was heard in each slot + pilot profile -> the go-live verdict.

A blocker of ``knowledge/plan.yaml`` whose slot holds a gap, or a pattern at high risk, stops
go-live (``not_ready``); a pattern at medium risk, a pattern nobody spoke about, a
contradiction, or a legal blocker whose slot nobody spoke about is a condition
(``conditional``); otherwise ``ready``. Every blocker and condition names its evidence and the
item that closes it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from app.advice.profile import holds
from app.knowledge.catalog import Knowledge
from app.schemas import Assessment, Blocker, Evidence, Phase, PilotProfile, PlanItem, Verdict


@dataclass
class Heard:
    """What was said in each slot: its gaps, its controls, and which slots came up at all."""

    gaps: dict[str, list[Evidence]] = field(default_factory=dict)
    controls: dict[str, list[Evidence]] = field(default_factory=dict)
    slots: set[str] = field(default_factory=set)


def heard_in_slots(assessment: Assessment, slot_of: dict[int, str]) -> Heard:
    """Sort the assessment's evidence by the slot it was heard in (``id(evidence) -> slot``)."""
    heard = Heard()
    for pattern in assessment.patterns:
        for e in pattern.evidence:
            slot = slot_of.get(id(e))
            if slot is None:
                continue
            heard.slots.add(slot)
            side = heard.gaps if e.signal.polarity == "warning" else heard.controls
            side.setdefault(slot, []).append(e)
    return heard


def decide(
    knowledge: Knowledge,
    assessment: Assessment,
    profile: PilotProfile,
    heard: Heard,
    eligible: set[str],
) -> Verdict:
    """The verdict, its blockers and conditions; each names the eligible item closing it."""
    blockers: list[Blocker] = []
    conditions: list[Blocker] = []
    ruled: set[str] = set()
    gaps_in, controls_in = heard.gaps, heard.controls
    for rule in knowledge.plan.blockers:
        if not all(holds(c, profile) for c in rule.when):
            continue
        items = [rule.item] if rule.item in eligible else []
        pattern = _pattern_of_slot(knowledge, rule.slot)
        if rule.slot in gaps_in and rule.slot in controls_in:
            # A gap and a control in the same place: worth settling, not a stop.
            evidence = strongest(gaps_in[rule.slot])
            conditions.append(
                Blocker(
                    id=rule.id,
                    pattern=pattern,
                    text=f"{rule.unheard} Accounts differ: one names a control, another a gap.",
                    evidence=[*evidence[:1], *strongest(controls_in[rule.slot])[:1]],
                    items=items,
                )
            )
        elif rule.slot in gaps_in:
            evidence = strongest(gaps_in[rule.slot])
            blockers.append(
                Blocker(id=rule.id, pattern=pattern, text=rule.gap, evidence=evidence, items=items)
            )
            ruled.add(pattern)
        elif rule.when and rule.slot not in heard.slots:
            conditions.append(Blocker(id=rule.id, pattern=pattern, text=rule.unheard, items=items))
    contested = {f.pattern for f in assessment.findings if f.kind == "contradiction" and f.pattern}
    for p in assessment.patterns:
        warnings = strongest([e for e in p.evidence if e.signal.polarity == "warning"])
        if p.level == "high" and p.id not in ruled:
            blockers.append(
                Blocker(
                    id=f"{p.id}-high",
                    pattern=p.id,
                    text=f"{p.name} is at high risk ({p.risk_text}): its gaps are current "
                    "and unresolved.",
                    evidence=warnings,
                )
            )
        elif p.level == "medium" and p.id not in ruled:
            conditions.append(
                Blocker(
                    id=f"{p.id}-medium",
                    pattern=p.id,
                    text=f"{p.name} has gaps to close before go-live ({p.risk_text}).",
                    evidence=warnings,
                )
            )
        elif p.risk is None:
            conditions.append(
                Blocker(
                    id=f"{p.id}-unheard",
                    pattern=p.id,
                    text=f"Nobody has described {p.name} yet: ask the people who know it "
                    "before go-live.",
                )
            )
        elif p.id in contested and not p.at_risk:
            conditions.append(
                Blocker(
                    id=f"{p.id}-contested",
                    pattern=p.id,
                    text=f"Accounts of {p.name} disagree: settle which is right.",
                    evidence=next(
                        f.evidence
                        for f in assessment.findings
                        if f.kind == "contradiction" and f.pattern == p.id
                    ),
                )
            )
    if blockers:
        status, headline = (
            "not_ready",
            (
                f"Not ready to go live: {_count(len(blockers), 'gap')} "
                f"{'blocks' if len(blockers) == 1 else 'block'} it."
            ),
        )
    elif conditions:
        status, headline = (
            "conditional",
            (
                f"Ready with conditions: {_count(len(conditions), 'condition')} to meet "
                "before go-live."
            ),
        )
    else:
        status, headline = (
            "ready",
            ("Ready to go live: every area was discussed, and no gap stands in the way."),
        )
    return Verdict(status=status, headline=headline, blockers=blockers, conditions=conditions)


def link_items(
    verdict: Verdict,
    assessment: Assessment,
    items: Sequence[PlanItem],
    builds: Collection[str],
) -> None:
    """Keep only the planned items on each blocker and condition; a pattern-wide one whose
    item was left out is closed by that pattern's build items (ids in ``builds``)."""
    kept = {item.id for item in items}
    own_items: dict[str, list[str]] = {}
    for item in items:
        if item.id in builds:
            own_items.setdefault(item.pattern, []).append(item.id)
    at_risk = {f"{p.id}-{level}" for p in assessment.patterns for level in ("high", "medium")}
    for rule in [*verdict.blockers, *verdict.conditions]:
        rule.items = [i for i in rule.items if i in kept]
        if not rule.items and rule.pattern is not None and rule.id in at_risk:
            rule.items = own_items.get(rule.pattern, [])


def late(verdict: Verdict, phases: Sequence[Phase], profile: PilotProfile) -> str | None:
    """Whether the work go-live waits for fits before the target go-live date."""
    if not profile.go_live:
        return None
    due = {i.id: i.due for ph in phases for i in ph.items if i.due}
    needed = [due[i] for b in [*verdict.blockers, *verdict.conditions] for i in b.items if i in due]
    if not needed:
        return None
    last = max(needed)
    if last <= profile.go_live:
        return (
            f"The work go-live waits for is due by {last}, before the target go-live date "
            f"of {profile.go_live}."
        )
    return (
        f"The work go-live waits for is due by {last}, after the target go-live date "
        f"of {profile.go_live}: move the date, or bring that work forward."
    )


def strongest(evidence: Sequence[Evidence]) -> list[Evidence]:
    """Strongest first, each quote once."""
    seen: set[str] = set()
    out = []
    for e in sorted(evidence, key=lambda e: -e.probability * max(e.weight, 1e-6)):
        if e.quote not in seen:
            seen.add(e.quote)
            out.append(e)
    return out


def _pattern_of_slot(knowledge: Knowledge, slot_id: str) -> str:
    return next(p.id for p in knowledge.catalog.patterns if any(s.id == slot_id for s in p.slots))


def _count(number: int, noun: str) -> str:
    words = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
    word = words[number] if number < len(words) else str(number)
    return f"{word} {noun}{'' if number == 1 else 's'}"
