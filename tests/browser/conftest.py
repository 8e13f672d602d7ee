"""The browser tests' app: started as `make run` starts it, on a copy of the indexed data."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.helpers import AppServer


@pytest.fixture
def server(tmp_path: Path, kb_template: Path) -> Iterator[AppServer]:
    shutil.copytree(kb_template, tmp_path / "data")
    app = AppServer(tmp_path / "data").start()
    try:
        yield app
    finally:
        app.stop()
