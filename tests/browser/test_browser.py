"""End to end in a real headless Chromium: the app started as `make run` starts it, two
interviews, an uploaded PDF, the chart, a citation, a reload that loses nothing, and the PDF
export read back. Screenshots land in tests/artifacts/."""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.helpers import HEADINGS, AppServer, answer, chromium, settle, shot
from tests.factories import make_pdf

pytestmark = pytest.mark.browser


@pytest.fixture
def page(server: AppServer) -> Iterator[Any]:
    with chromium() as browser:
        context = browser.new_context(
            accept_downloads=True, viewport={"width": 1400, "height": 1000}
        )
        page = context.new_page()
        page.set_default_timeout(60_000)
        yield page
        context.close()


def _pick_stakeholder(page: Any, label: str) -> None:
    """Choose who is interviewed: type the name into the Stakeholder box and confirm."""
    settle(page)
    box = page.get_by_role("combobox", name="Stakeholder")
    box.click()
    page.keyboard.type(label.split(" \u00b7 ")[0])
    page.get_by_role("option", name=label).click()


def _nav(page: Any, name: str) -> None:
    """Pick a page in the sidebar and wait for its heading (a click during a rerun is retried)."""
    settle(page)
    heading = page.get_by_role("heading", name=HEADINGS[name]).first
    for _ in range(3):
        page.locator('[data-testid="stSidebar"]').get_by_text(name, exact=True).click()
        try:
            heading.wait_for(timeout=15_000)
            break
        except Exception:  # noqa: BLE001 - retried, then the final wait reports
            continue
    heading.wait_for()
    settle(page)


def _add_person(page: Any, name: str, role: str) -> None:
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Role", exact=True).fill(role)
    page.get_by_role("button", name="Add stakeholder").click()
    page.get_by_text(name, exact=True).first.wait_for()
    settle(page)


def test_two_interviews_a_document_a_cited_plan_a_reload_and_the_pdf(
    server: AppServer, page: Any, tmp_path: Path
) -> None:
    page.goto(server.url)
    page.get_by_role("heading", name="Pilot and people").wait_for()
    settle(page)
    assert re.search(r"[?&]s=[0-9a-f]+", page.url)
    page.get_by_label("Pilot name").fill("Claims triage")
    page.get_by_label("Use case in one or two sentences (optional)").fill(
        "Scores new motor claims from the claim form and policy data, so the claims "
        "handlers can send suspicious ones to the fraud team."
    )
    page.get_by_role("button", name="Create pilot").click()
    page.get_by_text("Stakeholders of").wait_for()
    settle(page)
    _add_person(page, "Dana", "Head of claims data")
    _add_person(page, "Sam", "IT operations lead")
    shot(page, "1-pilot-and-people")

    page.get_by_role("button", name="Interview").first.click()
    page.get_by_role("heading", name="Interview with Dana").wait_for()
    settle(page)
    answer(page, "Honestly someone cleans the claims extract by hand in Excel before each demo.")
    answer(page, "Karen in finance does it; nobody else knows how and it is not written down.")
    answer(page, "There is no agreed KPI and the sponsor moved to another division.")
    shot(page, "2-interview")
    # The questions name what the pilot reads, or who uses it, from the use case.
    assert "claim form and policy data" in page.content() or "claims handlers" in page.content()

    _pick_stakeholder(page, "Sam \u00b7 IT operations lead")
    page.get_by_role("heading", name="Interview with Sam").wait_for()
    settle(page)
    answer(page, "The model runs from a notebook on a laptop and there is no monitoring.")
    answer(page, "Scores are copied into the claims system by hand from a CSV export.")

    _nav(page, "Documents")
    report = make_pdf(
        tmp_path / "pilot-report.pdf",
        [
            "Pilot report",
            "Deployment: the model is retrained by hand on a workstation and "
            "there is no rollback. Nobody has done a DPIA yet.",
        ],
    )
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(report))
    page.get_by_text("pilot-report.pdf: indexed").wait_for()
    settle(page)
    shot(page, "3-documents")

    _nav(page, "Assessment")
    page.locator('[data-testid="stPlotlyChart"]').wait_for()
    # Every pattern has a row; this one must show the evidence read from Dana's answers.
    quality = page.locator('[data-testid="stExpander"]').filter(has_text="Enterprise data quality:")
    quality.filter(has_text=re.compile(r"\d+ items? of evidence")).first.wait_for()
    shot(page, "4-assessment")

    _nav(page, "Plan")
    page.get_by_role("button", name="Draft the plan").click()
    page.get_by_role("heading", name="First 30 days").wait_for()
    settle(page)
    page.get_by_text("Area by area").first.wait_for()  # the verdict and summary come first
    shot(page, "5-plan-verdict")
    citation = page.locator('[data-testid="stExpander"]').filter(has_text="[1]").first
    citation.click()
    page.get_by_text("Passage ").first.wait_for()
    shot(page, "5-plan")

    kept = page.url
    page.reload()
    page.get_by_role("heading", name="Production plan").wait_for()
    settle(page)
    assert page.url == kept
    page.get_by_role("heading", name="First 30 days").wait_for()
    _nav(page, "Interview")
    page.get_by_text("The model runs from a notebook on a laptop").first.wait_for()  # Sam
    _pick_stakeholder(page, "Dana \u00b7 Head of claims data")
    settle(page)
    page.get_by_text("Karen in finance does it").first.wait_for()

    _nav(page, "Export")
    with page.expect_download() as caught:
        page.get_by_role("button", name="PDF report").click()
    saved = tmp_path / "plan.pdf"
    caught.value.save_as(str(saved))
    settle(page)
    shot(page, "6-export")
    from pypdf import PdfReader

    pages = PdfReader(io.BytesIO(saved.read_bytes())).pages
    assert "Go-live verdict" in pages[0].extract_text()  # the report opens with the verdict
    text = " ".join(p.extract_text() for p in pages)
    assert "Production readiness plan: Claims triage" in text
    assert "First 30 days" in text and "Sources" in text


def test_kill_9_mid_interview_then_restart_resumes_with_every_turn(
    tmp_path: Path, kb_template: Path
) -> None:
    shutil.copytree(kb_template, tmp_path / "data")
    first = AppServer(tmp_path / "data").start()
    try:
        with chromium() as browser:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(60_000)
            page.goto(first.url)
            page.get_by_role("heading", name="Pilot and people").wait_for()
            settle(page)
            view = re.search(r"[?&]s=([0-9a-f]+)", page.url).group(1)  # type: ignore[union-attr]
            page.get_by_label("Pilot name").fill("Crash test")
            page.get_by_role("button", name="Create pilot").click()
            page.get_by_text("Stakeholders of").wait_for()
            settle(page)
            _add_person(page, "Dana", "Head of claims data")
            page.get_by_role("button", name="Interview").first.click()
            page.get_by_role("heading", name="Interview with Dana").wait_for()
            settle(page)
            answer(page, "The extract is cleaned by hand in Excel before each demo.")
            answer(page, "Nobody owns the vendor feed and it breaks every month.")
            first.kill()  # kill -9: no shutdown, no flush

            second = AppServer(tmp_path / "data").start()
            try:
                page.goto(f"{second.url}/?s={view}")
                page.get_by_role("heading", name="Interview with Dana").wait_for()
                settle(page)
                page.get_by_text("cleaned by hand in Excel before each demo").first.wait_for()
                page.get_by_text("Nobody owns the vendor feed").first.wait_for()
                assert page.locator('[data-testid="stChatMessage"]').count() == 5
                shot(page, "kill-9-resumed")
            finally:
                second.stop()
    finally:
        first.stop()
