"""Privacy and audit: personal data is redacted before it reaches an external LLM, keys never
appear in logs or exports, and every assessment and plan records what produced it."""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from app.documents.embeddings import Embedder
from app.io.export import FORMATS, export
from app.llm.redact import Redaction, Redactor
from app.schemas import Transcript
from app.service.advisor import Advisor
from app.settings import Settings
from tests.fake_openai import FakeOpenAI
from tests.integration.test_engine_llm import smart

KEY = "sk-test-THIS-MUST-NEVER-LEAK-0123456789"
PERSONAL = (
    "Ask Dana at dana.okafor@northwind.example or on +44 20 7946 0958; refunds go to IBAN "
    "GB82 WEST 1234 5698 7654 32 and the test card 4111 1111 1111 1111; her SSN is 123-45-6789."
)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("mail me: a.b-c@dept.example.co.uk please", "EMAIL"),
        ("call 0031 20 123 4567 today", "PHONE"),
        ("+4915112345678", "PHONE"),
        ("NL91 ABNA 0417 1643 00", "IBAN"),
        ("card 5555-5555-5555-4444", "CARD"),
        ("ssn 078-05-1120", "NATIONAL_ID"),
        ("NI number AB 12 34 56 C", "NATIONAL_ID"),
    ],
)
def test_personal_data_is_replaced_and_restored(text: str, kind: str) -> None:
    redactor, redaction = Redactor(), Redaction()
    out = redactor.redact(text, redaction)
    assert f"[{kind}_1]" in out
    assert Redactor.restore(out, redaction) == text


def test_figures_and_dates_are_not_mistaken_for_personal_data() -> None:
    text = "From 2021 to 2024 we scored 3,400 claims; budget 250000 EUR; order 12345678."
    assert Redactor().redact(text, Redaction()) == text


def test_configured_patterns_are_redacted_too() -> None:
    redactor = Redactor({"EMPLOYEE_ID": r"\bE\d{6}\b"})
    assert redactor.redact("owner E123456", Redaction()) == "owner [EMPLOYEE_ID_1]"


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(responder=smart) as fake:
        yield fake


@pytest.fixture
def llm(server: FakeOpenAI, tmp_path: Path, embedder: Embedder, kb_template: Path) -> Advisor:
    shutil.copytree(kb_template, tmp_path / "data")
    settings = Settings(
        data_dir=tmp_path / "data",
        llm="openai:test-model",
        openai_base_url=server.url,
        openai_api_key=SecretStr(KEY),
        llm_timeout=2,
        llm_retries=0,
    )
    return Advisor(settings, embedder=embedder)


def test_nothing_personal_reaches_the_llm_and_quotes_still_verify(
    llm: Advisor, server: FakeOpenAI
) -> None:
    transcript = Transcript(
        turns=[
            {"role": "advisor", "content": "Who owns the data?"},
            {"role": "stakeholder", "speaker": "Sam", "content": PERSONAL},
        ]
    )
    result = llm.assess_transcript(transcript)
    sent = json.dumps(server.history)
    for secret in ("dana.okafor@northwind.example", "7946 0958", "GB82", "4111", "123-45-6789"):
        assert secret not in sent
    assert "[EMAIL_1]" in sent
    quotes = [e.quote for p in result.patterns for e in p.evidence]
    assert quotes and all(q in PERSONAL for q in quotes)
    assert any("redact" in n.lower() for n in result.audit.notices)


def test_the_api_key_never_reaches_logs_or_exports(
    llm: Advisor, server: FakeOpenAI, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    plan = llm.plan_transcript(
        Transcript.model_validate_json(
            (Path(__file__).parents[1] / "fixtures" / "transcripts" / "at-risk.json").read_bytes()
        )
    )
    server.enqueue({"status": 500})
    llm.ask(None, "How do we roll back?")
    assert KEY not in caplog.text
    assert KEY not in repr(llm.settings)
    for fmt in FORMATS:
        body = export(plan, fmt)
        assert KEY.encode() not in body


def test_every_assessment_and_plan_carries_its_audit_trail(llm: Advisor, tmp_path: Path) -> None:
    doc = tmp_path / "notes.md"
    doc.write_text("# Notes\nThe extract is cleaned by hand.\n")
    plan = llm.plan_transcript(
        Transcript(turns=[{"role": "stakeholder", "content": "We clean the data by hand."}]),
        [doc],
    )
    audit = plan.audit
    assert audit.engine == "openai:test-model" and audit.model == "openai:test-model"
    assert audit.knowledge_version == llm.knowledge.version
    assert set(audit.prompts) >= {"extract_signals", "plan_summary"}
    assert all("@v" in label for label in audit.prompts.values())
    import hashlib

    assert audit.documents == {"notes.md": hashlib.sha256(doc.read_bytes()).hexdigest()}
    markdown = export(plan, "md").decode()
    assert llm.knowledge.version in markdown and "notes.md: sha256" in markdown
    data: dict[str, Any] = json.loads(export(plan, "json"))
    assert data["audit"]["prompts"]["extract_signals"] == audit.prompts["extract_signals"]
