"""Sessions: workspaces, stakeholders, turns, documents and drafts, stored durably.

SQLAlchemy over SQLite (write-ahead log, under the data dir) by default; set
``ADVISOR_DATABASE_URL`` to a PostgreSQL URL and several app replicas share one database.
Every write is its own transaction, committed before the call returns, so a crash or a browser
refresh never loses an answer that was acknowledged.

This module holds the record operations; the tables are declared in ``session_tables`` and the
engine is opened in ``session_engine`` (both re-exported here under their old names).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Executable,
    RowMapping,
    Select,
    Table,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from app.errors import SessionStoreError
from app.schemas import DocumentRecord, Stakeholder, Turn, Workspace
from app.service.session_engine import open_engine, transaction
from app.service.session_tables import (
    audit,
    documents,
    drafts,
    grants,
    invites,
    members,
    new_id,
    now,
    stakeholders,
    turns,
    users,
    views,
    workspaces,
)

log = logging.getLogger(__name__)


class SessionStore:
    """Durable state behind the orchestration API. Thread-safe; share one per process."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine: Engine = open_engine(url)

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        with transaction(self._engine) as connection:
            yield connection

    def _write(self, *statements: Executable) -> int:
        """Run ``statements`` in one transaction; the number of rows the first one touched."""
        with self._tx() as tx:
            results = [tx.execute(statement) for statement in statements]
            return int(results[0].rowcount)

    def _first(self, query: Select[Any]) -> RowMapping | None:
        with self._tx() as tx:
            return tx.execute(query).mappings().first()

    def _all(self, query: Select[Any]) -> list[RowMapping]:
        with self._tx() as tx:
            return list(tx.execute(query).mappings())

    def _oldest_first(self, table: Table, column: str, value: str) -> list[RowMapping]:
        """The rows of ``table`` whose ``column`` holds ``value``, in the order they were made."""
        return self._all(select(table).where(table.c[column] == value).order_by(table.c.created))

    def delete_turn(self, stakeholder_id: str, index: int) -> bool:
        gone = self._write(
            turns.delete().where(
                turns.c.stakeholder_id == stakeholder_id,
                turns.c.index == index,
                turns.c.role == "stakeholder",
            )
        )
        return bool(gone)

    def set_turn_kind(self, turn_id: int, kind: str) -> None:
        self._write(update(turns).where(turns.c.id == turn_id).values(kind=kind))

    def close(self) -> None:
        self._engine.dispose()

    # workspaces --------------------------------------------------------------------------------

    def create_workspace(
        self, name: str, owner: str | None = None, pilot: dict[str, Any] | None = None
    ) -> Workspace:
        row = {"id": new_id(), "name": name, "owner": owner, "pilot": pilot or {}, "created": now()}
        self._write(insert(workspaces).values(**row))
        return Workspace(**row)

    def update_pilot(self, workspace_id: str, pilot: dict[str, Any]) -> None:
        self._write(update(workspaces).where(workspaces.c.id == workspace_id).values(pilot=pilot))

    def workspace(self, workspace_id: str) -> Workspace | None:
        row = self._first(select(workspaces).where(workspaces.c.id == workspace_id))
        return Workspace(**row) if row else None

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
        return [Workspace(**r) for r in self._all(query)]

    def grant(self, workspace_id: str, user: str, role: str = "owner") -> None:
        """Give ``user`` a role in the workspace (replacing any role they had)."""
        self._write(
            members.delete().where(members.c.workspace_id == workspace_id, members.c.user == user),
            insert(members).values(workspace_id=workspace_id, user=user, role=role),
        )

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
        self._write(
            insert(users).values(name=name, password_hash=password_hash, failures=0, created=now())
        )

    def user(self, name: str) -> dict[str, Any] | None:
        row = self._first(select(users).where(users.c.name == name))
        return dict(row) if row else None

    def user_names(self) -> list[str]:
        return [r["name"] for r in self._all(select(users.c.name).order_by(users.c.name))]

    def update_user(self, name: str, **values: Any) -> None:
        self._write(update(users).where(users.c.name == name).values(**values))

    def remove_user(self, name: str) -> bool:
        gone = self._write(
            users.delete().where(users.c.name == name),
            members.delete().where(members.c.user == name),
        )
        return bool(gone)

    # invitations -------------------------------------------------------------------------------

    def add_invite(self, stakeholder_id: str, created_by: str | None, expires: str) -> str:
        invite_id = new_id()
        self._write(
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
        row = self._first(select(invites).where(invites.c.id == invite_id))
        return dict(row) if row else None

    def invites_of(self, stakeholder_id: str) -> list[dict[str, Any]]:
        return [dict(r) for r in self._oldest_first(invites, "stakeholder_id", stakeholder_id)]

    def revoke_invites(self, stakeholder_id: str) -> int:
        return self._write(
            update(invites)
            .where(invites.c.stakeholder_id == stakeholder_id, invites.c.revoked.is_(False))
            .values(revoked=True)
        )

    def mark_invite_used(self, invite_id: str) -> None:
        self._write(update(invites).where(invites.c.id == invite_id).values(used=now()))

    # audit -------------------------------------------------------------------------------------

    def log(self, actor: str | None, action: str, target: str | None, detail: str = "") -> None:
        self._write(
            insert(audit).values(at=now(), actor=actor, action=action, target=target, detail=detail)
        )

    def audit_trail(self, target_prefix: str | None = None) -> list[dict[str, Any]]:
        query = select(audit).order_by(audit.c.id)
        if target_prefix is not None:
            query = query.where(audit.c.target.startswith(target_prefix))
        return [dict(r) for r in self._all(query)]

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
        self._write(insert(stakeholders).values(**row))
        return Stakeholder(**row)

    def stakeholder(self, stakeholder_id: str) -> Stakeholder | None:
        row = self._first(select(stakeholders).where(stakeholders.c.id == stakeholder_id))
        return Stakeholder(**row) if row else None

    def stakeholders(self, workspace_id: str) -> list[Stakeholder]:
        rows = self._oldest_first(stakeholders, "workspace_id", workspace_id)
        return [Stakeholder(**r) for r in rows]

    def set_finished(self, stakeholder_id: str, finished: bool) -> None:
        self._write(
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
        return [Turn(**r) for r in self._all(query)]

    # documents ---------------------------------------------------------------------------------

    def add_document(self, record: DocumentRecord) -> DocumentRecord:
        self._write(
            documents.delete().where(
                documents.c.workspace_id == record.workspace_id,
                documents.c.source == record.source,
            ),
            insert(documents).values(**record.model_dump()),
        )
        return record

    def documents(self, workspace_id: str) -> list[DocumentRecord]:
        rows = self._oldest_first(documents, "workspace_id", workspace_id)
        return [DocumentRecord(**r) for r in rows]

    def documents_in(self, status: str) -> list[DocumentRecord]:
        query = select(documents).where(documents.c.status == status)
        return [DocumentRecord(**r) for r in self._all(query)]

    def remove_document(self, workspace_id: str, source: str) -> None:
        self._write(
            documents.delete().where(
                documents.c.workspace_id == workspace_id, documents.c.source == source
            )
        )

    # drafts (assessments and plans) and views --------------------------------------------------

    def save_draft(self, workspace_id: str, kind: str, body: str) -> None:
        self._write(
            insert(drafts).values(workspace_id=workspace_id, kind=kind, body=body, created=now())
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
        row = self._first(select(views).where(views.c.id == view_id))
        return (dict(row["state"]), row["user"]) if row else None
