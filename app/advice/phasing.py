"""Phasing: chosen blocks -> the phase each lands in, their order, and the dated phases.

High risk with small or medium effort starts in the first 30 days, large efforts and medium
risks in days 30-90, and each planned prerequisite below a block pushes it one phase later, so
foundations come first. A prerequisite never lands after the block that needs it, and within
a phase the riskiest pattern comes first.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from app.advice.selection import Chosen
from app.schemas import Phase, PlanItem, Verdict

PHASES = ("First 30 days", "Days 30-90", "Days 90-180")
PHASE_DAYS = ((0, 30), (30, 90), (90, 180))


def base_phase(level: str, effort: str) -> int:
    """The phase a block of a pattern at ``level`` risk starts in, before prerequisites."""
    if level == "high":
        return 0 if effort in ("S", "M") else 1
    return 1 if effort in ("S", "M") else 2


def chain_depths(chosen: Chosen) -> dict[str, int]:
    """How many planned prerequisites stand below each block, on the longest chain."""
    memo: dict[str, int] = {}

    def depth(rec_id: str, trail: frozenset[str]) -> int:
        if rec_id not in memo:
            deps = [d for d in chosen[rec_id][0].depends_on if d in chosen and d not in trail]
            memo[rec_id] = 1 + max((depth(d, trail | {rec_id}) for d in deps), default=-1)
        return memo[rec_id]

    return {rec_id: depth(rec_id, frozenset()) for rec_id in chosen}


def settle_phases(chosen: Chosen, depths: dict[str, int]) -> dict[str, int]:
    """Each block's phase: its base phase pushed by its depth, then every prerequisite pulled
    up to the phase of the earliest block that needs it."""
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


def dependency_order(
    chosen: Chosen,
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


def due(today: date, phase: int) -> str:
    """The date an item of ``phase`` is due: the end of its phase."""
    return (today + timedelta(days=PHASE_DAYS[phase][1])).isoformat()


def dated_phases(
    items: Sequence[tuple[int, PlanItem]], verdict: Verdict, today: date
) -> list[Phase]:
    """The three phases with their items and dates; an item depends only on kept items, and an
    empty phase says why it is empty."""
    kept = {item.id for _, item in items}
    phases = []
    for number, name in enumerate(PHASES):
        own = [i for p, i in items if p == number]
        for item in own:
            item.depends_on = [d for d in item.depends_on if d in kept]
        first, last = PHASE_DAYS[number]
        phases.append(
            Phase(
                name=name,
                items=own,
                note=None if own else _empty_note(number, verdict),
                starts=(today + timedelta(days=first)).isoformat(),
                ends=(today + timedelta(days=last)).isoformat(),
            )
        )
    return phases


def _empty_note(phase: int, verdict: Verdict) -> str:
    if phase == 0:
        return "Nothing must start in the first 30 days: no gap found needs urgent work."
    if phase == 1:
        return "Nothing is scheduled for days 30-90: the work found fits in the first phase."
    if verdict.status == "ready":
        return (
            "Nothing is scheduled after day 90: no area is at risk, so no running or scaling "
            "work is needed beyond the usual reviews."
        )
    return (
        "Nothing is scheduled after day 90: the areas at risk need their gaps closed first; "
        "plan running and scaling work once they are."
    )
