"""Evaluate: the datasets in ``evals/`` -> metrics, a report, and a regression verdict.

For every scenario the advisor assesses the transcript (and its documents) and drafts the plan
through the same API the app uses; the runner records, per case, the predicted level of each
labelled pattern, the checks on every citation, do-not-cite violations and the time taken.
Retrieval questions are searched against the playbooks. Injection documents are added to their
scenario and the plan is checked for what the injection tried to achieve. Metrics are pure
functions (``evals.metrics``). An optional LLM judge grades the plan's prose for faithfulness to
its cited passages; without a judge that tier is skipped, not failed.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from app.advice.citations import verified
from app.advice.figures import find_banned
from app.advice.interview import acknowledgement_side
from app.errors import ConfigError, LLMError
from app.schemas import Plan, SourceKind, Transcript
from app.service.advisor import Advisor
from evals import metrics
from evals.personas import (
    QUESTION_BUDGET,
    Persona,
    Stakeholder,
    load_personas,
    normalised_question,
)

log = logging.getLogger(__name__)

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


def load_plan_scenarios(evals_dir: Path) -> list[PlanScenario]:
    folder = evals_dir / "plans"
    if not folder.is_dir():
        return []
    out = []
    for path in sorted(folder.glob("*.json")):
        try:
            out.append(PlanScenario.model_validate_json(path.read_text(encoding="utf-8")))
        except ValueError as exc:
            raise ConfigError(f"{path} is not a valid plan scenario: {exc}") from exc
    return out


class Injection(BaseModel):
    id: str
    document: str
    scenario: str
    forbidden_terms: list[str] = Field(default_factory=list)
    note: str = ""


class Case(BaseModel):
    """One results row: a scenario, a retrieval question or an injection."""

    kind: Literal["scenario", "retrieval", "injection", "judge", "sentences", "persona", "plan"]
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


def load_scenarios(evals_dir: Path) -> list[Scenario]:
    out = []
    for path in sorted((evals_dir / "scenarios").glob("*.json")):
        try:
            out.append(Scenario.model_validate_json(path.read_bytes()))
        except ValueError as exc:
            raise ConfigError(f"{path.name} is not a valid scenario: {exc}") from exc
    return out


def load_injections(evals_dir: Path) -> list[Injection]:
    path = evals_dir / "injections.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    return [Injection.model_validate_json(line) for line in lines if line.strip()]


def load_sentences(evals_dir: Path) -> list[dict[str, Any]]:
    """The reader's held-out sentences (the test writers' units, written by ``make train``)."""
    path = evals_dir / "sentences.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def load_questions(evals_dir: Path) -> list[dict[str, str]]:
    path = evals_dir / "retrieval_questions.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def plan_text(plan: Plan) -> str:
    """Every word of a plan a reader sees: summary, items, evidence, citations, findings."""
    return json.dumps(plan.model_dump(mode="json"), ensure_ascii=False)


class Runner:
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
        scenarios = [s for s in load_scenarios(self.evals_dir) if split in (None, s.split)]
        cases: list[Case] = []
        labels: list[metrics.Label] = []
        citations: list[bool] = []
        relevant: list[bool] = []
        covered: list[bool] = []
        banned: list[str] = []
        plans: dict[str, Plan] = {}
        for scenario in scenarios:
            self.progress(scenario.id)
            case, own, plan = self._scenario(scenario)
            cases.append(case)
            labels += own
            plans[scenario.id] = plan
            citations += case.detail["citations_valid"]
            relevant += case.detail["citations_relevant"]
            covered += case.detail["covered"]
            banned += case.detail["banned"]
        ranks = []
        for question in load_questions(self.evals_dir):
            case = self._question(question)
            cases.append(case)
            ranks.append(case.detail["rank"])
        injections = []
        by_id = {s.id: s for s in load_scenarios(self.evals_dir)}
        for injection in load_injections(self.evals_dir):
            self.progress(injection.id)
            base = next(
                (c for c in cases if c.kind == "scenario" and c.id == injection.scenario), None
            )
            before = base.detail["levels"] if base else self._levels(by_id[injection.scenario])
            case = self._injection(injection, by_id[injection.scenario], before)
            cases.append(case)
            injections.append(case)
        self.progress("held-out sentences")
        sentence_table, sentence_case = self._sentences(ids)
        if sentence_case is not None:
            cases.append(sentence_case)
        persona_table: dict[str, metrics.Metric] = {}
        personas = load_personas(self.evals_dir) if split is None else []
        if personas:
            runs = []
            for persona in personas:
                self.progress(persona.id)
                runs.append(self._persona(persona))
            cases += runs
            persona_table = persona_metrics(runs)
        plan_runs = []
        for plan_scenario in load_plan_scenarios(self.evals_dir) if split is None else []:
            self.progress(plan_scenario.id)
            plan_runs.append(self._plan_scenario(plan_scenario))
        cases += plan_runs
        judged: list[bool] = []
        if self.judge is not None:
            for scenario_id, plan in plans.items():
                case = self._judge(scenario_id, plan)
                cases.append(case)
                judged += case.detail["faithful"]
        seconds = time.perf_counter() - started
        scenario_seconds = [c.seconds for c in cases if c.kind == "scenario"]
        table: dict[str, metrics.Metric] = {
            "macro_f1": metrics.macro_f1(labels, ids),
            "ranking_accuracy": metrics.ranking_accuracy(labels),
            "at_risk_recall": metrics.at_risk_recall(labels),
            "healthy_specificity": metrics.healthy_specificity(labels),
            **sentence_table,
            **persona_table,
            **(plan_metrics(plan_runs) if plan_runs else {}),
            **{f"f1_{p}": metrics.f1(labels, p) for p in ids},
            **{f"precision_{p}": metrics.precision(labels, p) for p in ids},
            **{f"recall_{p}": metrics.recall(labels, p) for p in ids},
            "retrieval_recall_at_5": metrics.recall_at_k(ranks, 5),
            "retrieval_mrr": metrics.mrr(ranks),
            "citation_validity": metrics.share(citations, "citations verbatim in their chunk"),
            "citation_relevance": metrics.share(relevant, "citations from the item's pattern"),
            "plan_coverage": metrics.share(covered, "at-risk patterns with a plan item"),
            "do_not_cite_violations": metrics.count(banned, "do-not-cite figures repeated"),
            "injection_robustness": metrics.share(
                [c.passed for c in injections], "injection cases resisted"
            ),
            "injection_detection": metrics.share(
                [bool(c.detail.get("reported")) for c in injections], "injections reported"
            ),
            "latency_p95_seconds": metrics.latency(scenario_seconds),
            "suite_seconds": metrics.Metric(
                seconds, f"wall time of the suite, after {setup:.1f} s indexing and loading"
            ),
        }
        if self.judge is not None:
            table["judge_faithfulness"] = metrics.share(judged, "rationales faithful to sources")
        by_split = {}
        for name in sorted({s.split for s in scenarios}):
            own = [x for x in labels if x.case in {s.id for s in scenarios if s.split == name}]
            by_split[name] = {
                "macro_f1": round(metrics.macro_f1(own, ids).value, 4),
                "ranking_accuracy": round(metrics.ranking_accuracy(own).value, 4),
                "at_risk_recall": round(metrics.at_risk_recall(own).value, 4),
                "healthy_specificity": round(metrics.healthy_specificity(own).value, 4),
                "labels": len(own),
            }
        return Report(
            engine=self.advisor.engine.name,
            created=time.strftime("%Y-%m-%dT%H:%M:%S"),
            metrics={k: {"value": round(m.value, 4), "reason": m.reason} for k, m in table.items()},
            by_split=by_split,
            confusion={p: metrics.confusion(labels, p) for p in ids},
            targets={
                name: _meets(table[name].value, op, bound)
                for name, (op, bound) in TARGETS.items()
                if name in table
            },
            cases=cases,
        )

    # cases ---------------------------------------------------------------------------------------

    def _documents(self, names: list[str], folder: str = "documents") -> list[Path]:
        return [self.evals_dir / folder / name for name in names]

    def _scenario(self, scenario: Scenario) -> tuple[Case, list[metrics.Label], Plan]:
        start = time.perf_counter()
        plan = self.advisor.plan_transcript(
            scenario.transcript,
            self._documents(scenario.documents),
            workspace=f"eval-{scenario.id}",
        )
        seconds = time.perf_counter() - start
        result = {p.id: p for p in plan.assessment.patterns}
        own = [
            metrics.Label(
                case=scenario.id,
                pattern=pattern,
                expected=expected,
                predicted="at_risk" if result[pattern].at_risk else "healthy",
                risk=result[pattern].risk or 0,
            )
            for pattern, expected in scenario.labels.items()
        ]
        valid, relevant = self._check_citations(plan)
        planned = {item.pattern for item in plan.items()}
        at_risk = [p for p, label in scenario.labels.items() if label == "at_risk"]
        covered = [p in planned for p in at_risk]
        banned = [v.excerpt for v in find_banned(plan_text(plan), self.advisor.knowledge.banned)]
        failures = [
            f"{x.pattern}: expected {x.expected}, got {x.predicted} (risk {x.risk})"
            for x in own
            if x.expected != x.predicted
        ]
        failures += [f"invalid citation in {scenario.id}"] * valid.count(False)
        failures += [
            f"no plan item for at-risk {p}"
            for p, ok in zip(at_risk, covered, strict=True)
            if not ok
        ]
        failures += [f"do-not-cite figure: {b}" for b in banned]
        case = Case(
            kind="scenario",
            id=scenario.id,
            split=scenario.split,
            passed=not failures,
            seconds=round(seconds, 3),
            detail={
                "industry": scenario.industry,
                "risks": {p: result[p].risk for p in result},
                "levels": {p: result[p].level for p in result},
                "labels": scenario.labels,
                "citations_valid": valid,
                "citations_relevant": relevant,
                "covered": covered,
                "banned": banned,
            },
            failures=failures,
        )
        return case, own, plan

    def _sentences(self, ids: list[str]) -> tuple[dict[str, metrics.Metric], Case | None]:
        """The reader, sentence by sentence, against the held-out writers' labels."""
        rows = load_sentences(self.evals_dir)
        if not rows:
            return {}, None
        start = time.perf_counter()
        found = self.advisor.read([(row["context"], row["sentence"]) for row in rows])
        seconds = time.perf_counter() - start
        gold = [[(lab["pattern"], lab["stance"]) for lab in row["labels"]] for row in rows]
        predicted = [[(p, s) for p, s, _ in items] for items in found]
        scores = metrics.evidence_scores(gold, predicted, ids)
        hits = round(scores["precision"] * scores["items_predicted"])
        table = {
            "evidence_precision": metrics.Metric(
                scores["precision"],
                f"{hits} of {scores['items_predicted']:.0f} evidence items right (pattern and "
                f"side), {len(rows)} held-out sentences",
            ),
            "evidence_recall": metrics.Metric(
                scores["recall"], f"{hits} of {scores['items_gold']:.0f} labelled items found"
            ),
        }
        for key, value in scores.items():
            if key.startswith(("precision_", "recall_")):
                table[f"evidence_{key}"] = metrics.Metric(value, "held-out sentences")
        case = Case(
            kind="sentences",
            id="held-out-writers",
            passed=True,
            seconds=round(seconds, 3),
            detail={k: round(v, 4) for k, v in scores.items()},
        )
        return table, case

    def _plan_scenario(self, scenario: PlanScenario) -> Case:
        """Draft the plan of one pilot and check its verdict and its items."""
        start = time.perf_counter()
        transcript = scenario.transcript.model_copy(deep=True)
        transcript.pilot["profile"] = dict(scenario.profile)
        plan = self.advisor.plan_transcript(
            transcript, self._documents(scenario.documents), f"eval-{scenario.id}"
        )
        items = plan.items()
        ids = {i.id for i in items}
        status = plan.verdict.status if plan.verdict else "missing"
        forbidden = sorted(ids & set(scenario.forbidden_items))
        required = [r in ids for r in scenario.required_items]
        covered = [any(i.pattern == p for i in items) for p in scenario.at_risk]
        spoken = {e.quote for p in plan.assessment.patterns for e in p.evidence}
        quoted = [any(q in i.why_here for q in spoken) for i in items] if spoken else []
        failures = []
        if status != scenario.expected_verdict:
            failures.append(f"verdict {status}, expected {scenario.expected_verdict}")
        failures += [f"item {i} does not apply to this pilot" for i in forbidden]
        failures += [
            f"required item {r} missing"
            for r, ok in zip(scenario.required_items, required, strict=True)
            if not ok
        ]
        failures += [
            f"no item for at-risk {p}"
            for p, ok in zip(scenario.at_risk, covered, strict=True)
            if not ok
        ]
        failures += [
            f"why-here of {i.id} quotes no evidence"
            for i, ok in zip(items, quoted, strict=False)
            if not ok
        ]
        return Case(
            kind="plan",
            id=scenario.id,
            passed=not failures,
            seconds=round(time.perf_counter() - start, 3),
            detail={
                "verdict": status,
                "expected": scenario.expected_verdict,
                "forbidden": forbidden,
                "required": required,
                "covered": covered,
                "quoted": quoted,
                "blockers": [b.text for b in plan.verdict.blockers] if plan.verdict else [],
                "conditions": [b.text for b in plan.verdict.conditions] if plan.verdict else [],
                "items": sorted(ids),
            },
            failures=failures,
        )

    def _persona(self, persona: Persona) -> Case:
        """Interview one scripted stakeholder through the app's API, then assess the pilot."""
        start = time.perf_counter()
        advisor = self.advisor
        space = advisor.create_workspace(f"eval-{persona.id}", pilot=dict(persona.pilot))
        person = advisor.add_stakeholder(space.id, persona.name, persona.role)
        simulated = Stakeholder(persona, advisor.embedder.embed)
        result = advisor.start_interview(person.id)
        questions: list[str] = []
        contradicting: list[str] = []
        transcript: list[str] = []
        while not result.finished and len(questions) < QUESTION_BUDGET:
            question = result.question.content
            questions.append(question)
            reply = simulated.reply(question)
            transcript += [f"Q: {question}", f"A: {reply}"]
            result = advisor.answer(person.id, reply)
            side = acknowledgement_side(result.question.content)
            if side is not None:
                # The reading of this answer, with its question, as the interview read it.
                read = {e.signal.polarity for e in advisor.read_answer(question, reply)}
                if side not in read:
                    contradicting.append(
                        f"“{reply[:80]}” acknowledged as {side}, read as {sorted(read)}"
                    )
        if result.finished:
            transcript.append(f"Q: {result.question.content}")
        assessment = advisor.assess(space.id)
        seen: set[str] = set()
        repeated = []
        for text in questions:
            key = normalised_question(text)
            if key in seen:
                repeated.append(text)
            seen.add(key)
        levels = {p.id: p for p in assessment.patterns}
        verdicts = {
            pattern: (
                "not_assessed"
                if levels[pattern].risk is None
                else "at_risk"
                if levels[pattern].at_risk
                else "healthy"
            )
            for pattern in persona.truth
        }
        agree = [verdicts[p] == want for p, want in persona.truth.items()]
        elicited = [f.id in simulated.told for f in persona.facts]
        failures = [
            f"fact not drawn out: {f.topic}" for f in persona.facts if f.id not in simulated.told
        ]
        failures += [
            f"{p}: truth {want}, verdict {verdicts[p]}"
            for p, want in persona.truth.items()
            if verdicts[p] != want
        ]
        failures += [f"asked twice: {q}" for q in repeated]
        failures += [f"acknowledgement contradicts the reading, {c}" for c in contradicting]
        return Case(
            kind="persona",
            id=persona.id,
            passed=not failures,
            seconds=round(time.perf_counter() - start, 3),
            detail={
                "questions": len(questions),
                "elicited": elicited,
                "agree": agree,
                "repeated": repeated,
                "contradicting": contradicting,
                "transcript": transcript,
            },
            failures=failures,
        )

    def _levels(self, scenario: Scenario) -> dict[str, str]:
        result = self.advisor.assess_transcript(
            scenario.transcript, self._documents(scenario.documents), f"eval-{scenario.id}"
        )
        return {p.id: p.level for p in result.patterns}

    def _check_citations(self, plan: Plan) -> tuple[list[bool], list[bool]]:
        books = {b.file: b for b in self.advisor.knowledge.playbooks}
        kb = self.advisor.store.name_for(None)
        valid, relevant = [], []
        for item in plan.items():
            for citation in item.citations:
                found = self.advisor.store.get(kb, [citation.chunk_id])
                valid.append(bool(found) and verified(citation.quote, found[0].text))
                book = books.get(citation.source)
                relevant.append(book is not None and item.pattern in book.patterns)
        return valid, relevant

    def _question(self, question: dict[str, str]) -> Case:
        start = time.perf_counter()
        results = self.advisor.search(
            question["question"], workspace=None, k=10, kind=SourceKind.PLAYBOOK
        )
        rank = next(
            (
                n
                for n, r in enumerate(results, start=1)
                if r.source == question["file"] and r.section == question["section"]
            ),
            None,
        )
        return Case(
            kind="retrieval",
            id=question["question"][:80],
            passed=rank is not None and rank <= 5,
            seconds=round(time.perf_counter() - start, 3),
            detail={
                "rank": rank,
                "expected": f"{question['file']} / {question['section']}",
                "got": [f"{r.source} / {r.section}" for r in results[:3]],
            },
            failures=[]
            if rank is not None and rank <= 5
            else [f"expected section ranked {rank or '>10'}"],
        )

    def _injection(self, injection: Injection, scenario: Scenario, before: dict[str, str]) -> Case:
        start = time.perf_counter()
        paths = [
            *self._documents(scenario.documents),
            self.evals_dir / "injections" / injection.document,
        ]
        plan = self.advisor.plan_transcript(
            scenario.transcript, paths, workspace=f"eval-{injection.id}"
        )
        text = plan_text(plan).lower()
        leaked = [t for t in injection.forbidden_terms if t.lower() in text]
        levels = {p.id: p.level for p in plan.assessment.patterns}
        # Compared with the same scenario without the injected document: an at-risk pattern
        # that the injection pulls down to low is a failure.
        lowered = [
            p
            for p, label in scenario.labels.items()
            if label == "at_risk" and levels[p] == "low" and before.get(p, "low") != "low"
        ]
        reported = any(f.kind == "injection" for f in plan.assessment.findings)
        failures = [f"plan contains {t!r}" for t in leaked]
        failures += [f"{p} dropped to low" for p in lowered]
        return Case(
            kind="injection",
            id=injection.id,
            passed=not failures,
            seconds=round(time.perf_counter() - start, 3),
            detail={
                "scenario": scenario.id,
                "reported": reported,
                "leaked": leaked,
                "lowered": lowered,
            },
            failures=failures,
        )

    def _judge(self, scenario_id: str, plan: Plan) -> Case:
        assert self.judge is not None
        faithful: list[bool] = []
        failures: list[str] = []
        for item in plan.items():
            if not item.rationale:
                continue
            chunks = [self.advisor.passage(c.chunk_id) for c in item.citations]
            passages = "\n\n".join(f"[{c.chunk_id}] {c.text}" for c in chunks if c is not None)
            try:
                ok = self.judge(item.rationale, passages)
            except LLMError as exc:
                failures.append(f"judge failed on {item.id}: {exc}")
                continue
            faithful.append(ok)
            if not ok:
                failures.append(f"{item.id}: rationale not supported by its passages")
        return Case(
            kind="judge",
            id=scenario_id,
            passed=not failures,
            detail={"faithful": faithful},
            failures=failures,
        )


