"""The eval suite's typed objects, defined once: dataset rows in, result rows and reports out.

Inputs are the files under ``evals/`` (a labelled scenario, a plan scenario, an injection
document); outputs are one ``Case`` per row checked, the ``Report`` of a run and a
``Regression`` against the committed baseline. ``finished`` builds a ``Case`` from the
failures found, so that every row passes exactly when it has none.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from app.schemas import Transcript

CaseKind = Literal["scenario", "retrieval", "injection", "judge", "sentences", "persona", "plan"]


class Scenario(BaseModel):
    id: str
    split: Literal["dev", "holdout", "field"] = "dev"
    industry: str
    description: str = ""
    tags: list[str] = Field(default_factory=list)
    transcript: Transcript
    documents: list[str] = Field(default_factory=list)
    labels: dict[str, Literal["at_risk", "healthy"]]


class PlanScenario(BaseModel):
    """A pilot with the verdict its plan must reach and the items it must or must not hold
    (``evals/plans/*.json``)."""

    id: str
    industry: str = ""
    description: str = ""
    profile: dict[str, Any] = Field(default_factory=dict)
    transcript: Transcript
    documents: list[str] = Field(default_factory=list)
    expected_verdict: Literal["not_ready", "conditional", "ready"]
    at_risk: list[str] = Field(default_factory=list)
    forbidden_items: list[str] = Field(default_factory=list)
    required_items: list[str] = Field(default_factory=list)
    note: str = ""


class Injection(BaseModel):
    id: str
    document: str
    scenario: str
    forbidden_terms: list[str] = Field(default_factory=list)
    note: str = ""


class Case(BaseModel):
    """One results row: a scenario, a retrieval question or an injection."""

    kind: CaseKind
    id: str
    split: str = ""
    passed: bool
    seconds: float = 0.0
    detail: dict[str, Any] = Field(default_factory=dict)
    failures: list[str] = Field(default_factory=list)


class Report(BaseModel):
    engine: str
    created: str
    metrics: dict[str, dict[str, Any]]
    by_split: dict[str, dict[str, float]] = Field(default_factory=dict)
    confusion: dict[str, dict[str, int]]
    targets: dict[str, bool]
    cases: list[Case]


class Regression(BaseModel):
    metric: str
    baseline: float
    value: float
    tolerance: float


def finished(
    kind: CaseKind,
    case_id: str,
    detail: dict[str, Any],
    failures: list[str],
    seconds: float = 0.0,
    split: str = "",
) -> Case:
    """The results row of one checked case: passed when no check failed."""
    return Case(
        kind=kind,
        id=case_id,
        split=split,
        passed=not failures,
        seconds=round(seconds, 3),
        detail=detail,
        failures=failures,
    )
