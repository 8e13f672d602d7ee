"""Whatever people type: long answers, two tabs, markup and control characters."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.errors import ConfigError, NotFound
from app.io.export import export
from app.reading.language import Reader
from app.service.advisor import Advisor
from app.ui.state import plain

HOSTILE = (
    "We never signed a DPIA <b>unclosed <i>tags & entities &amp; "
    "![pixel](http://127.0.0.1:9/track.png) [click](http://127.0.0.1:9/) "
    "$\\rule{40em}{10em}$ :red-background[Security warning] [/bold] \x00\x0b\x01\x07 end."
)


def test_an_answer_is_stored_whole_before_it_is_read(
    advisor: Advisor, monkeypatch: pytest.MonkeyPatch
) -> None:
    space = advisor.create_workspace("Claims")
    person = advisor.add_stakeholder(space.id, "Dana", "Head of claims data")
    advisor.start_interview(person.id)
    long = ("The vendor feed has no owner and breaks every month. " * 400)[:20_000]

    def crash(*_: object) -> str:
        raise RuntimeError("reader died")

    monkeypatch.setattr(advisor.interviewer, "reply_kind", crash)
    with pytest.raises(RuntimeError):
        advisor.answer(person.id, long)
    stored = [t for t in advisor.turns(person.id) if t.role == "stakeholder"]
    assert len(stored) == 1 and stored[0].content == long.strip()  # whole, not cut


def test_an_answer_over_the_limit_is_refused_with_what_to_do(advisor: Advisor) -> None:
    space = advisor.create_workspace("Claims")
    person = advisor.add_stakeholder(space.id, "Dana", "Head of claims data")
    advisor.start_interview(person.id)
    with pytest.raises(ConfigError, match=r"ADVISOR_MAX_ANSWER_CHARS.*upload it as a document"):
        advisor.answer(person.id, "x" * 200_000)
    assert not [t for t in advisor.turns(person.id) if t.role == "stakeholder"]


def test_reading_looks_back_a_bounded_stretch() -> None:
    """Negation is found within its clause however long the text before it is."""
    from app.knowledge.catalog import load_knowledge

    reader = Reader(load_knowledge(Path(__file__).resolve().parents[2] / "knowledge").lexicon)
    filler = "the weather was fine and the team met as planned " * 2000
    near = reader.read(filler + "and we do not have any monitoring")
    assert any(c.negated for c in near.cues)


def test_a_second_tab_answer_stays_with_the_question_it_saw(advisor: Advisor) -> None:
    space = advisor.create_workspace("Claims")
    person = advisor.add_stakeholder(space.id, "Dana", "Head of claims data")
    first = advisor.start_interview(person.id).question
    advisor.answer(person.id, "Nobody owns the vendor feed.", question=first.index)
    current = advisor.turns(person.id)[-1]
    late = advisor.answer(person.id, "Also the codes changed in May.", question=first.index)
    assert late.answer is not None and late.answer.answers == first.index
    assert late.question.index == current.index  # the open question still waits
    assert any("Another window" in n for n in late.notices)


@pytest.mark.parametrize("fmt", ["md", "pdf", "docx", "csv", "json"])
def test_exports_never_fail_on_user_text(advisor: Advisor, fmt: str) -> None:
    space = advisor.create_workspace("Claims\n# Injected section\x00")
    person = advisor.add_stakeholder(space.id, "Dana\x07", "Head of claims data")
    advisor.start_interview(person.id)
    advisor.answer(person.id, HOSTILE)
    advisor.plan(space.id)
    body = advisor.export(space.id, fmt)
    if fmt == "md":
        text = body.decode()
        assert "![pixel](" not in text and "[click](" not in text and "<b>" not in text
        assert "\n# Injected section" not in text and "\x00" not in text
    elif fmt == "docx":
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            assert "Go-live verdict" in archive.read("word/document.xml").decode()
    elif fmt == "json":
        assert json.loads(body)["verdict"]["status"]
    elif fmt == "csv":
        import csv

        cells = [c for row in csv.reader(io.StringIO(body.decode())) for c in row]
        assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert export(advisor.latest_plan(space.id), fmt)  # type: ignore[arg-type]


def test_user_text_is_shown_as_text_in_the_app() -> None:
    shown = plain(HOSTILE)
    for active in ("![pixel](", "[click](", "$\\rule", ":red-background["):
        assert active not in shown


def test_the_cli_prints_user_text_without_reading_it_as_markup(tmp_path: Path) -> None:
    transcript = tmp_path / "t.json"
    transcript.write_text(
        json.dumps(
            {
                "pilot": {"name": "Claims [/bold]"},
                "turns": [
                    {"role": "advisor", "content": "Who owns the feed? [/red]"},
                    {"role": "stakeholder", "content": "Nobody owns it [/bold] at all."},
                ],
            }
        )
    )
    result = CliRunner().invoke(cli, ["assess", "-t", str(transcript)])
    assert result.exit_code == 0, result.output


def test_ingest_exits_1_when_no_file_was_indexed(tmp_path: Path) -> None:
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"not a pdf at all")
    result = CliRunner().invoke(cli, ["ingest", str(bad), "-w", "x"])
    assert result.exit_code == 1 and "refused" in result.output


KILLED_INGEST = """
import sys
from pathlib import Path
from app.service.advisor import Advisor
from app.settings import Settings