def plan_metrics(runs: Sequence[Case]) -> dict[str, metrics.Metric]:
    return {
        "plan_verdict_agreement": metrics.share(
            [c.detail["verdict"] == c.detail["expected"] for c in runs],
            "plans whose go-live verdict matches the expected one",
        ),
        "plan_forbidden_items": metrics.count(
            [f"{c.id}: {i}" for c in runs for i in c.detail["forbidden"]],
            "items proposed although the pilot's profile rules them out",
        ),
        "plan_required_items": metrics.share(
            [x for c in runs for x in c.detail["required"]], "blocker items present"
        ),
        "plan_at_risk_items": metrics.share(
            [x for c in runs for x in c.detail["covered"]], "at-risk patterns with an item"
        ),
        "plan_why_here_quoted": metrics.share(
            [x for c in runs for x in c.detail["quoted"]],
            "items whose why-here quotes the pilot's own evidence",
        ),
    }


def persona_metrics(runs: Sequence[Case]) -> dict[str, metrics.Metric]:
    elicited = [x for case in runs for x in case.detail["elicited"]]
    agree = [x for case in runs for x in case.detail["agree"]]
    return {
        "persona_facts_elicited": metrics.share(
            elicited, f"hidden facts drawn out within {QUESTION_BUDGET} questions"
        ),
        "persona_verdict_agreement": metrics.share(
            agree, "patterns whose verdict matches the persona's hidden truth"
        ),
        "persona_repeated_questions": metrics.count(
            [f"{case.id}: {q}" for case in runs for q in case.detail["repeated"]],
            "questions asked twice of one person",
        ),
        "persona_contradicting_acknowledgements": metrics.count(
            [f"{case.id}: {c}" for case in runs for c in case.detail["contradicting"]],
            "acknowledgements that contradict the reading of the answer",
        ),
    }


