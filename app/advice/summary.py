"""Summary: verdict + profile + assessment + phases -> a one-page executive summary.

Plain words for a reader who will not open the plan: the verdict, what stops or conditions
go-live and the item that fixes each, the timing, what to start with, and each area in a
line. Jargon from the glossary of ``knowledge/plan.yaml`` is explained the first time it
appears.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from app.advice.profile import describe
from app.advice.rationale import quoted
from app.knowledge.catalog import Knowledge
from app.schemas import Assessment, Phase, PilotProfile, Verdict


def executive_summary(
    verdict: Verdict,
    profile: PilotProfile,
    assessment: Assessment,
    phases: Sequence[Phase],
    knowledge: Knowledge,
) -> str:
    """One page in plain words: the verdict, why, what to do first, and each area in a line.
    Jargon from the glossary is explained the first time it appears."""
    items = {i.id: i for ph in phases for i in ph.items}
    lines = [f"**{verdict.headline}**", ""]
    facts = describe(profile, knowledge.plan)
    if facts:
        lines += [f"The pilot, as we understand it: {', '.join(facts)}.", ""]
    for title, rules in (
        ("What stops go-live", verdict.blockers),
        ("Conditions", verdict.conditions),
    ):
        if not rules:
            continue
        lines.append(f"{title}:")
        for rule in rules:
            line = f"- {rule.text}"
            if rule.evidence:
                line += f" {quoted(rule.evidence[0])}"
            fixes = [items[i].title for i in rule.items if i in items]
            if fixes:
                line += f" Fix: {fixes[0]}."
            lines.append(line)
        lines.append("")
    if verdict.timing:
        lines += [f"Timing: {verdict.timing}", ""]
    first = phases[0].items[:3] if phases else []
    if first:
        lines.append("Start with:")
        lines += [
            f"- {i.title} (owner: {i.owner}; by {i.due})" if i.due else f"- {i.title}"
            for i in first
        ]
        lines.append("")
    lines.append("Area by area:")
    for p in assessment.patterns:
        lines.append(f"- {p.name}: {_plain_level(p.level)}.")
    total = sum(len(ph.items) for ph in phases)
    lines += ["", f"The plan holds {total} actions over 180 days, each with its source."]
    return gloss("\n".join(lines), knowledge.plan.glossary)


def gloss(text: str, glossary: dict[str, str]) -> str:
    """Explain each glossary term at its first appearance: "DPIA (data protection impact
    assessment)"."""
    for term, meaning in glossary.items():
        pattern = re.compile(rf"(?<![\w-]){re.escape(term)}(?![\w-])", re.IGNORECASE)
        match = pattern.search(text)
        if match is None or meaning.lower() in text.lower():
            continue
        text = text[: match.end()] + f" ({meaning})" + text[match.end() :]
    return text


def _plain_level(level: str) -> str:
    return {
        "high": "serious gaps, must be fixed first",
        "medium": "some gaps to close",
        "low": "in good shape",
        "not_assessed": "not discussed yet",
    }.get(level, level)
