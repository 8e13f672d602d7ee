"""Server mode: the same pipeline against a real `chroma run` on 127.0.0.1."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.advisor import Advisor
from app.embeddings import Embedder
from app.errors import StoreError
from app.schemas import SourceKind
from app.settings import Settings
from tests.conftest import FIXTURES


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    port = _free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    binary = Path(sys.executable).parent / "chroma"
    process = subprocess.Popen(
        [str(binary), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1)
            break
        except OSError:
            time.sleep(0.3)
    else:
        process.kill()
        pytest.fail("chroma run did not start within 60 s")
    yield port
    process.terminate()
    process.wait(timeout=20)


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
    settings = Settings(data_dir=tmp_path, chroma_host="127.0.0.1", chroma_port=_free_port())
    with pytest.raises(StoreError, match="check that it is running"):
        Advisor(settings, embedder=embedder).store  # noqa: B018 - building it connects
