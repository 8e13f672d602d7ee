"""Access: accounts, roles in a pilot, interview links, sign-in limits, and the audit log.

Who is asking is a *principal*: ``None`` in local single-user mode (no accounts and no OIDC:
everything is allowed, and the app says it is unprotected), an account name, or
``"stakeholder:<id>"`` for someone who opened a private interview link. With accounts or OIDC
on, ``None`` is refused: every call of the orchestration API goes through ``Gate.check``.

Roles in a pilot: ``owner`` (the consultant: everything), ``viewer`` (reads the assessment
and plan, exports), and the stakeholder principal (only their own interview).

Passwords are stored only as Argon2id hashes (argon2-cffi). Account names are plain
identifiers (letters a-z, digits, ``. _ @ + -``, compared case-insensitively), so a name that
only looks like another one (a zero-width space, a Cyrillic letter) cannot be created.
Interview links carry a token signed with the server's secret (itsdangerous); it expires, and
revoking the stakeholder's links makes every earlier one stop working.
"""

from __future__ import annotations

import logging
import re
import secrets
import threading
import time
import unicodedata
from collections import defaultdict, deque
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, URLSafeSerializer

from app.errors import AccessDenied, ConfigError, NotFound
from app.service.sessions import SessionStore
from app.settings import Settings

log = logging.getLogger(__name__)

Need = Literal["read", "write", "interview"]
STAKEHOLDER = "stakeholder:"
_NAME = re.compile(r"^[a-z0-9][a-z0-9._@+-]{0,99}$")
_HASHER = PasswordHasher()
MIN_PASSWORD = 10


def account_name(raw: str) -> str:
    """The canonical form of an account name, or a ConfigError saying what is allowed."""
    name = unicodedata.normalize("NFKC", raw).strip().casefold()
    if not _NAME.match(name):
        raise ConfigError(
            f"{raw!r} cannot be an account name: use letters a-z, digits and . _ @ + - only "
            "(an e-mail address works), starting with a letter or digit."
        )
    return name


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def _now() -> datetime:
    return datetime.now(UTC)


