"""Cases: one dataset row, run through the advisor's API -> one checked results row.

A labelled scenario is assessed and planned: the predicted level of each labelled pattern, the
checks on every citation, at-risk patterns without a plan item and do-not-cite violations. A
retrieval question is searched against the playbooks. An injection document is added to its
scenario and the plan is checked for what the injection tried to achieve. A plan scenario's
plan is checked for its verdict and items. The reader is scored on the held-out sentences, and
an optional LLM judge grades each plan item's rationale against its cited passages.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

from app.advice.citations import verified
from app.advice.figures import find_banned
from app.errors import LLMError
from app.schemas import Plan, SourceKind
from app.service.advisor import Advisor
from evals import metrics
from evals.datasets import documents, load_sentences
from evals.schemas import Case, Injection, PlanScenario, Scenario, finished


def _unmet(template: str, names: list[str], met: list[bool]) -> list[str]:
    """One failure, ``template`` filled with the name, for each name whose check is not met."""
    return [template.format(name) for name, ok in zip(names, met, strict=True) if not ok]


def plan_text(plan: Plan) -> str:
    """Every word of a plan a reader sees: summary, items, evidence, citations, findings."""
    return json.dumps(plan.model_dump(mode="json"), ensure_ascii=False)


def scenario_case(
    advisor: Advisor, evals_dir: Path, scenario: Scenario
) -> tuple[Case, list[metrics.Label], Plan]:
    """Assess and plan one labelled scenario: its row, its labels and the plan drafted."""
    start = time.perf_counter()
    plan = advisor.plan_transcript(
        scenario.transcript,
        documents(evals_dir, scenario.documents),
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
    valid, relevant = check_citations(advisor, plan)
    planned = {item.pattern for item in plan.items()}
    at_risk = [p for p, label in scenario.labels.items() if label == "at_risk"]
    covered = [p in planned for p in at_risk]
    banned = [v.excerpt for v in find_banned(plan_text(plan), advisor.knowledge.banned)]
    failures = [
        f"{x.pattern}: expected {x.expected}, got {x.predicted} (risk {x.risk})"
        for x in own
        if x.expected != x.predicted
    ]
    failures += [f"invalid citation in {scenario.id}"] * valid.count(False)
    failures += _unmet("no plan item for at-risk {}", at_risk, covered)
    failures += [f"do-not-cite figure: {b}" for b in banned]
    detail = {
        "industry": scenario.industry,
        "risks": {p: result[p].risk for p in result},
        "levels": {p: result[p].level for p in result},
        "labels": scenario.labels,
        "citations_valid": valid,
        "citations_relevant": relevant,
        "covered": covered,
        "banned": banned,
    }
    case = finished("scenario", scenario.id, detail, failures, seconds, split=scenario.split)
    return case, own, plan


def check_citations(advisor: Advisor, plan: Plan) -> tuple[list[bool], list[bool]]:
    """Per citation: is its quote verbatim in its chunk, and is it from the item's pattern."""
    books = {b.file: b for b in advisor.knowledge.playbooks}
    kb = advisor.store.name_for(None)
    valid, relevant = [], []
    for item in plan.items():
        for citation in item.citations:
            found = advisor.store.get(kb, [citation.chunk_id])
            valid.append(bool(found) and verified(citation.quote, found[0].text))
            book = books.get(citation.source)
            relevant.append(book is not None and item.pattern in book.patterns)
    return valid, relevant


def assessed_levels(advisor: Advisor, evals_dir: Path, scenario: Scenario) -> dict[str, str]:
    """The level of each pattern when the scenario is assessed without a plan."""
    result = advisor.assess_transcript(
        scenario.transcript, documents(evals_dir, scenario.documents), f"eval-{scenario.id}"
    )
    return {p.id: p.level for p in result.patterns}


