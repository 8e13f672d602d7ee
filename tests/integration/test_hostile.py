"""Hostile input: every bad file is indexed or refused with a clear message, in the CLI and
through the API the app uses, and earlier turns and uploads stay intact."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.documents.embeddings import Embedder
from app.service import components as components_module
from app.service.advisor import Advisor
from tests.factories import make_docx, make_pdf, make_zip_bomb_docx

runner = CliRunner()


def _image_only_pdf(path: Path) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.rect(50, 50, 400, 600, fill=1)
    pdf.showPage()
    pdf.save()
    return path


def _long_pdf(path: Path, pages: int) -> Path:
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path))
    for number in range(pages):
        pdf.drawString(60, 800, f"Page {number + 1}: the pilot status report continues.")
        pdf.showPage()
    pdf.save()
    return path


def _truncated_pdf(path: Path) -> Path:
    whole = make_pdf(path, ["Some text on a page"] * 3).read_bytes()
    path.write_bytes(whole[: len(whole) // 3])
    return path


HOSTILE: dict[str, Callable[[Path], Path]] = {
    "zero-byte.pdf": lambda p: (p.write_bytes(b""), p)[1],
    "truncated.pdf": _truncated_pdf,
    "random-bytes.pdf": lambda p: (p.write_bytes(bytes(range(256)) * 64), p)[1],
    "web-page.pdf": lambda p: (p.write_bytes(b"<!DOCTYPE html><html><body>Hi</body></html>"), p)[1],
    "scan.pdf": _image_only_pdf,
    "locked.pdf": lambda p: make_pdf(p, ["Confidential"], password="s3cret"),
    "bomb.docx": lambda p: make_zip_bomb_docx(p, unpacked_mb=260),
    "program.docx": lambda p: (p.write_bytes(b"\x7fELF\x02\x01\x01" + bytes(4000)), p)[1],
    "notes-latin1.txt": lambda p: (
        p.write_bytes("Données nettoyées à la main; responsable: personne.".encode("latin-1")),
        p,
    )[1],
    "one-line.md": lambda p: (p.write_text("the feed is cleaned by hand " * 190_000), p)[1],
    "long-report.pdf": lambda p: _long_pdf(p, 600),
}
EXPECTED = {
    "zero-byte.pdf": "empty",
    "truncated.pdf": ("damaged", "no text layer", "only drawings"),
    "random-bytes.pdf": "does not match",
    "web-page.pdf": "HTML",
    "scan.pdf": "only drawings",
    "locked.pdf": "password",
    "bomb.docx": "unpacks",
    "program.docx": "does not match",
    "notes-latin1.txt": None,
    "one-line.md": "more text than the limit",
    "long-report.pdf": None,
}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hostile")
    return {name: build(folder / name) for name, build in HOSTILE.items()}


def _check(name: str, status: str, error: str | None) -> None:
    expected = EXPECTED[name]
    if expected is None:
        assert status == "indexed", (name, error)
        return
    assert status == "refused", name
    assert error and error.startswith(name), error
    needles = expected if isinstance(expected, tuple) else (expected,)
    assert any(n in error for n in needles), error
    assert "Traceback" not in error


def test_the_cli_indexes_or_refuses_each_hostile_file(
    hostile: dict[str, Path], monkeypatch: pytest.MonkeyPatch, embedder: Embedder
) -> None:
    monkeypatch.setattr(components_module, "make_embedder", lambda settings: embedder)
    monkeypatch.setenv("ADVISOR_MAX_PAGES", "1000")
    result = runner.invoke(cli, ["ingest", *map(str, hostile.values()), "-w", "h", "--json"])
    assert result.exit_code == 0, result.output
    files = json.loads(result.stdout)["files"]
    assert len(files) == len(hostile)
    for name, row in zip(hostile, files, strict=True):
        _check(name, row["status"], row["error"])


def test_the_page_limit_refuses_the_600_page_pdf_when_set_lower(
    hostile: dict[str, Path], advisor: Advisor
) -> None:
    limited = Advisor(
        advisor.settings.model_copy(update={"max_pages": 500}), embedder=advisor.embedder
    )
    report = limited.ingest([hostile["long-report.pdf"]], workspace="h")[0]
    assert report.status == "refused" and "600 pages" in (report.error or "")


def test_uploads_through_the_api_keep_earlier_work_intact(
    hostile: dict[str, Path], advisor: Advisor
) -> None:
    workspace = advisor.create_workspace("Hostile pilot")
    person = advisor.add_stakeholder(workspace.id, "Dana", "Data owner")
    advisor.start_interview(person.id)
    advisor.answer(person.id, "Someone cleans the extract by hand before each demo.")
    good = make_docx(
        Path(hostile["bomb.docx"]).parent / "plan.docx",
        [("Data", ["Nobody owns the vendor feed."])],
    )
    advisor.add_document(workspace.id, "plan.docx", good.read_bytes())
    for name, path in hostile.items():
        record = advisor.add_document(workspace.id, name, path.read_bytes())
        _check(name, record.status, record.error)
    sources = {d.source: d.status for d in advisor.documents(workspace.id)}
    assert sources["plan.docx"] == "indexed"
    assert len(sources) == len(hostile) + 1
    turns = advisor.turns(person.id)
    assert [t.content for t in turns if t.role == "stakeholder"] == [
        "Someone cleans the extract by hand before each demo."
    ]
    assessment = advisor.assess(workspace.id)
    assert assessment.pattern("data_quality").assessed


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd.md",
        "..\\..\\win.ini.txt",
        "evil\x00name\x1b[31m.md",
        "\u202eexe.md",
        "/absolute/path/report.md",
    ],
)
def test_file_names_with_traversal_or_control_characters_are_made_safe(
    advisor: Advisor, name: str
) -> None:
    workspace = advisor.create_workspace("Names")
    record = advisor.add_document(workspace.id, name, b"# Notes\nThe feed is cleaned by hand.\n")
    assert record.status == "indexed"
    assert "/" not in record.source and "\\" not in record.source
    assert not any(ord(c) < 32 or c == "\u202e" for c in record.source)
    assert record.source.endswith(".md") or record.source.endswith(".txt")


def test_a_zip_bomb_is_refused_before_it_is_inflated(advisor: Advisor, tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"<w:document/>" + b"\0" * (400 << 20))
    workspace = advisor.create_workspace("Bomb")
    record = advisor.add_document(workspace.id, "bomb.docx", buffer.getvalue())
    assert record.status == "refused" and "unpacks" in (record.error or "")
