"""The Streamlit app, page by page, with Streamlit's AppTest (no browser)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

from app.documents.embeddings import Embedder
from app.schemas import Stakeholder, Workspace
from app.service.advisor import Advisor
from app.settings import Settings
from app.ui import state
from tests.factories import make_pdf

MAIN = str(Path(__file__).resolve().parents[2] / "app" / "ui" / "main.py")


@pytest.fixture
def shared(
    tmp_path: Path, embedder: Embedder, kb_template: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Advisor]:
    """One advisor for the app under test, on a copy of the indexed knowledge base."""
    shutil.copytree(kb_template, tmp_path / "app-data")
    advisor = Advisor(Settings(data_dir=tmp_path / "app-data"), embedder=embedder)
    monkeypatch.setattr(state, "advisor", lambda: advisor)
    address = st_config.get_option("server.address")
    st_config.set_option("server.address", "127.0.0.1")  # as make run binds it
    yield advisor
    st_config.set_option("server.address", address)


def _app(view: str | None = None) -> AppTest:
    at = AppTest.from_file(MAIN, default_timeout=120)
    if view:
        at.query_params["s"] = view
    return at.run()


def _go(at: AppTest, page: str) -> AppTest:
    at.sidebar.radio[0].set_value(page)
    return at.run()


def _pilot(at: AppTest, name: str = "Claims triage") -> AppTest:
    at.text_input(key="pilot-name").input(name)
    at.button(key="create-pilot").click()
    return at.run()


LAPTOP = "The model runs from a notebook on a laptop with no monitoring."


def _dana(shared: Advisor, *answers: str) -> tuple[Workspace, Stakeholder]:
    """A pilot with one stakeholder, Dana, whose interview has ``answers`` (none: not begun)."""
    workspace = shared.create_workspace("Claims triage")
    person = shared.add_stakeholder(workspace.id, "Dana", "Head of claims data")
    if answers:
        shared.start_interview(person.id)
    for answer in answers:
        shared.answer(person.id, answer)
    return workspace, person


def _coverage(at: AppTest) -> dict[str, tuple[int, int]]:
    """The interview's coverage meter: pattern name -> (slots filled, slots in all)."""
    bars = [re.fullmatch(r"(.+): (\d+) of (\d+)", p.text) for p in at.get("progress")]
    return {m[1]: (int(m[2]), int(m[3])) for m in bars if m}


def test_first_visit_gets_a_view_id_and_asks_for_a_pilot(shared: Advisor) -> None:
    at = _app()
    assert not at.exception
    assert at.query_params["s"]
    assert "Pilot and people" in [h.value for h in at.header]
    assert any("offline" in c.value for c in at.sidebar.caption)


def test_create_a_pilot_and_add_two_stakeholders(shared: Advisor) -> None:
    at = _pilot(_app())
    assert [w.name for w in shared.workspaces()] == ["Claims triage"]
    for name, role in (("Dana", "Head of claims data"), ("Sam", "IT operations lead")):
        at.text_input(key="person-name").input(name)
        at.text_input(key="person-role").input(role)
        at.button(key="add-person").click()
        at = at.run()
    workspace = shared.workspaces()[0]
    assert [s.name for s in shared.stakeholders(workspace.id)] == ["Dana", "Sam"]
    assert not at.exception


def test_interview_page_asks_saves_answers_and_shows_coverage(shared: Advisor) -> None:
    workspace, _ = _dana(shared)
    at = _go(_app(), "Interview")
    assert len(at.chat_message) == 1  # the opening question
    assert set(_coverage(at)) == {p.name for p in shared.knowledge.catalog.patterns}
    assert _coverage(at)["Enterprise data quality"][0] == 0  # nothing heard yet
    at.chat_input[0].set_value("Someone cleans the extract by hand in Excel before demos.")
    at = at.run()
    assert len(at.chat_message) == 3
    assert _coverage(at)["Enterprise data quality"][0] >= 1  # the answer filled a slot
    at.button(key="skip").click()
    at = at.run()
    person = shared.stakeholders(workspace.id)[0]
    kinds = [t.kind for t in shared.turns(person.id)]
    assert kinds.count("skip") == 1 and not at.exception


def test_a_refresh_returns_to_the_same_place(shared: Advisor) -> None:
    _dana(shared)
    at = _go(_app(), "Interview")
    view = at.query_params["s"]
    at.chat_input[0].set_value("Nobody owns the vendor feed.")
    at.run()
    again = _app(view)  # a new browser session with the same URL
    assert again.sidebar.radio[0].value == "Interview"
    # Shown as written: the answer's punctuation is escaped, never read as Markdown.
    said = state.plain("Nobody owns the vendor feed.")
    assert any(said in m.markdown[0].value for m in again.chat_message)


def test_documents_page_indexes_and_refuses_with_specific_messages(
    shared: Advisor, tmp_path: Path
) -> None:
    workspace = shared.create_workspace("Claims triage")
    good = make_pdf(tmp_path / "report.pdf", ["The model runs on a laptop without monitoring."])
    shared.add_document(workspace.id, "report.pdf", good.read_bytes())
    shared.add_document(workspace.id, "scan.pdf", b"<html>not a pdf</html>")
    at = _go(_app(), "Documents")
    text = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    assert state.plain("report.pdf") in text and state.plain("scan.pdf") in text
    assert "does not match the file extension" in text
    assert not at.exception