adv = Advisor(Settings(data_dir=Path(sys.argv[1])))
space = sys.argv[2]
adv.add_document(space, "long-report.pdf", Path(sys.argv[3]).read_bytes())
"""


def test_a_kill_mid_ingest_leaves_nothing_half_indexed(advisor: Advisor, tmp_path: Path) -> None:
    """A real process is killed with SIGKILL while it writes a long PDF's chunks; on the next
    start the half-read document is cleaned up and shown, never cited."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from reportlab.pdfgen import canvas

    pdf_path = tmp_path / "long-report.pdf"
    pdf = canvas.Canvas(str(pdf_path))
    for number in range(400):
        for line in range(30):
            pdf.drawString(
                40, 800 - 24 * line, f"Page {number} line {line}: the vendor feed has no owner."
            )
        pdf.showPage()
    pdf.save()
    space = advisor.create_workspace("Claims")
    script = tmp_path / "ingest.py"
    script.write_text(KILLED_INGEST)
    root = Path(__file__).resolve().parents[2]
    process = subprocess.Popen(
        [sys.executable, str(script), str(advisor.settings.data_dir), space.id, str(pdf_path)],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if any(r.status == "indexing" for r in advisor.sessions.documents(space.id)):
            time.sleep(1.0)  # some chunks written, not all
            break
        time.sleep(0.05)
    assert process.poll() is None, "the ingest finished before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)

    records = advisor.sessions.documents(space.id)
    assert [r.status for r in records] == ["indexing"]
    assert advisor.recover_documents(older_than_seconds=0) == 1
    (record,) = advisor.documents(space.id)
    assert record.status == "refused" and "interrupted" in (record.error or "")
    assert not [r for r in advisor.search("vendor feed owner", workspace=space.id) if
                r.source == "long-report.pdf"]  # fmt: skip
    advisor.remove_document(space.id, record.source)
    assert advisor.documents(space.id) == []


def test_the_cli_refuses_folders_links_and_pipes_with_their_own_message(tmp_path: Path) -> None:
    import os

    runner = CliRunner()
    folder = tmp_path / "folder.json"
    folder.mkdir()
    result = runner.invoke(cli, ["assess", "-t", str(folder)])
    assert result.exit_code == 2 and "not a regular file" in result.output
    assert "Traceback" not in result.output
    pipe = tmp_path / "pipe.json"
    os.mkfifo(pipe)
    result = runner.invoke(cli, ["assess", "-t", str(pipe)])  # returns, never hangs
    assert result.exit_code == 2 and "not a regular file" in result.output

    good = tmp_path / "notes.md"
    good.write_text("# Notes\n\nThe vendor feed has no owner.\n")
    link = tmp_path / "passwd.md"
    link.symlink_to("/etc/passwd")
    dangling = tmp_path / "gone.md"
    dangling.symlink_to(tmp_path / "nowhere.md")
    result = runner.invoke(
        cli, ["ingest", str(good), str(link), str(dangling), str(folder), "-w", "x", "--json"]
    )
    files = json.loads(result.output)["files"]
    assert [f["status"] for f in files] == ["indexed", "refused", "refused", "refused"]
    assert all("not a regular file" in f["error"] for f in files[1:])
    assert result.exit_code == 0  # one file was indexed


def test_an_answer_in_another_language_is_saved_and_flagged(advisor: Advisor) -> None:
    space = advisor.create_workspace("Claims")
    person = advisor.add_stakeholder(space.id, "Dana", "Leiterin Kreditorenbuchhaltung")
    advisor.start_interview(person.id)
    german = "Die Lieferantendaten sind nicht sauber und niemand ist dafür verantwortlich."
    result = advisor.answer(person.id, german)
    assert result.answer is not None and result.answer.content == german
    assert any("is in German" in n for n in result.notices)
    findings = advisor.assess(space.id).findings
    assert any(f.kind == "language" and "German" in f.text for f in findings)
    english = advisor.answer(person.id, "Nobody owns the vendor feed and it breaks monthly.")
    assert not any("Not read" in n for n in english.notices)


def _empty_paragraphs_docx(path: Path, count: int) -> Path:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxml'
        'formats.org/wordprocessingml/2006/main"><w:body>' + "<w:p/>" * count + "</w:body>"
        "</w:document>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", body)
    return path


