"""Assessment or Plan -> JSON: the shapes of ``advisor assess --json`` and
``advisor plan --format json``, and the JSON export."""

from __future__ import annotations

import json
from typing import Any

from app.schemas import Assessment, Evidence, Plan


def evidence_json(item: Evidence) -> dict[str, Any]:
    return {
        "quote": item.quote,
        "source": item.source.model_dump(),
        "signal": item.signal.model_dump(),
        "probability": item.probability,
        "context": item.context,
        "weight": item.weight,
        "hedged": item.hedged,
    }


def assessment_json(assessment: Assessment) -> dict[str, Any]:
    """The ``advisor assess --json`` shape."""
    return {
        "engine": assessment.engine,
        "patterns": [
            {
                "id": p.id,
                "name": p.name,
                "risk": p.risk,
                "level": p.level,
                "confidence": p.confidence,
                "assessed": p.assessed,
                "evidence_count": p.evidence_count,
                "evidence": [evidence_json(e) for e in p.evidence],
            }
            for p in assessment.patterns
        ],
        "findings": [
            {"kind": f.kind, "pattern": f.pattern, "text": f.text} for f in assessment.findings
        ],
        "audit": assessment.audit.model_dump(),
    }


def plan_json(plan: Plan) -> dict[str, Any]:
    """The ``advisor plan --format json`` shape."""
    return {
        "pilot": plan.pilot,
        "verdict": plan.verdict.model_dump(mode="json") if plan.verdict else None,
        "profile": plan.profile.model_dump(mode="json"),
        "executive_summary": plan.executive_summary,
        "summary": plan.summary,
        "assessment": assessment_json(plan.assessment),
        "phases": [
            {
                "name": phase.name,
                "starts": phase.starts,
                "ends": phase.ends,
                "note": phase.note,
                "items": [
                    {
                        "id": item.id,
                        "title": item.title,
                        "pattern": item.pattern,
                        "action": item.action,
                        "owner": item.owner,
                        "effort": item.effort,
                        "timeframe": item.timeframe,
                        "kpi": item.kpi,
                        "depends_on": item.depends_on,
                        "rationale": item.rationale,
                        "why_here": item.why_here,
                        "owner_stakeholder": item.owner_stakeholder,
                        "due": item.due,
                        "applies_when": item.applies_when,
                        "citations": [c.model_dump() for c in item.citations],
                        "evidence": [evidence_json(e) for e in item.evidence],
                    }
                    for item in phase.items
                ],
            }
            for phase in plan.phases
        ],
        "audit": plan.audit.model_dump(),
    }


def to_json(plan: Plan) -> str:
    return json.dumps(plan_json(plan), indent=2, ensure_ascii=False)
