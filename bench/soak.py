"""Soak: load and faults, longer than the tests run them. ``make soak``.

    python -m bench.soak [--sessions 20] [--answers 12] [--rounds 3]

1. Load: ``--sessions`` stakeholders interviewed at the same time through one shared advisor
   (as the app's browser sessions share it), each answering ``--answers`` questions with a
   short think time, for ``--rounds`` rounds; every turn is timed, and afterwards every
   interview is checked for cross-talk and lost turns.
2. Concurrent uploads: eight threads upload three documents each into one pilot.
3. LLM faults: interviews on the LLM engine against a local OpenAI-compatible server that
   cycles through healthy replies, refusals to connect, slow replies, 429, 500 and malformed
   output; every answer must be kept and every failure must fall back with a notice.
4. Vector store outage: a real ``chroma run`` is stopped in the middle of interviews and
   started again; answers must be kept throughout and documents must count again after.

Everything runs on 127.0.0.1. Figures go to ``bench/RESULTS.md`` under "Soak".
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench.harness import warmed_advisor
from bench.results import replace_section

ANSWERS = [
    "Pilot {n}: the extract is cleaned by hand in Excel before each demo.",
    "Pilot {n}: nobody owns the vendor feed and it breaks when they change a column.",
    "Pilot {n}: the model runs from a notebook on a laptop, with no monitoring.",
    "Pilot {n}: scores are copied into the ERP by hand from a CSV export.",
    "skip",
    "Pilot {n}: there is no DPIA yet and legal has not reviewed it.",
    "Pilot {n}: the users first saw it last week and the sponsor has moved on.",
    "I don't know, you'd have to ask IT.",
    "Pilot {n}: we do have a data dictionary owned by the data office.",
    "Pilot {n}: releases go through CI and we can roll back in a minute.",
    "Pilot {n}: the works council has not been told.",
    "Pilot {n}: training is a recorded video.",
]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(share * len(ordered)) - 1)]


def load(advisor: Any, sessions: int, answers: int, rounds: int) -> dict[str, Any]:
    timings: list[float] = []
    lock = threading.Lock()
    lost = crosstalk = 0

    def interview(n: int, round_number: int) -> tuple[str, list[str]]:
        rng = random.Random(n * 100 + round_number)
        workspace = advisor.create_workspace(f"Soak {round_number}-{n}")
        person = advisor.add_stakeholder(workspace.id, f"Person {n}", "Head of data")
        advisor.start_interview(person.id)
        said = []
        for k in range(answers):
            text = ANSWERS[k % len(ANSWERS)].format(n=f"{round_number}-{n}")
            time.sleep(rng.uniform(0.05, 0.3))  # a person typing
            start = time.perf_counter()
            advisor.answer(person.id, text)
            with lock:
                timings.append((time.perf_counter() - start) * 1000)
            said.append(text)
        return person.id, said

    started = time.perf_counter()
    for round_number in range(rounds):
        with ThreadPoolExecutor(max_workers=sessions) as pool:
            done = list(pool.map(lambda n, r=round_number: interview(n, r), range(sessions)))
        for n, (person, said) in enumerate(done):
            stored = [t.content for t in advisor.turns(person) if t.role == "stakeholder"]
            lost += sum(1 for text in said if text not in stored)
            mine = f"Pilot {round_number}-{n}:"
            crosstalk += sum(1 for t in stored if t.startswith("Pilot ") and mine not in t)
    return {
        "sessions": sessions,
        "rounds": rounds,
        "turns": len(timings),
        "p50_ms": statistics.median(timings),
        "p95_ms": _percentile(timings, 0.95),
        "max_ms": max(timings),
        "seconds": time.perf_counter() - started,
        "lost": lost,
        "crosstalk": crosstalk,
    }


def uploads(advisor: Any) -> dict[str, Any]:
    from tests.factories import small_reports

    workspace = advisor.create_workspace("Soak uploads")
    files = small_reports(f"{t}-{k}" for t in range(8) for k in range(3))
    items = list(files.items())
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=8) as pool:
        records = list(pool.map(lambda item: advisor.add_document(workspace.id, *item), items))
    stored = {d.source for d in advisor.documents(workspace.id)}
    name = advisor.store.name_for(workspace.id)
    return {
        "files": len(files),
        "indexed": sum(1 for r in records if r.status == "indexed"),
        "recorded": len(stored),
        "in_store": len(advisor.store.sources(name)),
        "seconds": time.perf_counter() - started,
    }


def llm_faults(data: Path, embedder: Any, turns: int) -> dict[str, Any]:
    from app.service.advisor import Advisor
    from tests.fake_openai import FakeOpenAI

    cycle = [
        {"content": json.dumps({"question": "Who owns that feed today?"})},
        {"status": 429},
        {"delay": 3},
        {"status": 500},
        {"content": "not json at all"},
        {"content": json.dumps({"question": "no question mark"})},
    ]
    counter = {"n": 0}

    def responder(request: dict[str, Any]) -> dict[str, Any]:
        counter["n"] += 1
        return cycle[counter["n"] % len(cycle)]

    with FakeOpenAI(responder=responder) as server:
        settings = server.settings(data, "soak", timeout=1, retries=1)
        advisor = Advisor(settings, embedder=embedder)
        workspace = advisor.create_workspace("Soak LLM faults")
        person = advisor.add_stakeholder(workspace.id, "Dana", "Head of data")
        advisor.start_interview(person.id)
        timings, fallbacks, kept = [], 0, 0
        for k in range(turns):
            if k == turns // 2:
                server.stop()  # the endpoint goes away entirely
            text = ANSWERS[k % len(ANSWERS)].format(n="llm")
            start = time.perf_counter()
            result = advisor.answer(person.id, text)
            timings.append((time.perf_counter() - start) * 1000)
            fallbacks += sum(1 for n in result.notices if "offline engine" in n)
            kept += text in [t.content for t in advisor.turns(person.id)]
    return {
        "turns": turns,
        "kept": kept,
        "fallbacks": fallbacks,
        "p50_ms": statistics.median(timings),
        "p95_ms": _percentile(timings, 0.95),
        "requests": len(server.history),
    }


def chroma_outage(data: Path, embedder: Any, turns: int) -> dict[str, Any]:
    from app.service.advisor import Advisor
    from app.settings import Settings
    from tests.servers import ChromaServer

    server = ChromaServer(data / "chroma-server").start()
    try:
        advisor = Advisor(
            Settings(data_dir=data / "c", chroma_host="127.0.0.1", chroma_port=server.port),
            embedder=embedder,
        )
        workspace = advisor.create_workspace("Soak outage")
        advisor.add_document(workspace.id, "ops.md", b"# Ops\nThe model runs on a laptop.\n")
        person = advisor.add_stakeholder(workspace.id, "Sam", "IT operations")
        advisor.start_interview(person.id)
        kept = notices = 0
        recovered = False
        for k in range(turns):
            if k == turns // 3:
                server.stop()
            if k == 2 * turns // 3:
                server.start()
            text = ANSWERS[k % len(ANSWERS)].format(n="outage")
            result = advisor.answer(person.id, text)
            notices += any("cannot be reached" in n for n in result.notices)
            kept += text in [t.content for t in advisor.turns(person.id)]
            if k >= 2 * turns // 3 and not result.notices:
                recovered = True
        return {"turns": turns, "kept": kept, "outage_notices": notices, "recovered": recovered}
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--answers", type=int, default=12)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()

    with warmed_advisor("soak-") as (advisor, work):
        figures = {
            "load": load(advisor, options.sessions, options.answers, options.rounds),
            "uploads": uploads(advisor),
            "llm_faults": llm_faults(work / "llm", advisor.embedder, 18),
            "chroma_outage": chroma_outage(work, advisor.embedder, 12),
        }
    print(json.dumps(figures, indent=2))
    write(figures)


def write(f: dict[str, Any]) -> None:
    load_, up, llm, outage = f["load"], f["uploads"], f["llm_faults"], f["chroma_outage"]
    section = "\n".join(
        [
            "## Soak (load and faults)",
            "",
            f"Measured {time.strftime('%Y-%m-%d')} by `make soak` (`bench/soak.py`), all on "
            "127.0.0.1.",
            "",
            "| run | figures | target |",
            "|---|---|---|",
            f"| {load_['sessions']} simultaneous interviews x {load_['rounds']} rounds, one "
            f"shared advisor | {load_['turns']} turns; p50 {load_['p50_ms']:.0f} ms, p95 "
            f"{load_['p95_ms']:.0f} ms, max {load_['max_ms']:.0f} ms; lost "
            f"{load_['lost']}, cross-talk {load_['crosstalk']} | p95 <= 500 ms, 0 lost |",
            f"| concurrent uploads into one pilot (8 threads) | {up['files']} files, "
            f"{up['indexed']} indexed, {up['recorded']} recorded, {up['in_store']} in the "
            f"store, {up['seconds']:.1f} s | nothing lost |",
            f"| LLM endpoint cycling ok / 429 / slow / 500 / malformed, then down | "
            f"{llm['turns']} answers, {llm['kept']} kept, {llm['fallbacks']} offline "
            f"fallbacks announced; p95 {llm['p95_ms']:.0f} ms | every answer kept |",
            f"| Chroma server stopped mid-interview, then restarted | {outage['turns']} "
            f"answers, {outage['kept']} kept, {outage['outage_notices']} outage notices, "
            f"recovered: {outage['recovered']} | every answer kept |",
            "",
        ]
    )
    replace_section("Soak", section)


if __name__ == "__main__":
    main()
