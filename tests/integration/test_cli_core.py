"""The CLI contracts of the advisor core: assess and plan, their JSON shapes and formats."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.documents.embeddings import Embedder
from app.service import components as components_module
from tests.conftest import FIXTURES

runner = CliRunner()
AT_RISK = str(FIXTURES / "transcripts" / "at-risk.json")


@pytest.fixture(autouse=True)
def _shared(
    monkeypatch: pytest.MonkeyPatch, embedder: Embedder, kb_template: Path, tmp_path: Path
) -> None:
    import shutil

    monkeypatch.setattr(components_module, "make_embedder", lambda settings: embedder)
    shutil.copytree(kb_template, tmp_path / "data", dirs_exist_ok=True)


def test_assess_json_has_all_five_patterns_with_evidence() -> None:
    result = runner.invoke(cli, ["assess", "--transcript", AT_RISK, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["engine"] == "offline"
    assert [p["id"] for p in data["patterns"]] == [
        "data_quality",
        "infrastructure",
        "integration",
        "governance",
        "change_management",
    ]
    for pattern in data["patterns"]:
        assert {"id", "name", "risk", "level", "confidence", "evidence"} <= set(pattern)
        assert pattern["level"] in ("low", "medium", "high", "not_assessed")
        assert (pattern["risk"] is None) == (pattern["level"] == "not_assessed")
        assert pattern["risk"] is None or 0 <= pattern["risk"] <= 100
        for item in pattern["evidence"]:
            assert {"quote", "source", "signal"} <= set(item)
            assert item["source"]["kind"] == "turn" and "turn" in item["source"]


def test_assess_reads_documents_with_page_and_chunk(tmp_path: Path) -> None:
    from tests.factories import make_pdf

    pdf = make_pdf(
        tmp_path / "report.pdf",
        ["Intro", "The model runs from a notebook on a laptop and there is no monitoring at all."],
    )
    thin = tmp_path / "thin.json"
    thin.write_text(json.dumps({"turns": [{"role": "stakeholder", "content": "See the report."}]}))
    result = runner.invoke(cli, ["assess", "-t", str(thin), "--doc", str(pdf), "--json"])
    assert result.exit_code == 0, result.output
    infra = json.loads(result.stdout)["patterns"][1]
    source = infra["evidence"][0]["source"]
    assert source == {
        "kind": "document",
        "file": "report.pdf",
        "page": 2,
        "chunk_id": source["chunk_id"],
    }


def test_plan_json_shape_and_verbatim_citations() -> None:
    result = runner.invoke(cli, ["plan", "-t", AT_RISK, "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) >= {"assessment", "phases"}
    assert len(data["assessment"]["patterns"]) == 5
    items = [i for phase in data["phases"] for i in phase["items"]]
    assert items
    for item in items:
        assert {
            "title",
            "pattern",
            "action",
            "owner",
            "effort",
            "kpi",
            "depends_on",
            "citations",
            "evidence",
        } <= set(item)
        assert item["citations"]
        for c in item["citations"]:
            assert {"chunk_id", "source", "section", "page", "quote"} <= set(c)


@pytest.mark.parametrize("fmt", ["md", "csv", "pdf", "docx"])
def test_plan_formats(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"plan.{fmt}"
    result = runner.invoke(cli, ["plan", "-t", AT_RISK, "--format", fmt, "-o", str(out)])
    assert result.exit_code == 0, result.output
    body = out.read_bytes()
    if fmt == "md":
        text = body.decode()
        assert text.startswith("# Production readiness plan: Claims triage\n\n## Go-live verdict")
        assert "## First 30 days" in text and "## Sources" in text and "## Audit trail" in text
    elif fmt == "csv":
        # Read back as Jira's importer does: repeated Labels columns are one label each.
        header, *rows = list(csv.reader(io.StringIO(body.decode())))
        assert header.count("Labels") == 3
        assert {"Issue ID", "Parent", "Issue Type", "Summary", "Description", "Priority",
                "Due Date", "Epic Name", "Epic Link"} <= set(header)  # fmt: skip
        issues = [dict(zip(header, r, strict=True)) for r in rows]
        labels = [[v for h, v in zip(header, r, strict=True) if h == "Labels" and v] for r in rows]
        epic, tasks = issues[0], issues[1:]
        assert epic["Issue Type"] == "Epic" and "Go-live verdict" in epic["Description"]
        assert tasks and all(t["Issue Type"] == "Task" and t["Parent"] == "1" for t in tasks)
        assert all(t["Epic Link"] == epic["Epic Name"] for t in tasks)
        assert all(t["Priority"] in ("High", "Medium") for t in tasks)
        assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", t["Due Date"]) for t in tasks)
        assert all(" " not in label for row in labels for label in row)
        assert all(len(row) == 3 for row in labels[1:])
        assert all("**" not in t["Description"] for t in tasks)  # plain text, not Markdown
        cells = [cell for row in rows for cell in row]
        assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    elif fmt == "pdf":
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(body))
        title = reader.pages[0].extract_text()  # a title page: pilot, organisation, verdict
        assert "Claims triage" in title and "Northwind Insurance" in title
        assert "Go-live verdict" in title and "Page" not in title
        second = reader.pages[1].extract_text()
        assert "Go-live verdict" in second and "Area by area" in second and "Page 2" in second
        text = " ".join(page.extract_text() for page in reader.pages)
        assert "Production readiness plan" in text and "Sources" in text
        assert any(page.images for page in reader.pages)  # the risk chart
        _no_overlapping_text(body, tmp_path)
    else:
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            names = archive.namelist()
            xml = archive.read("word/document.xml").decode()
        assert any(n.startswith("word/media/") for n in names)  # the risk chart
        assert "Production readiness plan" in xml and "Audit trail" in xml
        assert xml.index("Go-live verdict") < xml.index("Risk by failure pattern")
        assert "Northwind Insurance" in xml
        footers = [n for n in names if n.startswith("word/footer")]
        assert any("PAGE" in archive_text(body, n) for n in footers)  # page numbers


def archive_text(body: bytes, name: str) -> str:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        return archive.read(name).decode()


def _no_overlapping_text(body: bytes, folder: Path) -> None:
    """Render every page to PNG, and check that no two text boxes on a page overlap (text
    running out of a table column into the next shows up as two boxes crossing)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(body)
    for number in range(len(document)):
        page = document[number]
        page.render(scale=1).to_pil().save(folder / f"page-{number + 1}.png")
        text = page.get_textpage()
        boxes = [text.get_rect(i) for i in range(text.count_rects())]
        for a, (left, bottom, right, top) in enumerate(boxes):
            for other in boxes[a + 1 :]:
                x = min(right, other[2]) - max(left, other[0])
                y = min(top, other[3]) - max(bottom, other[1])
                assert not (x > 1 and y > 1), f"page {number + 1}: text overlaps at {other}"


def test_plan_to_stdout_and_a_bad_transcript_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(cli, ["plan", "-t", AT_RISK, "--format", "md"])
    assert result.exit_code == 0 and result.stdout.startswith("# Production readiness plan")
    bad = tmp_path / "bad.json"
    bad.write_text('{"pilot": {}}')
    result = runner.invoke(cli, ["assess", "-t", str(bad)])
    assert result.exit_code == 2
    assert "not a valid transcript" in result.output and "Traceback" not in result.output


def test_unknown_engine_lists_the_valid_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVISOR_LLM", "claude:opus")
    result = runner.invoke(cli, ["assess", "-t", AT_RISK])
    assert result.exit_code == 2
    assert "offline" in result.output and "openai:<model>" in result.output


def test_chat_runs_the_interview_in_a_terminal() -> None:
    answers = "Dana\nData owner\nSomeone cleans the export by hand.\nskip\nfinish\n"
    result = runner.invoke(cli, ["chat", "-w", "cli-pilot"], input=answers)
    assert result.exit_code == 0, result.output
    assert "Advisor:" in result.output and "Thank you" in result.output
