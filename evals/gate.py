"""The regression gate: a metric table or a report -> targets met, regressions, a baseline.

``TARGETS`` are the absolute bars a release aims at; ``TOLERANCES`` say how far each metric may
fall below the committed baseline (``evals/baseline.json``) before ``advisor eval --compare``
fails. ``baseline_of`` turns a report into such a baseline.
"""

from __future__ import annotations

from typing import Any

from evals import metrics
from evals.schemas import Regression, Report

TARGETS: dict[str, tuple[str, float]] = {
    "macro_f1": (">=", 0.85),
    "at_risk_recall": (">=", 0.85),
    "healthy_specificity": (">=", 0.85),
    "evidence_precision": (">=", 0.75),
    "evidence_recall": (">=", 0.60),
    "ranking_accuracy": (">=", 0.90),
    "retrieval_recall_at_5": (">=", 0.90),
    "citation_validity": (">=", 1.0),
    "do_not_cite_violations": ("<=", 0.0),
    "injection_robustness": (">=", 1.0),
    "persona_facts_elicited": (">=", 0.75),
    "persona_verdict_agreement": (">=", 0.85),
    "persona_repeated_questions": ("<=", 0.0),
    "persona_contradicting_acknowledgements": ("<=", 0.0),
    "plan_verdict_agreement": (">=", 0.85),
    "plan_forbidden_items": ("<=", 0.0),
    "plan_required_items": (">=", 1.0),
    "plan_at_risk_items": (">=", 1.0),
    "plan_why_here_quoted": (">=", 1.0),
    "suite_seconds": ("<=", 60.0),
}
# How far a metric may fall below the committed baseline before the gate fails. Per-pattern
# figures rest on a dozen labels each, so one flipped label moves them by several points.
TOLERANCES: dict[str, float] = {
    "default": 0.1,
    "macro_f1": 0.02,
    "ranking_accuracy": 0.03,
    "at_risk_recall": 0.03,
    "healthy_specificity": 0.03,
    "evidence_precision": 0.01,
    "evidence_recall": 0.01,
    "retrieval_recall_at_5": 0.02,
    "retrieval_mrr": 0.03,
    "plan_coverage": 0.03,
    "citation_validity": 0.0,
    "citation_relevance": 0.0,
    "do_not_cite_violations": 0.0,
    "injection_robustness": 0.0,
    "injection_detection": 0.0,
    "persona_facts_elicited": 0.03,
    "persona_verdict_agreement": 0.03,
    "persona_repeated_questions": 0.0,
    "persona_contradicting_acknowledgements": 0.0,
    "plan_verdict_agreement": 0.0,
    "plan_forbidden_items": 0.0,
    "plan_required_items": 0.0,
    "plan_at_risk_items": 0.0,
    "plan_why_here_quoted": 0.0,
}
LOWER_IS_BETTER = {
    "do_not_cite_violations",
    "suite_seconds",
    "latency_p95_seconds",
    "persona_repeated_questions",
    "persona_contradicting_acknowledgements",
    "plan_forbidden_items",
}


def _meets(value: float, op: str, bound: float) -> bool:
    return value >= bound - 1e-9 if op == ">=" else value <= bound + 1e-9


def targets_met(table: dict[str, metrics.Metric]) -> dict[str, bool]:
    """Whether each metric with a target in ``TARGETS`` reaches it."""
    return {
        name: _meets(table[name].value, op, bound)
        for name, (op, bound) in TARGETS.items()
        if name in table
    }


def compare(report: Report, baseline: dict[str, Any]) -> list[Regression]:
    """Metrics worse than the baseline by more than their tolerance."""
    tolerances: dict[str, float] = baseline.get("tolerances", {})
    out = []
    for name, expected in baseline.get("metrics", {}).items():
        if name not in report.metrics:
            continue
        value = float(report.metrics[name]["value"])
        tolerance = float(tolerances.get(name, tolerances.get("default", 0.0)))
        worse = (
            value > expected + tolerance
            if name in LOWER_IS_BETTER
            else value < expected - tolerance
        )
        if worse:
            out.append(Regression(metric=name, baseline=expected, value=value, tolerance=tolerance))
    return out


def baseline_of(report: Report, tolerances: dict[str, float]) -> dict[str, Any]:
    keep = [k for k in report.metrics if k != "suite_seconds" and not k.startswith("latency")]
    return {
        "engine": report.engine,
        "created": report.created,
        "metrics": {k: report.metrics[k]["value"] for k in keep},
        "tolerances": tolerances,
    }
