"""Helpers for tests that drive the real app in headless Chromium (Debian's ``chromium``).

``AppServer`` starts the app exactly as ``make run`` does (``streamlit run app/ui/main.py``)
on a free 127.0.0.1 port with its own data dir; ``chromium()`` launches the browser with the
flags DEVELOPERS.md lists. Nothing here downloads a browser.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.servers import free_port, stop_process

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = ROOT / "tests" / "artifacts"


def run_command(port: int) -> list[str]:
    """The command ``make run`` uses, on another port."""
    streamlit = Path(sys.executable).parent / "streamlit"
    return [
        str(streamlit),
        "run",
        str(ROOT / "app" / "ui" / "main.py"),
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]


class AppServer:
    def __init__(self, data_dir: Path, env: dict[str, str] | None = None) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.env = {**os.environ, "ADVISOR_DATA_DIR": str(data_dir), **(env or {})}
        self.process: subprocess.Popen[bytes] | None = None
        self.log = data_dir.parent / f"streamlit-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 90) -> AppServer:
        handle = self.log.open("ab")
        self.process = subprocess.Popen(
            run_command(self.port), cwd=ROOT, env=self.env, stdout=handle, stderr=handle
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the app exited: {self.log.read_text()[-2000:]}")
            try:
                urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=1)
                return self
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"the app did not start in {timeout} s: {self.log.read_text()[-2000:]}")

    def kill(self) -> None:
        """``kill -9``: no chance to flush or clean up."""
        if self.process is not None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process, timeout=15)
            self.process = None


# The heading each page shows first, by its name in the sidebar.
HEADINGS = {
    "Pilot and people": "Pilot and people",
    "Interview": "Interview with",
    "Documents": "Documents",
    "Assessment": "Assessment",
    "Plan": "Production plan",
    "Export": "Export",
}


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium browser (Debian's), driven by Playwright."""
    if not CHROMIUM.exists():
        message = "Debian's chromium is missing: run `make test`, which installs it."
        if os.environ.get("REQUIRE_CHROMIUM"):  # set by `make test`, which installs it
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def settle(page: Any, timeout: float = 60_000) -> None:
    """Wait until Streamlit has finished its current run and dropped stale elements."""
    page.wait_for_timeout(300)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " && !document.querySelector('[data-stale=\"true\"]')",
        timeout=timeout,
    )


def answer(page: Any, text: str) -> None:
    """Type an answer in the chat and wait for it and the advisor's reply."""
    before = page.locator('[data-testid="stChatMessage"]').count()
    box = page.locator('[data-testid="stChatInputTextArea"]')
    box.fill(text)
    box.press("Enter")
    page.wait_for_function(
        f"() => document.querySelectorAll('[data-testid=\"stChatMessage\"]').length >= {before + 2}"
    )
    settle(page)


def shot(page: Any, name: str) -> Path:
    """A full-page screenshot in tests/artifacts; also in docs/ when refreshing the README's."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        target = ROOT / "docs" / "screenshots" / f"{name}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
    return path
