"""Access control in a real headless Chromium, the app started as `make run` starts it with
accounts on: another user cannot reach a pilot by any route, a stakeholder's link opens only
their interview and dies when withdrawn or expired, and wrong passwords lock an account."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from app.service.advisor import Advisor
from app.service.session_tables import invites
from app.settings import Settings
from tests.browser.helpers import AppServer, chromium, settle

pytestmark = pytest.mark.browser

PILOT = "Invoice matching"
SECRET_ANSWER = "Karen re-keys every match in SAP by hand."


@pytest.fixture
def setup(tmp_path: Path, kb_template: Path) -> Iterator[tuple[AppServer, Advisor, str, str]]:
    """Accounts alice and bob; alice owns a pilot with two stakeholders, Dana having answered."""
    data = tmp_path / "data"
    shutil.copytree(kb_template, data)
    adv = Advisor(Settings(data_dir=data))
    adv.gate.add_user("alice", "alice-password-long")
    adv.gate.add_user("bob", "bob-password-long")
    space = adv.create_workspace(PILOT, user="alice")
    dana = adv.add_stakeholder(space.id, "Dana", "Head of accounts payable", user="alice")
    omar = adv.add_stakeholder(space.id, "Omar", "IT integration lead", user="alice")
    adv.start_interview(omar.id, user="alice")
    adv.answer(omar.id, SECRET_ANSWER, user="alice")
    app = AppServer(data, env={"ADVISOR_ACCOUNTS": "true"}).start()
    try:
        yield app, adv, dana.id, omar.id
    finally:
        app.stop()


@pytest.fixture
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


def _page(browser: Any, url: str | None = None) -> Any:
    """A fresh browser context's page, opened at ``url`` when given."""
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    page.set_default_timeout(60_000)
    if url is not None:
        page.goto(url)
    return page


def _sign_in(page: Any, name: str, password: str) -> None:
    settle(page)
    page.get_by_label("Account name").fill(name)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    settle(page)


def test_another_user_cannot_reach_a_pilot_by_any_route(
    setup: tuple[AppServer, Advisor, str, str], browser: Any
) -> None:
    app, _, _, _ = setup
    alice = _page(browser, app.url)
    _sign_in(alice, "alice", "alice-password-long")
    alice.get_by_text(f"Stakeholders of \u201c{PILOT}\u201d").wait_for()
    # The owner has the page menu: its absence from a stakeholder's link (below) means something.
    alice.locator('[data-testid="stSidebar"]').get_by_text("Go to").first.wait_for()
    alice.locator('[data-testid="stSidebar"]').get_by_text("Plan", exact=True).click()
    alice.get_by_role("heading", name="Production plan").wait_for()
    settle(alice)
    kept = alice.url
    assert "s=" in kept

    bob = _page(browser, app.url)
    for look_alike in ("alice\u200b", "\u0430lice", "alice"):  # zero-width, Cyrillic, real
        _sign_in(bob, look_alike, "bob-password-long")
        bob.get_by_text("not right").first.wait_for()
    _sign_in(bob, "bob", "bob-password-long")
    bob.get_by_text("No pilot yet").wait_for()
    assert PILOT not in bob.content()
    bob.goto(kept)  # alice's saved place, typed into bob's browser (a new page: sign in again)
    _sign_in(bob, "bob", "bob-password-long")
    bob.get_by_text("No pilot yet").wait_for()
    assert PILOT not in bob.content() and "Production plan" not in bob.content()
    assert bob.url != kept  # a new place of his own, hers untouched

    alice.reload()  # alice's tab, reloaded: after signing in, her page, untouched by bob
    _sign_in(alice, "alice", "alice-password-long")
    alice.get_by_role("heading", name="Production plan").wait_for()
    alice.get_by_role("button", name="Sign out").click()
    settle(alice)
    alice.goto(kept)
    alice.get_by_role("button", name="Sign in").wait_for()
    assert PILOT not in alice.content()


def test_ten_wrong_passwords_lock_the_account(
    setup: tuple[AppServer, Advisor, str, str], browser: Any
) -> None:
    app, _, _, _ = setup
    page = _page(browser, app.url)
    for attempt in range(10):
        _sign_in(page, "alice", f"wrong guess {attempt}")
    _sign_in(page, "alice", "alice-password-long")
    page.get_by_text("locked").first.wait_for()
    assert PILOT not in page.content()


def test_a_stakeholder_link_opens_only_that_interview_until_withdrawn_or_expired(
    setup: tuple[AppServer, Advisor, str, str], browser: Any
) -> None:
    app, adv, dana, _ = setup
    token = adv.invite(dana, user="alice")
    page = _page(browser, f"{app.url}/?invite={token}")
    page.get_by_role("heading", name="Interview with Dana").wait_for()
    settle(page)
    content = page.content()
    assert SECRET_ANSWER not in content and "Omar" not in content and PILOT not in content
    assert page.locator('[data-testid="stSidebar"]').get_by_text("Go to").count() == 0
    page.get_by_placeholder("Your answer").fill("Nobody has cleaned the duplicate vendors.")
    page.keyboard.press("Enter")
    settle(page)
    assert any(t.content.startswith("Nobody has cleaned") for t in adv.turns(dana, user="alice"))

    adv.revoke_invites(dana, user="alice")
    page.reload()
    page.get_by_text("withdrawn").first.wait_for()
    assert "Interview with Dana" not in page.content()

    fresh = adv.invite(dana, user="alice")
    with adv.sessions._tx() as tx:
        past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
        tx.execute(update(invites).values(expires=past))
    page.goto(f"{app.url}/?invite={fresh}")
    page.get_by_text("expired").first.wait_for()
    assert "Interview with Dana" not in page.content()


def test_what_people_type_is_shown_as_text(
    setup: tuple[AppServer, Advisor, str, str], browser: Any
) -> None:
    """Images, links, formulas, headings and colour directives in an answer stay text: no
    request leaves the page for them and the chat keeps its shape."""
    app, adv, dana, _ = setup
    hostile = (
        "![pixel](http://127.0.0.1:9/track.png) [click me](http://127.0.0.1:9/) "
        "$\\rule{40em}{10em}$ :red-background[Security warning: sign in again] # Heading"
    )
    adv.start_interview(dana, user="alice")
    adv.answer(dana, hostile, user="alice")
    page = _page(browser)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{app.url}/?invite={adv.invite(dana, user='alice')}")
    page.get_by_role("heading", name="Interview with Dana").wait_for()
    settle(page)
    chat = page.locator('[data-testid="stChatMessage"]')
    shown = chat.filter(has_text="pixel").first.inner_text().replace("\u2060", "")
    assert "![pixel](http://127.0.0.1:9/track.png)" in shown
    assert chat.locator("img[src*='127.0.0.1:9']").count() == 0
    assert chat.locator("a[href*='127.0.0.1:9']").count() == 0
    assert chat.locator(".katex").count() == 0
    assert chat.locator("h1, h2, h3").count() == 0
    assert not [url for url in requested if "127.0.0.1:9/" in url]
