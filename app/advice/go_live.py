"""Go-live questions: "can we go live next month?" + plan -> an ``Answer`` from the verdict.

The answer opens with the verdict, quotes each blocker's and condition's evidence, cites the
item that fixes it with its due date, and says whether that work is due before the date the
question asks about ("next month", or a date it names).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from app.advice.profile import parse_date
from app.advice.rationale import quoted
from app.schemas import Answer, Plan

_GO_LIVE_QUESTION = re.compile(
    r"\b(can|could|should|shall|are|is|when|will|ready)\b.{0,50}"
    r"\b(go(ing)?[- ]?live|launch|roll(ing)?( it)?[- ]?out|ready|(in|into) production|"
    r"switch (it )?on)\b",
    re.IGNORECASE,
)
_RELATIVE = {"next week": 7, "next month": 31, "next quarter": 92, "this month": 15}


def asks_about_going_live(question: str) -> bool:
    return bool(_GO_LIVE_QUESTION.search(question))


def verdict_answer(plan: Plan, question: str, engine: str, today: date) -> Answer:
    """Answer "can we go live next month?" with the verdict, its reasons and when the work
    go-live waits for is due; every reason is quoted and every fix is cited."""
    verdict = plan.verdict
    if verdict is None:
        raise ValueError("the plan has no verdict")
    opening = {
        "not_ready": "No, not yet.",
        "conditional": "Only if the conditions below are met first.",
        "ready": "Yes.",
    }[verdict.status]
    items = {i.id: i for i in plan.items()}
    lines = [f"{opening} {verdict.headline}"]
    citations = []
    for title, rules in (("Blocking", verdict.blockers), ("Conditions", verdict.conditions)):
        for rule in rules:
            line = f"- {title}: {rule.text}"
            if rule.evidence:
                line += f" {quoted(rule.evidence[0])}"
            fixes = [items[i] for i in rule.items if i in items]
            if fixes and fixes[0].citations:
                citations.append(fixes[0].citations[0])
                line += f" Fix: {fixes[0].title}, due {fixes[0].due} [{len(citations)}]."
            lines.append(line)
    target = _target_date(question, today)
    needed = [
        items[i].due
        for rule in [*verdict.blockers, *verdict.conditions]
        for i in rule.items
        if i in items and items[i].due
    ]
    if target and needed:
        last = max(d for d in needed if d)
        if last and last > target:
            lines.append(
                f"The work go-live waits for is due by {last}, after {target}: that date "
                "is too early unless this work is brought forward."
            )
        elif last:
            lines.append(f"The work go-live waits for is due by {last}, before {target}.")
    return Answer(question=question, text="\n".join(lines), citations=citations, engine=engine)


def _target_date(question: str, today: date) -> str | None:
    lowered = question.lower()
    for phrase, days in _RELATIVE.items():
        if phrase in lowered:
            return (today + timedelta(days=days)).isoformat()
    return parse_date(question)