def test_files_with_absurd_structure_are_refused_quickly(tmp_path: Path) -> None:
    """A 1.2 MB Markdown file of 100,000 one-letter sections and a small DOCX of two million
    empty paragraphs are refused by their limits, naming the limit (times in the closing note
    and bench/RESULTS.md, not asserted here)."""
    from app.documents.ingest import Limits, parse_file
    from app.errors import TooManyParts

    limits = Limits(max_bytes=50 << 20, max_pages=1000, max_unpacked_bytes=200 << 20)
    markdown = tmp_path / "sections.md"
    markdown.write_text("".join(f"# {i}\nx\n" for i in range(100_000)))
    with pytest.raises(TooManyParts, match="ADVISOR_MAX_SECTIONS"):
        parse_file(markdown, limits)
    docx = _empty_paragraphs_docx(tmp_path / "paragraphs.docx", 2_000_000)
    assert docx.stat().st_size < 100_000
    with pytest.raises(TooManyParts, match="2,000,000 paragraphs"):
        parse_file(docx, limits)


def test_the_owner_can_delete_an_answer(advisor: Advisor) -> None:
    space = advisor.create_workspace("Claims")
    person = advisor.add_stakeholder(space.id, "Dana", "Head of claims data")
    advisor.start_interview(person.id)
    stored = advisor.answer(person.id, "My colleague's salary is 41,000 and nobody owns the feed.")
    assert stored.answer is not None

    def quotes() -> list[str]:
        return [e.quote for p in advisor.assess(space.id).patterns for e in p.evidence]

    assert any(q.startswith("My colleague") for q in quotes())  # it was evidence
    advisor.delete_answer(person.id, stored.answer.index)
    assert all(t.role == "advisor" for t in advisor.turns(person.id))
    assert not any(q.startswith("My colleague") for q in quotes())
    with pytest.raises(NotFound):
        advisor.delete_answer(person.id, stored.answer.index)


def test_indexing_has_a_passage_limit_and_a_clock(advisor: Advisor) -> None:
    """Cutting and embedding count against the limits too; nothing is written when one
    trips, and the refusal names the setting."""
    space = advisor.create_workspace("Claims")
    text = "\n\n".join(
        f"## Part {i}\n\n" + "The vendor feed has no owner. " * 40 for i in range(60)
    )
    strict = advisor.settings.model_copy(update={"max_chunks": 10})
    advisor.settings = strict
    advisor.components.__dict__.pop("indexer", None)
    record = advisor.add_document(space.id, "long.md", text.encode())
    assert record.status == "refused" and "ADVISOR_MAX_CHUNKS" in (record.error or "")
    advisor.settings = strict.model_copy(update={"max_chunks": 10_000, "max_file_seconds": 0})
    advisor.components.__dict__.pop("indexer", None)
    record = advisor.add_document(space.id, "long.md", text.encode())
    assert record.status == "refused" and "ADVISOR_MAX_FILE_SECONDS" in (record.error or "")
    found = advisor.search("vendor feed owner", workspace=space.id)
    assert not [r for r in found if r.source == "long.md"]


def test_one_clock_covers_parsing_and_indexing(
    advisor: Advisor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file that parses in most of its time and indexes in the rest is refused as a whole:
    each step alone is under the limit, together they are over."""
    import time

    import app.service.documents as module
    from app.documents.ingest import Limits, parse_bytes
    from app.schemas import ParsedDocument

    def slow(data: bytes, name: str, limits: Limits) -> ParsedDocument:
        time.sleep(0.4)
        return parse_bytes(data, name, limits)

    space = advisor.create_workspace("Claims")
    advisor.settings = advisor.settings.model_copy(update={"max_file_seconds": 0.3})
    advisor.components.__dict__.pop("indexer", None)
    monkeypatch.setattr(module, "parse_bytes", slow)
    record = advisor.add_document(space.id, "notes.md", b"# Notes\n\nThe feed has no owner.\n")
    assert record.status == "refused" and "ADVISOR_MAX_FILE_SECONDS" in (record.error or "")


def test_a_transcript_over_the_turn_or_answer_limit_is_refused_before_reading(
    advisor: Advisor,
) -> None:
    from app.schemas import Transcript

    def transcript(turns: int, size: int) -> Transcript:
        return Transcript.model_validate(
            {
                "pilot": {"name": "Claims"},
                "turns": [
                    {"role": "stakeholder", "content": "The feed has no owner. " * size}
                    for _ in range(turns)
                ],
            }
        )

    limit = advisor.settings.max_transcript_turns
    with pytest.raises(ConfigError, match="ADVISOR_MAX_TRANSCRIPT_TURNS"):
        advisor.assess_transcript(transcript(limit + 1, 1))
    with pytest.raises(ConfigError, match=r"Turn 1 .*ADVISOR_MAX_ANSWER_CHARS"):
        advisor.plan_transcript(transcript(1, 2_000))


def test_csv_cells_never_start_a_formula() -> None:
    from app.io.jira_csv import csv_cell

    for risky in ('=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert csv_cell(risky).startswith("'")
    assert csv_cell("Owner: Dana") == "Owner: Dana"
