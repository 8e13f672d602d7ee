"""Shared fixtures. Tests are offline: provider keys are cleared, data goes to a temp dir."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.documents.embeddings import Embedder, make_embedder
from app.service.advisor import Advisor
from app.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = ROOT.parent / "shared"
# Read before the autouse fixture clears the environment; only `-m live` tests use it.
LIVE_KEY = os.environ.get("OPENAI_API_KEY") or os.environ.get("ADVISOR_OPENAI_API_KEY")


LAYERS = ("unit", "integration", "browser")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Each test carries the marker of its folder: ``-m unit`` runs the fast pure tests."""
    for item in items:
        layer = item.path.parent.name
        if layer in LAYERS:
            item.add_marker(getattr(pytest.mark, layer))


@pytest.fixture(autouse=True)
def _offline_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Clear every variable the code reads and point the data dir at a temp folder."""
    for name in list(os.environ):
        if name.startswith(("ADVISOR_", "OPENAI_", "AZURE_OPENAI")):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ADVISOR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """One real MiniLM model for the whole run (loading it is the slow part)."""
    return make_embedder(Settings())


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


@pytest.fixture(scope="session")
def kb_template(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Path:
    """A data dir with the knowledge base indexed once, copied into each test that needs it."""
    path = tmp_path_factory.mktemp("kb-template") / "data"
    Advisor(Settings(data_dir=path), embedder=embedder).index_knowledge()
    return path


@pytest.fixture
def advisor(settings: Settings, embedder: Embedder, kb_template: Path) -> Iterator[Advisor]:
    shutil.copytree(kb_template, settings.data_dir)
    yield Advisor(settings, embedder=embedder)
