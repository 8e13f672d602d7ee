"""Server mode: the same pipeline against a real `chroma run` on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.documents.embeddings import Embedder
from app.errors import StoreError
from app.schemas import SourceKind
from app.service.advisor import Advisor
from app.settings import Settings
from tests.conftest import FIXTURES
from tests.servers import ChromaServer, free_port

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    server = ChromaServer(tmp_path_factory.mktemp("chroma-server")).start()
    yield server.port
    server.stop()


def test_ingest_and_search_through_a_chroma_server(
    chroma_server: int, tmp_path: Path, embedder: Embedder
) -> None:
    settings = Settings(data_dir=tmp_path / "d", chroma_host="127.0.0.1", chroma_port=chroma_server)
    advisor = Advisor(settings, embedder=embedder)
    report = advisor.ingest([FIXTURES / "pilot-report.md"], workspace="server")[0]
    assert report.status == "indexed"
    results = advisor.search(
        "the model runs from a notebook on a workstation",
        workspace="server",
        kind=SourceKind.DOCUMENT,
    )
    assert results[0].section == "Operations"
    assert not (tmp_path / "d" / "chroma").exists()


def test_an_unreachable_server_gives_a_clear_error(tmp_path: Path, embedder: Embedder) -> None:
    settings = Settings(data_dir=tmp_path, chroma_host="127.0.0.1", chroma_port=free_port())
    with pytest.raises(StoreError, match="check that it is running"):
        Advisor(settings, embedder=embedder).store  # noqa: B018 - building it connects