def _meets(value: float, op: str, bound: float) -> bool:
    return value >= bound - 1e-9 if op == ">=" else value <= bound + 1e-9


# comparing with a baseline ------------------------------------------------------------------------


class Regression(BaseModel):
    metric: str
    baseline: float
    value: float
    tolerance: float


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


# writing the report -------------------------------------------------------------------------------


def markdown(report: Report, regressions: list[Regression] | None = None) -> str:
    m = report.metrics
    lines = [
        f"# Eval report: {report.engine}",
        "",
        f"Run {report.created}. Scenarios, retrieval questions and injection documents from "
        "`evals/`; see `evals/runner.py` for how each metric is computed.",
        "",
        "| metric | value | target | why |",
        "|---|---|---|---|",
    ]
    for name, row in m.items():
        target = TARGETS.get(name)
        mark = ""
        if target and name in report.targets:
            mark = f"{target[0]} {target[1]} " + ("\u2705" if report.targets[name] else "\u274c")
        lines.append(f"| {name} | {row['value']} | {mark} | {row['reason']} |")
    if report.by_split:
        lines += [
            "",
            "## By split",
            "",
            "| split | macro-F1 | ranking | labels |",
            "|---|---|---|---|",
        ]
        for split, row in report.by_split.items():
            lines.append(
                f"| {split} | {row['macro_f1']} | {row['ranking_accuracy']} | {row['labels']} |"
            )
    lines += [
        "",
        "## Confusion matrix (at-risk detection)",
        "",
        "| pattern | tp | fp | fn | tn |",
        "|---|---|---|---|---|",
    ]
    for pattern, c in report.confusion.items():
        lines.append(f"| {pattern} | {c['tp']} | {c['fp']} | {c['fn']} | {c['tn']} |")
    if regressions:
        lines += ["", "## Regressions against the baseline", ""]
        lines += [
            f"- {r.metric}: {r.value} (baseline {r.baseline}, tolerance {r.tolerance})"
            for r in regressions
        ]
    failing = [c for c in report.cases if not c.passed]
    lines += ["", f"## Failing cases ({len(failing)})", ""]
    for case in failing:
        lines.append(f"- **{case.kind} {case.id}**: " + "; ".join(case.failures))
    return "\n".join(lines) + "\n"


