"""Advisor-core benchmark: offline turn latency, and assess + plan for a realistic pilot.

    python -m bench.core [--rounds 5]

A warmed advisor (model loaded, knowledge indexed) interviews a stakeholder through the
orchestration API for 20 answers, timing each ``answer()`` call (store the answer, read it,
choose and store the next question). Then it assesses the pilot and drafts its plan, as the
app's Plan page does, with the 20 answers and 3 uploaded documents in place (uploads are
ingested when they arrive, not here). It also times the CLI path, ``plan_transcript`` with the
same transcript and documents, which ingests the documents inside the call. Each round uses
fresh workspaces. Results go to ``bench/RESULTS.md`` under "Advisor core".
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import time
from pathlib import Path

from bench.harness import warmed_advisor
from bench.results import replace_section

ROOT = Path(__file__).resolve().parent.parent
ANSWERS = [
    "The data comes from the claims warehouse, a one-off extract from last March.",
    "Someone cleans it by hand in Excel before each demo, and nobody wrote down what changed.",
    "Customer IDs don't match between SAP and Salesforce, we matched on name and postcode.",
    "It runs from a notebook on the lead data scientist's laptop.",
    "There's no monitoring in production yet, we plan to add it after go-live.",
    "Rolling back would mean retraining from scratch, I think.",
    "Scores go into Guidewire by an analyst copying them from a CSV export every morning.",
    "The ERP team says no new interfaces until the S/4 migration next year.",
    "We haven't done a DPIA and legal hasn't seen the model yet.",
    "There's no inventory of models and nobody signs off releases.",
    "The adjusters saw it for the first time last week and they don't trust the scores.",
    "There's no agreed KPI and the sponsor moved to another division.",
    "skip",
    "I don't know, you'd have to ask IT.",
    "Honestly the vendor feed breaks every few weeks when they change a column.",
    "We do have a data dictionary for the claims tables, owned by the data office.",
    "Access to the scores is controlled through our normal role-based access.",
    "The works council hasn't been told yet.",
    "Training for the adjusters is a recorded video.",
    "That's everything I can think of.",
]


def _transcript(tag: str) -> dict[str, object]:
    turns: list[dict[str, str]] = []
    questions = [
        "Where does the data come from?",
        "How is it prepared?",
        "How are records matched?",
        "Where does the model run?",
        "How is it monitored?",
        "How would you roll back?",
        "How do scores reach the claims system?",
        "What about the ERP?",
        "Who has reviewed it?",
        "Who approves releases?",
        "How do users feel?",
        "How is success measured?",
        "What about bias testing?",
        "Who owns the platform?",
        "What about the vendor feed?",
        "Is there documentation?",
        "Who can see the scores?",
        "Who else needs to agree?",
        "How will people be trained?",
        "Anything else?",
    ]
    for question, answer in zip(questions, ANSWERS, strict=True):
        turns.append({"role": "advisor", "content": question})
        turns.append({"role": "stakeholder", "speaker": "Dana", "content": answer + tag})
    return {"pilot": {"name": "Benchmark pilot"}, "turns": turns}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args()

    from app.schemas import Transcript

    with warmed_advisor("bench-core-") as (advisor, work):
        sources = sorted((ROOT / "evals" / "documents").glob("dev-*.md"))[:3]
        turn_ms: list[float] = []
        assess_plan_s: list[float] = []
        assess_fresh_s: list[float] = []
        cold_s: list[float] = []
        for round_number in range(options.rounds):
            # Every round says something new, so no cache hides the work.
            tag = f" (round {round_number})"
            documents = []
            for path in sources:
                copy = work / f"r{round_number}-{path.name}"
                copy.write_text(path.read_text().replace(".\n", f"{tag}.\n"))
                documents.append(copy)
            transcript = Transcript.model_validate(_transcript(tag))
            workspace = advisor.create_workspace(f"bench {round_number}")
            for path in documents:
                advisor.add_document(workspace.id, path.name, path.read_bytes())
            person = advisor.add_stakeholder(workspace.id, "Dana", "Head of claims data")
            advisor.start_interview(person.id)
            for answer in ANSWERS:
                start = time.perf_counter()
                advisor.answer(person.id, answer if answer == "skip" else answer + tag)
                turn_ms.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            advisor.plan(workspace.id)  # the app: 20 answers and 3 uploads already in place
            assess_plan_s.append(time.perf_counter() - start)
            advisor.engine.forget()  # read every answer and document again, as a new process
            start = time.perf_counter()
            advisor.assess(workspace.id)
            assess_fresh_s.append(time.perf_counter() - start)
            start = time.perf_counter()
            advisor.plan_transcript(transcript, documents, workspace=f"bench-docs-{round_number}")
            cold_s.append(time.perf_counter() - start)
        turn_ms.sort()
        result = {
            "turns": len(turn_ms),
            "turn_p50_ms": statistics.median(turn_ms),
            "turn_p95_ms": turn_ms[int(len(turn_ms) * 0.95) - 1],
            "assess_plan_median_s": statistics.median(assess_plan_s),
            "assess_plan_max_s": max(assess_plan_s),
            "assess_fresh_median_s": statistics.median(assess_fresh_s),
            "assess_fresh_max_s": max(assess_fresh_s),
            "cold_median_s": statistics.median(cold_s),
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
    print(json.dumps(result))
    write(result, len(sources))


def write(result: dict[str, float], documents: int) -> None:
    section = "\n".join(
        [
            "## Advisor core (offline engine, trained evidence reader)",
            "",
            f"Measured {time.strftime('%Y-%m-%d')} by `make bench` (`bench/core.py`) on "
            f"{os.cpu_count()} cores, Python {platform.python_version()}, warmed advisor.",
            "",
            "| measure | value | target |",
            "|---|---|---|",
            f"| turn latency p50 ({result['turns']} answers) | {result['turn_p50_ms']:.0f} ms | |",
            f"| turn latency p95 | {result['turn_p95_ms']:.0f} ms | <= 100 ms |",
            f"| assess, 20 answers and {documents} documents all read afresh (median) | "
            f"{result['assess_fresh_median_s']:.2f} s | <= 2 s |",
            f"| assess, read afresh (slowest round) | {result['assess_fresh_max_s']:.2f} s | |",
            f"| assess + plan, 20-turn interview, {documents} uploaded documents (median) | "
            f"{result['assess_plan_median_s']:.2f} s | |",
            f"| assess + plan (slowest round) | {result['assess_plan_max_s']:.2f} s | |",
            f"| `advisor plan --transcript --doc` x{documents}, documents ingested in the call "
            f"(median) | {result['cold_median_s']:.2f} s | |",
            f"| peak RSS | {result['peak_mb']:.0f} MB | |",
            "",
        ]
    )
    replace_section("Advisor core", section)


if __name__ == "__main__":
    main()
