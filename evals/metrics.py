"""Eval metrics: pure functions of predictions and labels, each returning a value and a reason.

Every metric here is deterministic and needs no model; the eval cases (``evals.cases``)
collect the inputs, one row per case, and ``evals.scoring`` applies these functions to turn
them into numbers a regression gate can compare.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Metric:
    value: float
    reason: str


@dataclass(frozen=True)
class Label:
    """One expected label against one prediction: a scenario's pattern."""

    case: str
    pattern: str
    expected: str  # "at_risk" | "healthy"
    predicted: str  # "at_risk" | "healthy"
    risk: int


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else 0.0


def confusion(labels: Sequence[Label], pattern: str) -> dict[str, int]:
    own = [lab for lab in labels if lab.pattern == pattern]
    return {
        "tp": sum(1 for x in own if x.expected == "at_risk" and x.predicted == "at_risk"),
        "fp": sum(1 for x in own if x.expected == "healthy" and x.predicted == "at_risk"),
        "fn": sum(1 for x in own if x.expected == "at_risk" and x.predicted == "healthy"),
        "tn": sum(1 for x in own if x.expected == "healthy" and x.predicted == "healthy"),
    }


def f1(labels: Sequence[Label], pattern: str) -> Metric:
    """F1 of at-risk detection for one pattern."""
    c = confusion(labels, pattern)
    precision = _ratio(c["tp"], c["tp"] + c["fp"])
    recall = _ratio(c["tp"], c["tp"] + c["fn"])
    value = _ratio(2 * precision * recall, precision + recall)
    return Metric(
        value,
        f"{pattern}: precision {precision:.2f}, recall {recall:.2f} "
        f"(tp {c['tp']}, fp {c['fp']}, fn {c['fn']}, tn {c['tn']})",
    )


def precision(labels: Sequence[Label], pattern: str) -> Metric:
    c = confusion(labels, pattern)
    return Metric(_ratio(c["tp"], c["tp"] + c["fp"]), f"{c['tp']} of {c['tp'] + c['fp']}")


def recall(labels: Sequence[Label], pattern: str) -> Metric:
    c = confusion(labels, pattern)
    return Metric(_ratio(c["tp"], c["tp"] + c["fn"]), f"{c['tp']} of {c['tp'] + c['fn']}")


def macro_f1(labels: Sequence[Label], patterns: Sequence[str]) -> Metric:
    scores = [f1(labels, p).value for p in patterns]
    value = sum(scores) / len(scores) if scores else 0.0
    detail = ", ".join(f"{p} {s:.2f}" for p, s in zip(patterns, scores, strict=True))
    return Metric(value, f"mean of per-pattern F1: {detail}")


def at_risk_recall(labels: Sequence[Label]) -> Metric:
    """Share of at-risk labels, over all patterns, that the advisor rated medium or high."""
    risky = [x for x in labels if x.expected == "at_risk"]
    hits = sum(1 for x in risky if x.predicted == "at_risk")
    return Metric(_ratio(hits, len(risky)), f"{hits} of {len(risky)} at-risk patterns found")


def healthy_specificity(labels: Sequence[Label]) -> Metric:
    """Share of healthy labels the advisor did not rate at risk (low or not assessed)."""
    healthy = [x for x in labels if x.expected == "healthy"]
    kept = sum(1 for x in healthy if x.predicted == "healthy")
    return Metric(_ratio(kept, len(healthy)), f"{kept} of {len(healthy)} healthy patterns kept")


def ranking_accuracy(labels: Sequence[Label]) -> Metric:
    """Share of (at-risk, healthy) pairs within a scenario where the at-risk one scores higher."""
    pairs = correct = 0
    failing: list[str] = []
    for case in sorted({x.case for x in labels}):
        own = [x for x in labels if x.case == case]
        for risky in (x for x in own if x.expected == "at_risk"):
            for healthy in (x for x in own if x.expected == "healthy"):
                pairs += 1
                if risky.risk > healthy.risk:
                    correct += 1
                else:
                    failing.append(
                        f"{case}: {risky.pattern} {risky.risk} <= {healthy.pattern} {healthy.risk}"
                    )
    reason = f"{correct} of {pairs} pairs ordered correctly"
    if failing:
        reason += "; e.g. " + "; ".join(failing[:3])
    return Metric(_ratio(correct, pairs), reason)


def recall_at_k(ranks: Sequence[int | None], k: int = 5) -> Metric:
    """Share of questions whose expected section is among the first ``k`` results."""
    hits = sum(1 for r in ranks if r is not None and r <= k)
    return Metric(_ratio(hits, len(ranks)), f"{hits} of {len(ranks)} in the top {k}")


def mrr(ranks: Sequence[int | None]) -> Metric:
    total = sum(1 / r for r in ranks if r)
    return Metric(_ratio(total, len(ranks)), f"mean reciprocal rank over {len(ranks)} questions")


def share(passed: Sequence[bool], what: str) -> Metric:
    """The share of checks that passed, e.g. citations verbatim in their chunk."""
    good = sum(1 for p in passed if p)
    return Metric(_ratio(good, len(passed)) if passed else 1.0, f"{good} of {len(passed)} {what}")


def count(items: Sequence[str], what: str) -> Metric:
    """A count that should be zero, e.g. do-not-cite figures repeated."""
    reason = f"{len(items)} {what}" + (": " + "; ".join(items[:3]) if items else "")
    return Metric(float(len(items)), reason)


def latency(seconds: Sequence[float]) -> Metric:
    if not seconds:
        return Metric(0.0, "no cases")
    ordered = sorted(seconds)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return Metric(p95, f"p95 of {len(ordered)} cases; max {ordered[-1]:.2f} s")


def evidence_scores(
    gold: Sequence[Sequence[tuple[str, str]]],
    predicted: Sequence[Sequence[tuple[str, str]]],
    patterns: Sequence[str],
) -> dict[str, float]:
    """Sentence-level evidence precision and recall.

    An item is (sentence, pattern, stance). Precision: the share of predicted items whose
    sentence carries the same pattern with the same stance in the gold labels; recall: the
    share of gold items predicted. Also per pattern and side, and the share of sentences
    without gold evidence that got none.
    """
    want = {(n, p, s) for n, found in enumerate(gold) for p, s in found}
    got = {(n, p, s) for n, found in enumerate(predicted) for p, s in found}
    hit = len(want & got)
    out = {
        "precision": _ratio(hit, len(got)),
        "recall": _ratio(hit, len(want)),
        "items_predicted": float(len(got)),
        "items_gold": float(len(want)),
    }
    out["f1"] = _ratio(2 * out["precision"] * out["recall"], out["precision"] + out["recall"])
    for pattern in patterns:
        for stance in ("warning", "healthy"):
            w = {i for i in want if i[1:] == (pattern, stance)}
            g = {i for i in got if i[1:] == (pattern, stance)}
            out[f"precision_{pattern}_{stance}"] = _ratio(len(w & g), len(g))
            out[f"recall_{pattern}_{stance}"] = _ratio(len(w & g), len(w))
    empty = [n for n, found in enumerate(gold) if not found]
    out["silent_on_non_evidence"] = _ratio(sum(1 for n in empty if not predicted[n]), len(empty))
    return out
