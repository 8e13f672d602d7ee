"""Sessions: workspaces, stakeholders, turns, documents and drafts, stored durably.

SQLAlchemy over SQLite (write-ahead log, under the data dir) by default; set
``ADVISOR_DATABASE_URL`` to a PostgreSQL URL and several app replicas share one database.
Every write is its own transaction, committed before the call returns, so a crash or a browser
refresh never loses an answer that was acknowledged.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    Engine,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    func,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from app.errors import SessionStoreError
from app.schemas import DocumentRecord, Stakeholder, Turn, Workspace

log = logging.getLogger(__name__)

metadata = MetaData()

workspaces = Table(
    "workspaces",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("owner", String(200), nullable=True, index=True),
    Column("pilot", JSON, nullable=False, default=dict),
    Column("created", String(40), nullable=False),
)
grants = Table(
    "grants",
    metadata,
    Column("workspace_id", String(32), ForeignKey("workspaces.id"), primary_key=True),
    Column("user", String(200), primary_key=True),
)
members = Table(
    "members",
    metadata,
    Column("workspace_id", String(32), ForeignKey("workspaces.id"), primary_key=True),
    Column("user", String(200), primary_key=True),
    Column("role", String(20), nullable=False),
)
users = Table(
    "users",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("password_hash", String(300), nullable=False),
    Column("failures", Integer, nullable=False, default=0),
    Column("locked_until", String(40), nullable=True),
    Column("created", String(40), nullable=False),
)
invites = Table(
    "invites",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("stakeholder_id", String(32), ForeignKey("stakeholders.id"), nullable=False, index=True),
    Column("created_by", String(200), nullable=True),
    Column("created", String(40), nullable=False),
    Column("expires", String(40), nullable=False),
    Column("revoked", Boolean, nullable=False, default=False),
    Column("used", String(40), nullable=True),
)
audit = Table(
    "audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", String(40), nullable=False),
    Column("actor", String(200), nullable=True),
    Column("action", String(40), nullable=False),
    Column("target", String(300), nullable=True),
    Column("detail", Text, nullable=True),
)
stakeholders = Table(
    "stakeholders",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("workspace_id", String(32), ForeignKey("workspaces.id"), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("role", String(200), nullable=False),
    Column("role_id", String(40), nullable=True),
    Column("finished", Boolean, nullable=False, default=False),
    Column("created", String(40), nullable=False),
)
turns = Table(
    "turns",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("stakeholder_id", String(32), ForeignKey("stakeholders.id"), nullable=False),
    Column("index", Integer, nullable=False),
    Column("role", String(20), nullable=False),
    Column("content", Text, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("probe_id", String(40), nullable=True),
    Column("pattern", String(40), nullable=True),
    Column("created", String(40), nullable=False),
    Column("answers", Integer, nullable=True),
    UniqueConstraint("stakeholder_id", "index", name="uq_turn_position"),
)
documents = Table(
    "documents",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("workspace_id", String(32), ForeignKey("workspaces.id"), nullable=False, index=True),
    Column("source", String(300), nullable=False),
    Column("sha256", String(64), nullable=True),
    Column("status", String(20), nullable=False),
    Column("pages", Integer, nullable=False, default=0),
    Column("chunks", Integer, nullable=False, default=0),
    Column("error", Text, nullable=True),
    Column("created", String(40), nullable=False),
)
drafts = Table(
    "drafts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("workspace_id", String(32), ForeignKey("workspaces.id"), nullable=False, index=True),
    Column("kind", String(20), nullable=False),
    Column("body", Text, nullable=False),
    Column("created", String(40), nullable=False),
)
views = Table(
    "views",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("user", String(200), nullable=True),
    Column("state", JSON, nullable=False, default=dict),
    Column("updated", String(40), nullable=False),
)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def new_id() -> str:
    return uuid.uuid4().hex[:16]


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


class SessionStore:
    """Durable state behind the orchestration API. Thread-safe; share one per process."""

    def __init__(self, url: str) -> None:
        self.url = url
        try:
            if url.startswith("sqlite"):
                self._engine: Engine = create_engine(
                    url, connect_args={"check_same_thread": False, "timeout": 30}
                )
                event.listen(self._engine, "connect", _sqlite_pragmas)
            else:
                self._engine = create_engine(url, pool_pre_ping=True, pool_size=10)
            metadata.create_all(self._engine)
            self._add_columns()
        except SQLAlchemyError as exc:
            raise SessionStoreError(
                f"Cannot open the session database ({_safe(url)}): {exc.__class__.__name__}. "
                "Check ADVISOR_DATABASE_URL and that the database server is running."
            ) from exc

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        try:
            with self._engine.begin() as connection:
                yield connection
        except SessionStoreError:
            raise
        except SQLAlchemyError as exc:
            raise SessionStoreError(
                f"The session database failed ({exc.__class__.__name__}); nothing was changed. "
                "Try again; if it persists, check the database server."
            ) from exc

    def _add_columns(self) -> None:
        """Columns added since a database was created (create_all makes tables, not columns)."""
        present = {c["name"] for c in inspect(self._engine).get_columns("turns")}
        if "answers" not in present:
            with self._engine.begin() as connection:
                connection.execute(text("ALTER TABLE turns ADD COLUMN answers INTEGER"))

    def delete_turn(self, stakeholder_id: str, index: int) -> bool:
        with self._tx() as tx:
            gone = tx.execute(
                turns.delete().where(
                    turns.c.stakeholder_id == stakeholder_id,
                    turns.c.index == index,
                    turns.c.role == "stakeholder",
                )
            ).rowcount
        return bool(gone)

    def set_turn_kind(self, turn_id: int, kind: str) -> None:
        with self._tx() as tx:
            tx.execute(update(turns).where(turns.c.id == turn_id).values(kind=kind))

    def close(self) -> None:
        self._engine.dispose()

    # workspaces --------------------------------------------------------------------------------

    def create_workspace(
        self, name: str, owner: str | None = None, pilot: dict[str, Any] | None = None
    ) -> Workspace:
        row = {"id": new_id(), "name": name, "owner": owner, "pilot": pilot or {}, "created": now()}
        with self._tx() as tx:
            tx.execute(insert(workspaces).values(**row))
        return Workspace(**row)

    def update_pilot(self, workspace_id: str, pilot: dict[str, Any]) -> None:
        with self._tx() as tx:
            tx.execute(
                update(workspaces).where(workspaces.c.id == workspace_id).values(pilot=pilot)
            )

    def workspace(self, workspace_id: str) -> Workspace | None:
        with self._tx() as tx:
            row = tx.execute(select(workspaces).where(workspaces.c.id == workspace_id)).first()
        return Workspace(**row._mapping) if row else None

    def workspaces(self, user: str | None = None) -> list[Workspace]:
        """All workspaces, or only those ``user`` created or has a role in."""
        query = select(workspaces).order_by(workspaces.c.created.desc())
        if user is not None:
            granted = select(grants.c.workspace_id).where(grants.c.user == user)
            member = select(members.c.workspace_id).where(
                members.c.user == user, members.c.role.in_(("owner", "viewer"))
            )
            query = query.where(
                (workspaces.c.owner == user)
                | workspaces.c.id.in_(granted)
                | workspaces.c.id.in_(member)
            )
        with self._tx() as tx:
            return [Workspace(**r._mapping) for r in tx.execute(query)]

    def grant(self, workspace_id: str, user: str, role: str = "owner") -> None:
        """Give ``user`` a role in the workspace (replacing any role they had)."""
        with self._tx() as tx:
            tx.execute(
                members.delete().where(
                    members.c.workspace_id == workspace_id, members.c.user == user
                )
            )
            tx.execute(insert(members).values(workspace_id=workspace_id, user=user, role=role))

    def role(self, workspace_id: str, user: str) -> str | None:
        """``user``'s role in the workspace: its creator is its owner; shares name a role.
        Shares made before roles existed (``grants``) count as owner."""
        with self._tx() as tx:
            space = tx.execute(
                select(workspaces.c.owner).where(workspaces.c.id == workspace_id)
            ).first()
            if space is not None and space.owner == user:
                return "owner"
            row = tx.execute(
                select(members.c.role).where(
                    members.c.workspace_id == workspace_id, members.c.user == user
                )
            ).first()
            if row is not None:
                return str(row.role)
            legacy = tx.execute(
                select(grants).where(grants.c.workspace_id == workspace_id, grants.c.user == user)
            ).first()
        return "owner" if legacy is not None else None

    # accounts ----------------------------------------------------------------------------------

    def add_user(self, name: str, password_hash: str) -> None:
        with self._tx() as tx:
            tx.execute(
                insert(users).values(
                    name=name, password_hash=password_hash, failures=0, created=now()
                )
            )

    def user(self, name: str) -> dict[str, Any] | None:
        with self._tx() as tx:
            row = tx.execute(select(users).where(users.c.name == name)).first()
        return dict(row._mapping) if row else None

    def user_names(self) -> list[str]:
        with self._tx() as tx:
            return [r.name for r in tx.execute(select(users.c.name).order_by(users.c.name))]

    def update_user(self, name: str, **values: Any) -> None:
        with self._tx() as tx:
            tx.execute(update(users).where(users.c.name == name).values(**values))

    def remove_user(self, name: str) -> bool:
        with self._tx() as tx:
            gone = tx.execute(users.delete().where(users.c.name == name)).rowcount
            tx.execute(members.delete().where(members.c.user == name))
        return bool(gone)

    # invitations -------------------------------------------------------------------------------

    def add_invite(self, stakeholder_id: str, created_by: str | None, expires: str) -> str:
        invite_id = new_id()
        with self._tx() as tx:
            tx.execute(
                insert(invites).values(
                    id=invite_id,
                    stakeholder_id=stakeholder_id,
                    created_by=created_by,
                    created=now(),
                    expires=expires,
                    revoked=False,
                )
            )
        return invite_id

    def invite(self, invite_id: str) -> dict[str, Any] | None:
        with self._tx() as tx:
            row = tx.execute(select(invites).where(invites.c.id == invite_id)).first()
        return dict(row._mapping) if row else None

    def invites_of(self, stakeholder_id: str) -> list[dict[str, Any]]:
        with self._tx() as tx:
            rows = tx.execute(
                select(invites)
                .where(invites.c.stakeholder_id == stakeholder_id)
                .order_by(invites.c.created)
            )
            return [dict(r._mapping) for r in rows]

    def revoke_invites(self, stakeholder_id: str) -> int:
        with self._tx() as tx:
            return int(
                tx.execute(
                    update(invites)
                    .where(invites.c.stakeholder_id == stakeholder_id, invites.c.revoked.is_(False))
                    .values(revoked=True)
                ).rowcount
            )

    def mark_invite_used(self, invite_id: str) -> None:
        with self._tx() as tx:
            tx.execute(update(invites).where(invites.c.id == invite_id).values(used=now()))

    # audit -------------------------------------------------------------------------------------

    def log(self, actor: str | None, action: str, target: str | None, detail: str = "") -> None:
        with self._tx() as tx:
            tx.execute(
                insert(audit).values(
                    at=now(), actor=actor, action=action, target=target, detail=detail
                )
            )

    def audit_trail(self, target_prefix: str | None = None) -> list[dict[str, Any]]:
        query = select(audit).order_by(audit.c.id)
        if target_prefix is not None:
            query = query.where(audit.c.target.startswith(target_prefix))
        with self._tx() as tx:
            return [dict(r._mapping) for r in tx.execute(query)]

    # stakeholders and turns --------------------------------------------------------------------

    def add_stakeholder(
        self, workspace_id: str, name: str, role: str, role_id: str | None
    ) -> Stakeholder:
        row = {
            "id": new_id(),
            "workspace_id": workspace_id,
            "name": name,
            "role": role,
            "role_id": role_id,
            "finished": False,
            "created": now(),
        }
        with self._tx() as tx:
            tx.execute(insert(stakeholders).values(**row))
        return Stakeholder(**row)

    def stakeholder(self, stakeholder_id: str) -> Stakeholder | None:
        with self._tx() as tx:
            row = tx.execute(
                select(stakeholders).where(stakeholders.c.id == stakeholder_id)
            ).first()
        return Stakeholder(**row._mapping) if row else None

    def stakeholders(self, workspace_id: str) -> list[Stakeholder]:
        query = (
            select(stakeholders)
            .where(stakeholders.c.workspace_id == workspace_id)
            .order_by(stakeholders.c.created)
        )
        with self._tx() as tx:
            return [Stakeholder(**r._mapping) for r in tx.execute(query)]

    def set_finished(self, stakeholder_id: str, finished: bool) -> None:
        with self._tx() as tx:
            tx.execute(
                update(stakeholders)
                .where(stakeholders.c.id == stakeholder_id)
                .values(finished=finished)
            )

    def append_turn(self, turn: Turn) -> Turn:
        """Store a turn at the next free position of its interview (concurrency-safe)."""
        for _ in range(5):
            try:
                with self._tx() as tx:
                    last = tx.execute(
                        select(func.max(turns.c.index)).where(
                            turns.c.stakeholder_id == turn.stakeholder_id
                        )
                    ).scalar()
                    index = 0 if last is None else int(last) + 1
                    values = turn.model_dump(exclude={"id"}) | {"index": index}
                    result = tx.execute(insert(turns).values(**values))
                    key = result.inserted_primary_key
                    return turn.model_copy(update={"index": index, "id": key[0] if key else None})
            except SessionStoreError as exc:
                if not isinstance(exc.__cause__, IntegrityError):
                    raise
        raise SessionStoreError("Could not store the turn after several tries; try again.")

    def turns(self, stakeholder_id: str) -> list[Turn]:
        query = (
            select(turns).where(turns.c.stakeholder_id == stakeholder_id).order_by(turns.c.index)
        )
        with self._tx() as tx:
            return [Turn(**r._mapping) for r in tx.execute(query)]

    # documents ---------------------------------------------------------------------------------

    def add_document(self, record: DocumentRecord) -> DocumentRecord:
        with self._tx() as tx:
            tx.execute(
                documents.delete().where(
                    documents.c.workspace_id == record.workspace_id,
                    documents.c.source == record.source,
                )
            )
            tx.execute(insert(documents).values(**record.model_dump()))
        return record

    def documents(self, workspace_id: str) -> list[DocumentRecord]:
        query = (
            select(documents)
            .where(documents.c.workspace_id == workspace_id)
            .order_by(documents.c.created)
        )
        with self._tx() as tx:
            return [DocumentRecord(**r._mapping) for r in tx.execute(query)]

    def documents_in(self, status: str) -> list[DocumentRecord]:
        query = select(documents).where(documents.c.status == status)
        with self._tx() as tx:
            return [DocumentRecord(**r._mapping) for r in tx.execute(query)]

    def remove_document(self, workspace_id: str, source: str) -> None:
        with self._tx() as tx:
            tx.execute(
                documents.delete().where(
                    documents.c.workspace_id == workspace_id, documents.c.source == source
                )
            )

    # drafts (assessments and plans) and views --------------------------------------------------

    def save_draft(self, workspace_id: str, kind: str, body: str) -> None:
        with self._tx() as tx:
            tx.execute(
                insert(drafts).values(
                    workspace_id=workspace_id, kind=kind, body=body, created=now()
                )
            )

    def latest_draft(self, workspace_id: str, kind: str) -> str | None:
        query = (
            select(drafts.c.body)
            .where(drafts.c.workspace_id == workspace_id, drafts.c.kind == kind)
            .order_by(drafts.c.id.desc())
            .limit(1)
        )
        with self._tx() as tx:
            body = tx.execute(query).scalar()
        return str(body) if body is not None else None

    def save_view(self, view_id: str, state: dict[str, Any], user: str | None) -> None:
        with self._tx() as tx:
            exists = tx.execute(select(views.c.id).where(views.c.id == view_id)).first()
            values = {"state": json.loads(json.dumps(state)), "user": user, "updated": now()}
            if exists:
                tx.execute(update(views).where(views.c.id == view_id).values(**values))
            else:
                tx.execute(insert(views).values(id=view_id, **values))

    def view(self, view_id: str) -> tuple[dict[str, Any], str | None] | None:
        with self._tx() as tx:
            row = tx.execute(select(views).where(views.c.id == view_id)).first()
        return (dict(row.state), row.user) if row else None


def _safe(url: str) -> str:
    """The URL without its password, for messages and logs."""
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    credentials, host = rest.rsplit("@", 1)
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}"
