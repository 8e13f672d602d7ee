"""Against a real OpenAI endpoint: runs only with `-m live` and OPENAI_API_KEY set."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import SecretStr

from app.documents.embeddings import Embedder
from app.schemas import Transcript
from app.service.advisor import Advisor
from app.settings import Settings
from tests.conftest import FIXTURES, LIVE_KEY

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(not LIVE_KEY, reason="needs OPENAI_API_KEY (a real LLM endpoint)"),
]


def test_the_llm_engine_assesses_and_plans_with_a_real_model(
    tmp_path: Path, embedder: Embedder, kb_template: Path
) -> None:
    import shutil

    shutil.copytree(kb_template, tmp_path / "data")
    settings = Settings(
        data_dir=tmp_path / "data",
        llm=os.environ.get("ADVISOR_LIVE_MODEL", "openai:gpt-4o-mini"),
        openai_api_key=SecretStr(LIVE_KEY or ""),
    )
    advisor = Advisor(settings, embedder=embedder)
    transcript = Transcript.model_validate_json(
        (FIXTURES / "transcripts" / "at-risk.json").read_bytes()
    )
    plan = advisor.plan_transcript(transcript)
    assert plan.assessment.engine.startswith("openai:")
    assert plan.assessment.pattern("data_quality").level != "low"
    assert all(item.citations for item in plan.items())