def test_assessment_page_draws_the_chart_with_evidence(shared: Advisor) -> None:
    workspace, _ = _dana(shared, "Nobody owns the vendor feed and we clean it by hand in Excel.")
    data = next(p for p in shared.assess(workspace.id).patterns if p.id == "data_quality")
    assert data.assessed and data.evidence  # the reader reads the answer as evidence
    at = _go(_app(), "Assessment")
    assert at.get("plotly_chart")
    [box] = [e for e in at.expander if e.label.startswith("Enterprise data quality:")]
    items = "item" if data.evidence_count == 1 else "items"
    assert box.label.endswith(f"({data.risk}/100) \u00b7 {data.evidence_count} {items} of evidence")
    shown = [m.value for m in box.markdown]
    assert len(shown) == data.evidence_count == len(data.evidence) > 0
    for item, line in zip(data.evidence, shown, strict=True):  # each item, strongest first
        assert f"**{item.signal.polarity}**] {item.probability:.0%} " in line
        assert state.plain(item.quote) in line
    assert not at.exception
    at.run()  # viewing again, and again, writes nothing: no draft until the plan is drafted
    assert shared.latest_assessment(workspace.id) is None
    shared.plan(workspace.id)
    assert shared.latest_assessment(workspace.id) is not None


OFF_TOPIC = (
    "Did you watch the football match last night, what a game?",
    "Have you tried the new Italian restaurant down the road from the station?",
)


def test_an_off_topic_answer_is_redirected_once_then_the_interview_moves_on(
    shared: Advisor,
) -> None:
    """A redirect asks the same slot once more in other words; an off-topic answer to the
    redirect is not redirected again: the interview moves on to another question."""
    workspace, person = _dana(shared)
    at = _go(_app(), "Interview")
    for text in OFF_TOPIC:
        at.chat_input[0].set_value(text)
        at = at.run()
    shown = [m.markdown[0].value for m in at.chat_message]
    assert len(shown) == 5 and not at.exception
    assert ["keep to the pilot" in m for m in shown] == [False, False, True, False, False]
    intro, redirect, then = [t for t in shared.turns(person.id) if t.role == "advisor"]
    assert (intro.kind, redirect.kind, then.kind) == ("intro", "redirect", "probe")
    assert redirect.pattern == intro.pattern and redirect.probe_id != intro.probe_id
    assert then.probe_id not in (intro.probe_id, redirect.probe_id)
    # The second answer is off topic too: said first, to a fresh interview, it is redirected.
    other = shared.add_stakeholder(workspace.id, "Sam", "Head of claims data")
    shared.start_interview(other.id)
    assert shared.answer(other.id, OFF_TOPIC[1]).question.kind == "redirect"


def test_plan_page_drafts_cites_and_answers(shared: Advisor) -> None:
    workspace, _ = _dana(shared, LAPTOP)
    at = _go(_app(), "Plan")
    at.button(key="draft").click()
    at = at.run()
    assert shared.latest_plan(workspace.id) is not None
    assert any(e.label.startswith("[1]") for e in at.expander)
    at.text_input(key="question").input("How do we roll back a bad model release?")
    at.button(key="ask").click()
    at = at.run()
    assert not at.exception
    assert any(e.label.startswith("[1] ") and ".md" in e.label for e in at.expander)


def test_export_page_offers_all_five_formats(shared: Advisor) -> None:
    workspace, _ = _dana(shared, LAPTOP)
    shared.plan(workspace.id)
    at = _go(_app(), "Export")
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["PDF report", "Word (DOCX)", "Markdown", "JSON", "CSV for Jira"]


def test_a_failed_download_is_explained_on_the_export_page(
    shared: Advisor, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.ui.views import export as view

    workspace, _ = _dana(shared, LAPTOP)
    shared.plan(workspace.id)

    def broken(*_: object) -> bytes:
        raise OSError("disk full")

    monkeypatch.setattr(shared, "export", broken)
    build = view.builder(shared, workspace.id, "pdf", None)
    with pytest.raises(RuntimeError):  # Streamlit shows "Failed to generate file" on the button
        build()
    at = _go(_app(), "Export")
    [error] = [e.value for e in at.error]
    assert error.startswith("PDF report: the last download failed.")
    assert "internal error" in error and "Traceback" not in error

    monkeypatch.undo()
    assert build().startswith(b"%PDF")  # a later build that works clears the message
    assert not view.failures(workspace.id, None)


def test_accounts_gate_and_private_workspaces(shared: Advisor) -> None:
    shared.gate.add_user("alice", "alice-password-1")
    shared.gate.add_user("bob", "bob-password-12")
    shared.settings = shared.settings.model_copy(update={"accounts": True})
    shared.gate.settings = shared.settings
    shared.create_workspace("Bob's pilot", user="bob")
    at = _app()
    assert "Sign in" in [b.label for b in at.button]
    assert not at.sidebar.radio  # nothing of the app before signing in
    at.text_input(key="login-name").input("alice")
    at.text_input(key="login-password").input("wrong password")
    at.button(key="login").click()
    at = at.run()
    assert at.error
    at.text_input(key="login-password").input("alice-password-1")
    at.button(key="login").click()
    at = at.run()
    assert not at.error
    assert any("alice" in c.value for c in at.sidebar.caption)
    assert not at.sidebar.selectbox  # Bob's pilot is not visible to Alice
    assert any("No pilot yet" in c.value for c in at.sidebar.caption)


def test_local_mode_says_it_is_unprotected_and_refuses_an_open_address(shared: Advisor) -> None:
    at = _app()
    assert any("Local single-user mode" in c.value for c in at.sidebar.caption)
    st_config.set_option("server.address", "0.0.0.0")
    at = _app()
    assert at.error and "ADVISOR_ACCOUNTS=true" in at.error[0].value
    assert not at.sidebar.radio


def test_oidc_sign_in_is_asked_for_when_configured(shared: Advisor) -> None:
    shared.settings = shared.settings.model_copy(update={"app_oidc": True})
    at = _app()
    assert "Sign in" in [b.label for b in at.button]
    assert not at.sidebar.radio  # nothing of the app before signing in