class Gate:
    """The one place that decides who may do what."""

    def __init__(self, settings: Settings, sessions: SessionStore) -> None:
        self.settings = settings
        self.sessions = sessions
        self._clients: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    @property
    def protected(self) -> bool:
        """Accounts or OIDC are on: every call needs a signed-in principal."""
        return self.settings.accounts or self.settings.app_oidc

    # checks ------------------------------------------------------------------------------------

    def check(self, workspace_id: str, user: str | None, need: Need) -> None:
        """Raise AccessDenied unless ``user`` may ``need`` in the workspace."""
        self.check_account(user)
        if user is None:
            return
        role = self.sessions.role(workspace_id, user)
        if role is None:
            raise AccessDenied("This pilot belongs to someone else; ask its owner for access.")
        if need != "read" and role != "owner":
            raise AccessDenied(
                f"You can read this pilot but not change it (your role is {role}); ask its "
                "owner to make you an owner."
            )

    def check_interview(
        self, workspace_id: str, stakeholder_id: str, user: str | None, need: Need
    ) -> None:
        """As ``check``, except that the stakeholder themselves, through their link, may read
        and answer their own interview (never change anything else about it)."""
        if need != "write" and user == f"{STAKEHOLDER}{stakeholder_id}":
            return
        self.check(workspace_id, user, need)

    def check_account(self, user: str | None) -> None:
        """Calls that are not about one pilot (search the playbooks, create a pilot)."""
        if user is None:
            if self.protected:
                raise AccessDenied("Sign in first.")
            return
        if user.startswith(STAKEHOLDER):
            raise AccessDenied("This link opens one interview only.")

    # accounts ----------------------------------------------------------------------------------

    def add_user(self, raw: str, password: str) -> str:
        name = account_name(raw)
        _check_password(password)
        if self.sessions.user(name) is not None:
            raise ConfigError(f"The account {name!r} exists already; use reset to change it.")
        self.sessions.add_user(name, _HASHER.hash(password))
        self.sessions.log(None, "user-added", name)
        return name

    def reset_password(self, raw: str, password: str) -> None:
        name = account_name(raw)
        _check_password(password)
        if self.sessions.user(name) is None:
            raise NotFound(f"No account {name!r}; add it with `advisor user add {name}`.")
        self.sessions.update_user(
            name, password_hash=_HASHER.hash(password), failures=0, locked_until=None
        )
        self.sessions.log(None, "password-reset", name)

    def remove_user(self, raw: str) -> None:
        name = account_name(raw)
        if not self.sessions.remove_user(name):
            raise NotFound(f"No account {name!r}.")
        self.sessions.log(None, "user-removed", name)

    def sign_in(self, raw: str, password: str, client: str = "unknown") -> str:
        """The account name, or AccessDenied. Failures are counted per account (a lock after
        ``lockout_failures``) and per client (``client_attempts`` a minute)."""
        self._throttle(client)
        try:
            name = account_name(raw)
        except ConfigError:
            name = ""
        row = self.sessions.user(name) if name else None
        if row is not None and row["locked_until"] and _utc(row["locked_until"]) > _now():
            self.sessions.log(name, "sign-in-locked", name, f"client {client}")
            raise AccessDenied(
                "Too many wrong passwords: this account is locked for a while. Try again "
                "later, or ask an admin to reset it (advisor user reset)."
            )
        ok = False
        if row is not None:
            try:
                ok = _HASHER.verify(row["password_hash"], password)
            except (VerificationError, InvalidHashError):
                ok = False
        else:
            _HASHER.hash(password)  # same work whether or not the account exists
        if not ok:
            self.sessions.log(
                name or None, "sign-in-failed", name or "(unknown)", f"client {client}"
            )
            if row is not None:
                failures = int(row["failures"]) + 1
                locked = None
                if failures >= self.settings.lockout_failures:
                    until = _now() + timedelta(minutes=self.settings.lockout_minutes)
                    locked, failures = until.isoformat(), 0
                    self.sessions.log(name, "account-locked", name, f"until {locked}")
                self.sessions.update_user(name, failures=failures, locked_until=locked)
            raise AccessDenied("That name or password is not right. Try again.")
        self.sessions.update_user(name, failures=0, locked_until=None)
        self.sessions.log(name, "sign-in", name, f"client {client}")
        return name

    def _throttle(self, client: str) -> None:
        window = 60.0
        with self._lock:
            seen = self._clients[client]
            stamp = time.monotonic()
            while seen and stamp - seen[0] > window:
                seen.popleft()
            if len(seen) >= self.settings.client_attempts:
                raise AccessDenied(
                    "Too many sign-in attempts from here; wait a minute and try again."
                )
            seen.append(stamp)

    # interview links ---------------------------------------------------------------------------

    def _serializer(self) -> URLSafeSerializer:
        return URLSafeSerializer(self._secret(), salt="interview-link")

    def _secret(self) -> str:
        if self.settings.secret_key is not None:
            return self.settings.secret_key.get_secret_value()
        path: Path = self.settings.data_dir / "secret.key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()

    def invite(self, stakeholder_id: str, by: str | None, days: float) -> str:
        expires = (_now() + timedelta(days=days)).isoformat()
        invite_id = self.sessions.add_invite(stakeholder_id, by, expires)
        return str(self._serializer().dumps({"i": invite_id, "s": stakeholder_id}))

    def redeem(self, token: str) -> str:
        """The stakeholder principal a link stands for, or AccessDenied saying why not."""
        try:
            data = self._serializer().loads(token)
        except BadSignature as exc:
            raise AccessDenied(
                "This interview link is not valid. Ask the consultant to send it again."
            ) from exc
        row = self.sessions.invite(str(data.get("i")))
        if row is None or row["stakeholder_id"] != data.get("s"):
            raise AccessDenied(
                "This interview link is not valid. Ask the consultant for a new one."
            )
        if row["revoked"]:
            raise AccessDenied(
                "This interview link was withdrawn. Ask the consultant for a new one."
            )
        if _utc(row["expires"]) <= _now():
            raise AccessDenied("This interview link has expired. Ask the consultant for a new one.")
        if row["used"] is None:
            self.sessions.mark_invite_used(row["id"])
        return f"{STAKEHOLDER}{row['stakeholder_id']}"


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ConfigError(f"Use a password of at least {MIN_PASSWORD} characters.")
