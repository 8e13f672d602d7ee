"""Index and retrieve: idempotent re-ingest, workspace isolation, paraphrase retrieval."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.schemas import SourceKind
from app.service.advisor import Advisor
from app.settings import Settings
from tests.conftest import FIXTURES
from tests.factories import make_pdf

REPORT = FIXTURES / "pilot-report.md"


def test_reingesting_the_same_file_changes_nothing(advisor: Advisor) -> None:
    first = advisor.ingest([REPORT], workspace="claims")[0]
    name = advisor.store.name_for("claims")
    ids = set(advisor.store.ids_for_source(name, REPORT.name))
    generation = advisor.store.generation(name)
    second = advisor.ingest([REPORT], workspace="claims")[0]
    assert first.status == second.status == "indexed"
    assert first.chunks == second.chunks == len(ids) > 0
    assert set(advisor.store.ids_for_source(name, REPORT.name)) == ids
    assert advisor.store.generation(name) == generation
    assert advisor.store.count(name) == len(ids)


def test_new_content_under_the_same_name_replaces_old_chunks(
    advisor: Advisor, tmp_path: Path
) -> None:
    path = tmp_path / "notes.md"
    path.write_text("# Notes\nThe feed is owned by nobody.\n")
    advisor.ingest([path], workspace="w")
    path.write_text("# Notes\nThe feed now has an owner and a contract.\n")
    advisor.ingest([path], workspace="w")
    results = advisor.search("who owns the feed", workspace="w", kind=SourceKind.DOCUMENT)
    assert [r.text for r in results] == ["The feed now has an owner and a contract."]


def test_chunk_ids_are_deterministic_across_data_dirs(advisor: Advisor, tmp_path: Path) -> None:
    other = Advisor(Settings(data_dir=tmp_path / "other"), embedder=advisor.embedder)
    advisor.ingest([REPORT], workspace="a")
    other.ingest([REPORT], workspace="a")
    name = advisor.store.name_for("a")
    assert set(advisor.store.ids_for_source(name, REPORT.name)) == set(
        other.store.ids_for_source(name, REPORT.name)
    )


def test_a_workspace_never_sees_another_workspaces_chunks(advisor: Advisor, tmp_path: Path) -> None:
    a = make_pdf(tmp_path / "alpha.pdf", ["Alpha pilot: the invoice model reads SAP exports."])
    b = make_pdf(tmp_path / "beta.pdf", ["Beta pilot: the invoice model reads SAP exports."])
    advisor.ingest([a], workspace="alpha")
    advisor.ingest([b], workspace="beta")
    for workspace, own in (("alpha", "alpha.pdf"), ("beta", "beta.pdf")):
        results = advisor.search("invoice model SAP exports", workspace=workspace, k=20)
        documents = {r.source for r in results if r.kind is SourceKind.DOCUMENT}
        assert documents == {own}


def test_a_refused_file_does_not_stop_the_batch(advisor: Advisor, tmp_path: Path) -> None:
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"not a pdf at all")
    reports = advisor.ingest([bad, REPORT], workspace="batch")
    assert [r.status for r in reports] == ["refused", "indexed"]
    assert "broken.pdf" in (reports[0].error or "")


def test_search_finds_a_known_passage_by_paraphrase(advisor: Advisor) -> None:
    advisor.ingest([REPORT], workspace="claims")
    results = advisor.search(
        "Is there a way to go back to the previous model version if a release fails?",
        workspace="claims",
        kind=SourceKind.DOCUMENT,
        k=1,
    )
    assert results[0].section == "Operations"
    assert "rollback" in results[0].text


def test_knowledge_base_is_indexed_once_and_found(advisor: Advisor) -> None:
    first = advisor.index_knowledge()
    assert first > 0
    generation = advisor.store.generation(advisor.store.name_for(None))
    assert advisor.index_knowledge() == first
    assert advisor.store.generation(advisor.store.name_for(None)) == generation
    results = advisor.search("who should be able to switch the model off", kind=SourceKind.PLAYBOOK)
    assert results and all(r.kind is SourceKind.PLAYBOOK for r in results)


def test_the_lexical_index_is_saved_and_reused_by_a_new_process(
    advisor: Advisor, tmp_path: Path
) -> None:
    """The BM25 index is written once per collection generation and loaded (not rebuilt) by
    the next advisor on the same data; a write makes it stale and it is rebuilt."""
    from app.documents.retrieve import Retriever

    advisor.ingest([REPORT], workspace="claims")
    question = "Is there a way to go back to the previous model version if a release fails?"
    first = advisor.search(question, workspace="claims", kind=SourceKind.DOCUMENT, k=3)
    name = advisor.store.name_for("claims")
    folder = advisor.settings.data_dir / "lexical"
    generation = advisor.store.generation(name)
    assert (folder / f"{name}-{generation}" / "ids.json").exists()

    fresh = Retriever(advisor.store, folder)
    reads = advisor.store.batches
    advisor.store.batches = None  # type: ignore[method-assign,assignment]  # must not be read
    try:
        again = fresh.search(question, workspace="claims", kind=SourceKind.DOCUMENT, k=3)
    finally:
        advisor.store.batches = reads  # type: ignore[method-assign]
    assert [r.chunk_id for r in again] == [r.chunk_id for r in first]

    extra = make_pdf(tmp_path / "minutes.pdf", ["Minutes", "Rollback was agreed for May."])
    advisor.ingest([extra], workspace="claims")
    assert advisor.store.generation(name) != generation  # a write: the saved index is stale
    for retriever in (Retriever(advisor.store, folder), advisor.components.retriever):
        advisor.store.batches = None  # type: ignore[method-assign,assignment]  # updated, not rebuilt
        try:
            found = retriever.search(
                "rollback agreed", workspace="claims", kind=SourceKind.DOCUMENT, k=5
            )
        finally:
            advisor.store.batches = reads  # type: ignore[method-assign]
        assert any(r.source == "minutes.pdf" for r in found)
    assert not (folder / f"{name}-{generation}").exists()
    assert (folder / f"{name}-{advisor.store.generation(name)}").exists()


@pytest.mark.skipif(not shutil.which("tesseract"), reason="Tesseract: make system-deps")
def test_evidence_read_by_ocr_says_so(advisor: Advisor, tmp_path: Path) -> None:
    from tests.factories import SCAN_TEXT, make_scan

    space = advisor.create_workspace("Invoices")
    scan = make_scan(tmp_path / "minutes-scan.pdf", [SCAN_TEXT])
    record = advisor.add_document(space.id, scan.name, scan.read_bytes())
    assert record.status == "indexed"
    found = advisor.search("vendor master data owner", workspace=space.id, k=3)
    assert found and found[0].source == "minutes-scan.pdf"
    evidence = [e for p in advisor.assess(space.id).patterns for e in p.evidence]
    assert evidence and all(e.source.label().endswith("(read by OCR)") for e in evidence)
