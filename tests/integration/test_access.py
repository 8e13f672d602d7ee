"""Access control: accounts, roles, interview links, sign-in limits and the audit log."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update

from app.errors import AccessDenied, ConfigError, NotFound
from app.service.access import STAKEHOLDER, account_name
from app.service.advisor import Advisor
from app.service.session_tables import invites


@pytest.fixture
def guarded(advisor: Advisor) -> Advisor:
    """The advisor with accounts on: alice owns a pilot, vera views it, mallory has no role."""
    advisor.settings = advisor.settings.model_copy(update={"accounts": True})
    for name in ("alice", "vera", "mallory"):
        advisor.gate.add_user(name, f"{name}-password-long")
    advisor.gate.settings = advisor.settings
    return advisor


def _pilot(adv: Advisor) -> tuple[str, str, str]:
    space = adv.create_workspace("Invoice matching", user="alice")
    dana = adv.add_stakeholder(space.id, "Dana", "Head of AP", user="alice")
    omar = adv.add_stakeholder(space.id, "Omar", "IT lead", user="alice")
    adv.share(space.id, "vera", "viewer", user="alice")
    return space.id, dana.id, omar.id


READ = {
    "workspace", "role", "documents", "stakeholders", "stakeholder", "turns", "coverage",
    "latest_plan", "latest_assessment", "profile", "ask", "passage", "export", "search",
    "invite_status",
}  # fmt: skip
ACCOUNT_ONLY = {"create_workspace", "workspaces"}
VIEWS = {"save_view", "view"}


def _calls(adv: Advisor) -> dict[str, inspect.Signature]:
    """Every public call of the orchestration API that acts for a user."""
    out = {}
    for name, member in inspect.getmembers(type(adv)):
        if name.startswith("_") or not callable(member):
            continue
        signature = inspect.signature(member)
        if "user" in signature.parameters:
            out[name] = signature
    return out


def _arguments(signature: inspect.Signature, space: str, person: str) -> dict[str, Any]:
    values: dict[str, Any] = {
        "workspace_id": space,
        "workspace": space,
        "stakeholder_id": person,
        "text": "No DPIA has been done.",
        "question": "Can we go live next month?",
        "name": "Eve",
        "role": "viewer",
        "with_user": "mallory",
        "fields": {"model_source": "in_house"},
        "fmt": "md",
        "chunk_id": "nothing",
        "data": b"# Notes\n\nThe vendor feed has no owner.",
        "source": "notes.md",
        "paths": [],
        "query": "vendor feed owner",
        "view_id": "v0000000001",
        "state": {"page": "Plan"},
        "index": 1,
    }
    return {p: values[p] for p in signature.parameters if p in values and p not in ("self", "user")}


def test_every_call_refuses_a_user_without_the_right_role(guarded: Advisor) -> None:
    space, dana, _ = _pilot(guarded)
    guarded.plan(space, user="alice")
    guarded.save_view("v0000000001", {"page": "Plan"}, user="alice")
    calls = _calls(guarded)
    assert set(calls) >= READ | ACCOUNT_ONLY | VIEWS | {"plan", "share", "invite", "ingest"}
    for name, signature in calls.items():
        method = getattr(guarded, name)
        args = _arguments(signature, space, dana)
        # Nobody signed in: refused (workspaces lists nothing).
        if name == "workspaces":
            assert method(user=None) == [] and method(user="mallory") == []
            continue
        with pytest.raises(AccessDenied):
            method(**args, user=None)
        # A stranger, and a stakeholder's link: refused everything but their own interview.
        if name not in ACCOUNT_ONLY:
            with pytest.raises(AccessDenied):
                method(**args, user="mallory")
        if name not in {"stakeholder", "turns", "coverage", "start_interview", "answer",
                        "finish_interview"}:  # fmt: skip
            with pytest.raises(AccessDenied):
                method(**args, user=f"{STAKEHOLDER}{dana}")
        # A viewer reads, and changes nothing.
        if name not in READ | ACCOUNT_ONLY | VIEWS:
            with pytest.raises(AccessDenied):
                method(**args, user="vera")


def test_a_viewer_reads_the_plan_and_exports_it(guarded: Advisor) -> None:
    space, _, _ = _pilot(guarded)
    guarded.plan(space, user="alice")
    assert guarded.latest_plan(space, user="vera") is not None
    assert guarded.export(space, "md", user="vera").startswith(b"# Production readiness plan")
    assert guarded.ask(space, "Can we go live next month?", user="vera").text
    assert [w.id for w in guarded.workspaces("vera")] == [space]


def test_an_interview_link_opens_only_that_interview(guarded: Advisor) -> None:
    space, dana, omar = _pilot(guarded)
    assert guarded.invite_status(dana, user="alice") == "no link sent"
    token = guarded.invite(dana, user="alice")
    assert guarded.invite_status(dana, user="alice") == "link sent, not opened yet"
    principal = guarded.redeem(token)
    assert principal == f"{STAKEHOLDER}{dana}"
    assert guarded.invite_status(dana, user="alice") == "link opened"
    first = guarded.start_interview(dana, user=principal)
    result = guarded.answer(dana, "Nobody checks the vendor numbers.", user=principal)
    assert result.answer is not None and first.question.content
    assert guarded.coverage(dana, user=principal)
    assert guarded.workspaces(principal) == []
    for call in (
        lambda: guarded.turns(omar, user=principal),
        lambda: guarded.answer(omar, "hello", user=principal),
        lambda: guarded.workspace(space, user=principal),
        lambda: guarded.stakeholders(space, user=principal),
        lambda: guarded.latest_plan(space, user=principal),
        lambda: guarded.search("vendor", workspace=None, user=principal),
    ):
        with pytest.raises(AccessDenied):
            call()


def test_a_link_stops_working_once_revoked_expired_or_altered(guarded: Advisor) -> None:
    _, dana, _ = _pilot(guarded)
    token = guarded.invite(dana, user="alice")
    with pytest.raises(AccessDenied, match="not valid"):
        guarded.redeem(token[:-2] + ("aa" if not token.endswith("aa") else "bb"))
    assert guarded.revoke_invites(dana, user="alice") == 1
    with pytest.raises(AccessDenied, match="withdrawn"):
        guarded.redeem(token)
    assert guarded.invite_status(dana, user="alice") == "link withdrawn"
    fresh = guarded.invite(dana, user="alice")
    assert guarded.redeem(fresh) == f"{STAKEHOLDER}{dana}"  # re-sent: the new one works
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    with guarded.sessions._tx() as tx:
        tx.execute(update(invites).values(expires=past))
    with pytest.raises(AccessDenied, match="expired"):
        guarded.redeem(fresh)


def test_passwords_are_hashed_and_ten_wrong_ones_lock_the_account(guarded: Advisor) -> None:
    stored = guarded.sessions.user("alice")
    assert stored is not None and stored["password_hash"].startswith("$argon2id$")
    assert "alice-password-long" not in str(stored)
    for attempt in range(10):
        with pytest.raises(AccessDenied, match="not right"):
            guarded.sign_in("alice", f"guess {attempt}", client=f"10.0.0.{attempt}")
    with pytest.raises(AccessDenied, match="locked"):
        guarded.sign_in("alice", "alice-password-long", client="10.0.0.99")
    guarded.gate.reset_password("alice", "a-new-password-1")
    assert guarded.sign_in("alice", "a-new-password-1", client="10.0.0.99") == "alice"
    trail = guarded.sessions.audit_trail()
    actions = [row["action"] for row in trail]
    assert actions.count("sign-in-failed") == 10 and "account-locked" in actions
    assert "sign-in" in actions
    assert not any("password" in str(row["detail"]) for row in trail)


def test_one_client_cannot_try_passwords_fast(guarded: Advisor) -> None:
    for number in range(guarded.settings.client_attempts):
        with pytest.raises(AccessDenied):
            guarded.sign_in(f"user{number}", "whatever-long", client="203.0.113.7")
    with pytest.raises(AccessDenied, match="Too many sign-in attempts"):
        guarded.sign_in("alice", "alice-password-long", client="203.0.113.7")
    assert guarded.sign_in("alice", "alice-password-long", client="203.0.113.8") == "alice"


@pytest.mark.parametrize("look_alike", ["alice\u200b", "\u0430lice", "Alice ", "al ice"])
def test_names_that_only_look_like_another_cannot_exist(guarded: Advisor, look_alike: str) -> None:
    if look_alike.strip().casefold() == "alice":
        assert account_name(look_alike) == "alice"  # the same account, not a second one
        with pytest.raises(ConfigError, match="exists already"):
            guarded.gate.add_user(look_alike, "another-password")
        return
    with pytest.raises(ConfigError, match="cannot be an account name"):
        guarded.gate.add_user(look_alike, "another-password")
    with pytest.raises(AccessDenied):
        guarded.sign_in(look_alike, "alice-password-long", client="198.51.100.1")


def test_a_saved_place_is_never_read_or_rewritten_by_someone_else(guarded: Advisor) -> None:
    space, _, _ = _pilot(guarded)
    guarded.save_view("v1", {"workspace": space, "page": "Plan"}, user="alice")
    with pytest.raises(AccessDenied):
        guarded.view("v1", user="mallory")
    with pytest.raises(AccessDenied):
        guarded.save_view("v1", {"page": "Export"}, user="mallory")
    assert guarded.view("v1", user="alice") == {"workspace": space, "page": "Plan"}


def test_sharing_names_an_existing_account_and_is_logged(guarded: Advisor) -> None:
    space, dana, _ = _pilot(guarded)
    with pytest.raises(NotFound, match="advisor user add"):
        guarded.share(space, "nobody", "viewer", user="alice")
    with pytest.raises(ConfigError):
        guarded.share(space, "mallory", "stakeholder", user="alice")
    guarded.invite(dana, user="alice")
    guarded.plan(space, user="alice")
    guarded.export(space, "csv", user="alice")
    actions = [row["action"] for row in guarded.audit_trail(space, user="alice")]
    assert {"share", "invite", "export"} <= set(actions)