def junit(report: Report, regressions: list[Regression] | None = None) -> str:
    from xml.sax.saxutils import quoteattr

    rows = []
    for case in report.cases:
        name = quoteattr(f"{case.kind}:{case.id}")
        body = ""
        if not case.passed:
            body = f"<failure message={quoteattr('; '.join(case.failures)[:2000])}/>"
        rows.append(
            f'  <testcase classname="evals.{case.kind}" name={name} '
            f'time="{case.seconds}">{body}</testcase>'
        )
    for name, met in report.targets.items():
        body = "" if met else f"<failure message={quoteattr(str(report.metrics[name]))}/>"
        rows.append(
            f'  <testcase classname="evals.targets" name={quoteattr(name)}>{body}</testcase>'
        )
    for regression in regressions or []:
        rows.append(
            f'  <testcase classname="evals.baseline" name={quoteattr(regression.metric)}>'
            f"<failure message={quoteattr(regression.model_dump_json())}/></testcase>"
        )
    failures = sum(1 for r in rows if "<failure" in r)
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<testsuite name="readiness-advisor-evals" tests="{len(rows)}" failures="{failures}">\n'
        + "\n".join(rows)
        + "\n</testsuite>\n"
    )


def write(report: Report, folder: Path, regressions: list[Regression] | None = None) -> Path:
    """``<timestamp>.json``, ``.md`` and ``.xml`` in ``folder``; returns the JSON path."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = folder / report.created.replace(":", "-")
    (stem.with_suffix(".json")).write_text(report.model_dump_json(indent=2))
    (stem.with_suffix(".md")).write_text(markdown(report, regressions))
    (stem.with_suffix(".xml")).write_text(junit(report, regressions))
    return stem.with_suffix(".json")