def sentences_case(
    advisor: Advisor, evals_dir: Path, ids: list[str]
) -> tuple[dict[str, metrics.Metric], Case | None]:
    """The reader, sentence by sentence, against the held-out writers' labels."""
    rows = load_sentences(evals_dir)
    if not rows:
        return {}, None
    start = time.perf_counter()
    found = advisor.read([(row["context"], row["sentence"]) for row in rows])
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
    detail = {k: round(v, 4) for k, v in scores.items()}
    return table, finished("sentences", "held-out-writers", detail, [], seconds)


def plan_case(advisor: Advisor, evals_dir: Path, scenario: PlanScenario) -> Case:
    """Draft the plan of one pilot and check its verdict and its items."""
    start = time.perf_counter()
    transcript = scenario.transcript.model_copy(deep=True)
    transcript.pilot["profile"] = dict(scenario.profile)
    plan = advisor.plan_transcript(
        transcript, documents(evals_dir, scenario.documents), f"eval-{scenario.id}"
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
    failures += _unmet("required item {} missing", scenario.required_items, required)
    failures += _unmet("no item for at-risk {}", scenario.at_risk, covered)
    failures += [
        f"why-here of {i.id} quotes no evidence"
        for i, ok in zip(items, quoted, strict=False)
        if not ok
    ]
    detail = {
        "verdict": status,
        "expected": scenario.expected_verdict,
        "forbidden": forbidden,
        "required": required,
        "covered": covered,
        "quoted": quoted,
        "blockers": [b.text for b in plan.verdict.blockers] if plan.verdict else [],
        "conditions": [b.text for b in plan.verdict.conditions] if plan.verdict else [],
        "items": sorted(ids),
    }
    return finished("plan", scenario.id, detail, failures, time.perf_counter() - start)


def question_case(advisor: Advisor, question: dict[str, str]) -> Case:
    """Search the playbooks for one question; passed when its section ranks in the top 5."""
    start = time.perf_counter()
    results = advisor.search(question["question"], workspace=None, k=10, kind=SourceKind.PLAYBOOK)
    rank = next(
        (
            n
            for n, r in enumerate(results, start=1)
            if r.source == question["file"] and r.section == question["section"]
        ),
        None,
    )
    detail = {
        "rank": rank,
        "expected": f"{question['file']} / {question['section']}",
        "got": [f"{r.source} / {r.section}" for r in results[:3]],
    }
    failures = (
        [] if rank is not None and rank <= 5 else [f"expected section ranked {rank or '>10'}"]
    )
    return finished(
        "retrieval", question["question"][:80], detail, failures, time.perf_counter() - start
    )


def injection_case(
    advisor: Advisor,
    evals_dir: Path,
    injection: Injection,
    scenario: Scenario,
    before: dict[str, str],
) -> Case:
    """Plan the scenario with the injected document added; check what the injection achieved."""
    start = time.perf_counter()
    paths = [
        *documents(evals_dir, scenario.documents),
        *documents(evals_dir, [injection.document], folder="injections"),
    ]
    plan = advisor.plan_transcript(scenario.transcript, paths, workspace=f"eval-{injection.id}")
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
    detail = {"scenario": scenario.id, "reported": reported, "leaked": leaked, "lowered": lowered}
    return finished("injection", injection.id, detail, failures, time.perf_counter() - start)


def judge_case(
    advisor: Advisor, judge: Callable[[str, str], bool], scenario_id: str, plan: Plan
) -> Case:
    """Grade each plan item's rationale for faithfulness to its cited passages."""
    faithful: list[bool] = []
    failures: list[str] = []
    for item in plan.items():
        if not item.rationale:
            continue
        chunks = [advisor.passage(c.chunk_id) for c in item.citations]
        passages = "\n\n".join(f"[{c.chunk_id}] {c.text}" for c in chunks if c is not None)
        try:
            ok = judge(item.rationale, passages)
        except LLMError as exc:
            failures.append(f"judge failed on {item.id}: {exc}")
            continue
        faithful.append(ok)
        if not ok:
            failures.append(f"{item.id}: rationale not supported by its passages")
    return finished("judge", scenario_id, {"faithful": faithful}, failures)
