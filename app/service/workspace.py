"""Workspaces and who may do what: ``(workspace or stakeholder, user, need) -> the record``
or ``AccessDenied``. The one access check of the orchestration API lives here.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from app.advice.titles import role_id
from app.errors import (
    AccessDenied,
    ConfigError,
    NotFound,
)
from app.schemas import (
    Stakeholder,
    Turn,
    Workspace,
)
from app.service.access import STAKEHOLDER, Need, account_name
from app.service.components import Components

log = logging.getLogger(__name__)


class Workspaces:
    """Pilots, their people, links and views, and the one access check every call goes through.

    ``pilot``, ``collection``, ``interview`` and ``scope`` are the check: each finds the thing
    asked for and raises ``NotFound`` or ``AccessDenied`` before anything is read or written.
    """

    def __init__(self, parts: Components) -> None:
        self.parts = parts

    def pilot(self, workspace_id: str, user: str | None, need: Need) -> Workspace:
        """The one access check: every call about a pilot goes through it."""
        found = self.parts.sessions.workspace(workspace_id)
        if found is None:
            raise NotFound(f"No pilot workspace {workspace_id!r}; pick one from the list.")
        self.parts.gate.check(workspace_id, user, need)
        return found

    def collection(self, workspace: str, user: str | None, need: Need) -> None:
        """A document collection: a pilot's when it names one, else the caller's own."""
        if self.parts.sessions.workspace(workspace) is not None:
            self.pilot(workspace, user, need)
        else:
            self.parts.gate.check_account(user)
            if self.parts.gate.protected:
                raise AccessDenied("Documents belong to a pilot: pick one you may use.")

    def interview(self, stakeholder_id: str, user: str | None, need: Need) -> Stakeholder:
        """A stakeholder, if ``user`` may ``need`` their interview (``Gate.check_interview``)."""
        found = self.parts.sessions.stakeholder(stakeholder_id)
        if found is None:
            raise NotFound(f"No stakeholder {stakeholder_id!r}; add them to the pilot first.")
        self.parts.gate.check_interview(found.workspace_id, stakeholder_id, user, need)
        return found

    def scope(self, workspace_id: str | None, user: str | None) -> None:
        """Reading the playbooks (``None``) needs an account; a pilot's documents, access to it."""
        if workspace_id is None:
            self.parts.gate.check_account(user)
        else:
            self.collection(workspace_id, user, "read")

    def create_workspace(
        self, name: str, user: str | None = None, pilot: dict[str, object] | None = None
    ) -> Workspace:
        self.parts.gate.check_account(user)
        clean = " ".join(name.split())[:200]
        if not clean:
            raise ConfigError("Give the pilot a name.")
        return self.parts.sessions.create_workspace(clean, owner=user, pilot=dict(pilot or {}))

    def workspaces(self, user: str | None = None) -> list[Workspace]:
        if user is not None and user.startswith(STAKEHOLDER):
            return []
        if user is None and self.parts.gate.protected:
            return []
        return self.parts.sessions.workspaces(user)

    def workspace(self, workspace_id: str, user: str | None = None) -> Workspace:
        """The workspace, if ``user`` may read it."""
        return self.pilot(workspace_id, user, "read")

    def role(self, workspace_id: str, user: str | None = None) -> str:
        """``user``'s role in the pilot: owner, viewer (or owner in local mode)."""
        self.pilot(workspace_id, user, "read")
        return "owner" if user is None else self.parts.sessions.role(workspace_id, user) or "viewer"

    def add_stakeholder(
        self, workspace_id: str, name: str, role: str, user: str | None = None
    ) -> Stakeholder:
        self.pilot(workspace_id, user, "write")
        name, role = " ".join(name.split())[:200], " ".join(role.split())[:200]
        if not name or not role:
            raise ConfigError("Give the stakeholder's name and role.")
        return self.parts.sessions.add_stakeholder(
            workspace_id, name, role, role_id(role, self.parts.knowledge.lexicon)
        )

    def stakeholders(self, workspace_id: str, user: str | None = None) -> list[Stakeholder]:
        self.workspace(workspace_id, user)
        return self.parts.sessions.stakeholders(workspace_id)

    def stakeholder(self, stakeholder_id: str, user: str | None = None) -> Stakeholder:
        return self.interview(stakeholder_id, user, "read")

    def turns(self, stakeholder_id: str, user: str | None = None) -> list[Turn]:
        self.interview(stakeholder_id, user, "read")
        return self.parts.sessions.turns(stakeholder_id)

    def share(
        self, workspace_id: str, with_user: str, role: str = "viewer", user: str | None = None
    ) -> str:
        """Give an account a role in this pilot (``owner`` or ``viewer``); its name."""
        self.pilot(workspace_id, user, "write")
        if role not in ("owner", "viewer"):
            raise ConfigError("Share as owner or viewer; stakeholders get an interview link.")
        name = account_name(with_user)
        if self.parts.settings.accounts and self.parts.sessions.user(name) is None:
            raise NotFound(
                f"No account {name!r}. An admin creates it first: advisor user add {name}"
            )
        self.parts.sessions.grant(workspace_id, name, role)
        self.parts.sessions.log(user, "share", f"workspace:{workspace_id}", f"{name} as {role}")
        return name

    def invite(self, stakeholder_id: str, user: str | None = None) -> str:
        """A private link token that opens only this stakeholder's interview."""
        person = self.interview(stakeholder_id, user, "write")
        token = self.parts.gate.invite(stakeholder_id, user, self.parts.settings.invite_days)
        self.parts.sessions.log(user, "invite", f"workspace:{person.workspace_id}", person.name)
        return token

    def revoke_invites(self, stakeholder_id: str, user: str | None = None) -> int:
        """Withdraw every link sent to this stakeholder."""
        person = self.interview(stakeholder_id, user, "write")
        count = self.parts.sessions.revoke_invites(stakeholder_id)
        self.parts.sessions.log(user, "revoke", f"workspace:{person.workspace_id}", person.name)
        return count

    def invite_status(self, stakeholder_id: str, user: str | None = None) -> str:
        """In plain words: no link, link sent (not opened), opened, withdrawn, expired. For the
        pilot's people, not for the stakeholder's own link."""
        self.interview(stakeholder_id, user, "read")
        self.parts.gate.check_account(user)
        rows = self.parts.sessions.invites_of(stakeholder_id)
        if not rows:
            return "no link sent"
        last = rows[-1]
        if last["revoked"]:
            return "link withdrawn"
        if datetime.fromisoformat(last["expires"]) <= datetime.now(UTC):
            return "link expired"
        return "link opened" if last["used"] else "link sent, not opened yet"

    def redeem(self, token: str) -> str:
        """The principal an interview link stands for (``stakeholder:<id>``)."""
        principal = self.parts.gate.redeem(token)
        self.parts.sessions.log(principal, "link-opened", principal)
        return principal

    def sign_in(self, name: str, password: str, client: str = "unknown") -> str:
        return self.parts.gate.sign_in(name, password, client)

    def audit_trail(self, workspace_id: str, user: str | None = None) -> list[dict[str, object]]:
        self.pilot(workspace_id, user, "write")
        return self.parts.sessions.audit_trail(f"workspace:{workspace_id}")

    def save_view(self, view_id: str, state: dict[str, object], user: str | None = None) -> None:
        """Store a browser session's place; a view saved by someone else is never rewritten."""
        found = self.parts.sessions.view(view_id)
        if found is not None and found[1] != user:
            raise AccessDenied("This page link belongs to someone else; a new one was opened.")
        self.parts.sessions.save_view(view_id, state, user)

    def view(self, view_id: str, user: str | None = None) -> dict[str, object]:
        """A saved place, or AccessDenied when someone else saved it."""
        found = self.parts.sessions.view(view_id)
        if found is None:
            return {}
        state, owner = found
        if owner != user:
            raise AccessDenied("This page link belongs to someone else; a new one was opened.")
        return state
