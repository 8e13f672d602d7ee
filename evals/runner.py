"""The eval runner: the datasets in ``evals/`` -> one ``Report`` of metrics and results rows.

For every scenario the advisor assesses the transcript (and its documents) and drafts the plan
through the same API the app uses; then the retrieval questions, the injections, the reader's
held-out sentences, the scripted personas and the plan scenarios run, each case checked in
``evals.cases`` (personas in ``evals.personas``) and scored in ``evals.scoring``. An optional
LLM judge grades the plan's prose for faithfulness to its cited passages; without a judge that
tier is skipped, not failed.

This module is the suite's front door for the CLI: besides ``Runner`` it re-exports what
``advisor eval`` calls after a run (the gate in ``evals.gate``, the writers in
``evals.report``), so the command and its tests see one module.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from app.schemas import Plan
from app.service.advisor import Advisor
from evals import metrics
from evals.cases import (
    assessed_levels,
    injection_case,
    judge_case,
    plan_case,
    question_case,
    scenario_case,
    sentences_case,
)
from evals.datasets import load_injections, load_plan_scenarios, load_questions, load_scenarios
from evals.gate import targets_met
from evals.personas import interview, load_personas
from evals.schemas import Case, Report
from evals.scoring import by_split, metric_table


class Runner:
    """Runs the suite against one advisor; ``progress`` hears the id of each case as it starts."""

    def __init__(
        self,
        advisor: Advisor,
        evals_dir: Path,
        judge: Callable[[str, str], bool] | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.advisor = advisor
        self.evals_dir = evals_dir
        self.judge = judge
        self.progress = progress or (lambda _: None)

    def run(self, split: str | None = None) -> Report:
        setup = time.perf_counter()
        self.advisor.ensure_knowledge()  # once per data dir; timed apart from the suite
        self.advisor.warm()
        setup = time.perf_counter() - setup
        started = time.perf_counter()
        ids = self.advisor.knowledge.catalog.ids
        labels: list[metrics.Label] = []
        plans: dict[str, Plan] = {}
        cases = self._scenarios(split, labels, plans)
        cases += [question_case(self.advisor, q) for q in load_questions(self.evals_dir)]
        cases += self._injections(cases)
        self.progress("held-out sentences")
        sentences, sentence_case = sentences_case(self.advisor, self.evals_dir, ids)
        if sentence_case is not None:
            cases.append(sentence_case)
        for persona in load_personas(self.evals_dir) if split is None else []:
            self.progress(persona.id)
            cases.append(interview(self.advisor, persona))
        for plan_scenario in load_plan_scenarios(self.evals_dir) if split is None else []:
            self.progress(plan_scenario.id)
            cases.append(plan_case(self.advisor, self.evals_dir, plan_scenario))
        if self.judge is not None:
            judge = self.judge
            cases += [judge_case(self.advisor, judge, s, plan) for s, plan in plans.items()]
        seconds = time.perf_counter() - started
        table = metric_table(
            ids, labels, cases, sentences, (seconds, setup), self.judge is not None
        )
        return Report(
            engine=self.advisor.engine.name,
            created=time.strftime("%Y-%m-%dT%H:%M:%S"),
            metrics={k: {"value": round(m.value, 4), "reason": m.reason} for k, m in table.items()},
            by_split=by_split(cases, labels, ids),
            confusion={p: metrics.confusion(labels, p) for p in ids},
            targets=targets_met(table),
            cases=cases,
        )

    def _scenarios(
        self, split: str | None, labels: list[metrics.Label], plans: dict[str, Plan]
    ) -> list[Case]:
        """The labelled scenarios of ``split`` (all without one); fills labels and plans."""
        cases = []
        for scenario in load_scenarios(self.evals_dir):
            if split not in (None, scenario.split):
                continue
            self.progress(scenario.id)
            case, own, plan = scenario_case(self.advisor, self.evals_dir, scenario)
            cases.append(case)
            labels += own
            plans[scenario.id] = plan
        return cases

    def _injections(self, cases: list[Case]) -> list[Case]:
        """Each injection against its scenario's levels, from its case or assessed anew."""
        by_id = {s.id: s for s in load_scenarios(self.evals_dir)}
        out = []
        for injection in load_injections(self.evals_dir):
            self.progress(injection.id)
            scenario = by_id[injection.scenario]
            base = next((c for c in cases if c.kind == "scenario" and c.id == scenario.id), None)
            before = (
                base.detail["levels"]
                if base
                else assessed_levels(self.advisor, self.evals_dir, scenario)
            )
            out.append(injection_case(self.advisor, self.evals_dir, injection, scenario, before))
        return out
