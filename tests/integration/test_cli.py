"""The CLI's JSON contracts that later issues and outside checks rely on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.documents.embeddings import Embedder, make_embedder
from app.service import components as components_module
from tests.conftest import FIXTURES

runner = CliRunner()


@pytest.fixture(autouse=True)
def _shared_model(monkeypatch: pytest.MonkeyPatch, embedder: Embedder) -> None:
    """Reuse the session's model instead of loading one per command."""
    monkeypatch.setattr(components_module, "make_embedder", lambda settings: embedder)


def test_ingest_json_reports_every_file(tmp_path: Path) -> None:
    bad = tmp_path / "scan.pdf"
    bad.write_bytes(b"")
    result = runner.invoke(
        cli, ["ingest", str(FIXTURES / "pilot-report.md"), str(bad), "-w", "w1", "--json"]
    )
    assert result.exit_code == 0, result.output
    files = json.loads(result.stdout)["files"]
    assert [set(f) for f in files] == [{"path", "status", "chunks", "pages", "error"}] * 2
    assert files[0]["status"] == "indexed" and files[0]["chunks"] > 0
    assert files[1]["status"] == "refused" and "scan.pdf" in files[1]["error"]


def test_search_json_shape() -> None:
    runner.invoke(cli, ["ingest", str(FIXTURES / "pilot-report.md"), "-w", "w2"])
    result = runner.invoke(cli, ["search", "who owns the repair shop feed", "-w", "w2", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["results"]
    assert len(rows) == 5
    assert set(rows[0]) == {"chunk_id", "source", "page", "section", "text", "score"}
    assert any(r["source"] == "pilot-report.md" for r in rows)


def test_errors_are_one_line_messages_not_tracebacks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVISOR_EMBEDDINGS", "nonsense:model")
    monkeypatch.setattr(components_module, "make_embedder", make_embedder)
    result = runner.invoke(cli, ["search", "anything"])
    assert result.exit_code == 2
    assert "Unknown ADVISOR_EMBEDDINGS" in result.output
    assert "Traceback" not in result.output
