"""Scale-out by real engines: sessions in PostgreSQL shared by two app replicas, documents in a
Chroma server, and recovery when the Chroma server goes away and comes back."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.documents.embeddings import Embedder
from app.errors import SessionStoreError, StoreError
from app.service.advisor import Advisor
from app.service.sessions import SessionStore
from app.settings import Settings
from tests.servers import ChromaServer, free_port, postgres

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    with postgres() as url:
        yield url


@pytest.fixture
def chroma(tmp_path: Path) -> Iterator[ChromaServer]:
    server = ChromaServer(tmp_path / "chroma").start()
    yield server
    server.stop()


def _replica(tmp_path: Path, embedder: Embedder, name: str, **settings: object) -> Advisor:
    return Advisor(Settings(data_dir=tmp_path / name, **settings), embedder=embedder)  # type: ignore[arg-type]


def test_two_replicas_share_sessions_through_postgresql(
    database: str, tmp_path: Path, embedder: Embedder, kb_template: Path
) -> None:
    for name in ("a", "b"):
        shutil.copytree(kb_template, tmp_path / name)
    one = _replica(tmp_path, embedder, "a", database_url=database)
    two = _replica(tmp_path, embedder, "b", database_url=database)
    workspace = one.create_workspace("Shared pilot")
    person = one.add_stakeholder(workspace.id, "Dana", "Head of data")
    one.start_interview(person.id)
    one.answer(person.id, "Nobody owns the vendor feed; it is cleaned by hand.")
    # The next request lands on the other replica: it sees everything and carries on.
    assert [w.name for w in two.workspaces()] == [w.name for w in one.workspaces()]
    result = two.answer(person.id, "The model runs from a notebook on a laptop.")
    assert result.question.content
    turns = one.turns(person.id)
    assert [t.index for t in turns] == list(range(len(turns)))
    assert turns[1].content.startswith("Nobody owns") and turns[3].content.startswith("The model")
    assert two.assess(workspace.id).pattern("data_quality").assessed
    assert not (tmp_path / "a" / "sessions.db").exists()


def test_an_unreachable_database_is_a_clear_error(tmp_path: Path) -> None:
    url = f"postgresql+psycopg://advisor@127.0.0.1:{free_port()}/advisor"
    with pytest.raises(SessionStoreError, match="ADVISOR_DATABASE_URL") as caught:
        SessionStore(url)
    assert "secret" not in str(caught.value)


def test_documents_in_a_chroma_server_and_recovery_when_it_returns(
    chroma: ChromaServer, tmp_path: Path, embedder: Embedder
) -> None:
    advisor = _replica(tmp_path, embedder, "c", chroma_host="127.0.0.1", chroma_port=chroma.port)
    workspace = advisor.create_workspace("Server pilot")
    record = advisor.add_document(
        workspace.id, "ops.md", b"# Ops\nThe model runs on a laptop with no monitoring.\n"
    )
    assert record.status == "indexed"
    person = advisor.add_stakeholder(workspace.id, "Sam", "IT operations")
    advisor.start_interview(person.id)

    chroma.stop()
    result = advisor.answer(person.id, "Scores are copied into the ERP by hand.")
    assert any("document store cannot be reached" in n for n in result.notices)
    with pytest.raises(StoreError, match="check that it is running"):
        advisor.add_document(workspace.id, "more.md", b"# More\nText.\n")
    assert advisor.turns(person.id)[1].content == "Scores are copied into the ERP by hand."

    chroma.start()
    result = advisor.answer(person.id, "There is no DPIA yet.")
    assert not any("cannot be reached" in n for n in result.notices)
    assert advisor.add_document(workspace.id, "more.md", b"# More\nText here.\n").status == (
        "indexed"
    )
    assessment = advisor.assess(workspace.id)
    assert any(e.source.kind == "document" for p in assessment.patterns for e in p.evidence)
