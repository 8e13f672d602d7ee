"""Session tables: the schema below -> the SQLAlchemy tables of the session store.

The schema is data: per table, its columns in order, each written ``name TYPE flags`` with
TYPE one of ``varchar(N)``, ``integer``, ``text``, ``boolean``, ``json`` and the flags

- ``key``: part of the primary key (``autoincrement``: numbered by the database);
- ``null``: may be empty (any other column that is not part of the key is required);
- ``index``: indexed;
- ``->TABLE``: refers to the ``id`` of a record of TABLE;
- ``default=VALUE``: what is written when no value is given (``0``, ``false``, ``{}``).

The names, types and constraints are those of databases already in use: change them only with
a migration in ``session_engine``. Timestamps are ISO 8601 text (``now()``), record keys
``new_id()`` text.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeEngine

_SCHEMA: dict[str, tuple[str, ...]] = {
    "workspaces": (
        "id varchar(32) key",
        "name varchar(200)",
        "owner varchar(200) null index",
        "pilot json default={}",
        "created varchar(40)",
    ),
    "grants": (
        "workspace_id varchar(32) ->workspaces key",
        "user varchar(200) key",
    ),
    "members": (
        "workspace_id varchar(32) ->workspaces key",
        "user varchar(200) key",
        "role varchar(20)",
    ),
    "users": (
        "name varchar(200) key",
        "password_hash varchar(300)",
        "failures integer default=0",
        "locked_until varchar(40) null",
        "created varchar(40)",
    ),
    "invites": (
        "id varchar(32) key",
        "stakeholder_id varchar(32) ->stakeholders index",
        "created_by varchar(200) null",
        "created varchar(40)",
        "expires varchar(40)",
        "revoked boolean default=false",
        "used varchar(40) null",
    ),
    "audit": (
        "id integer key autoincrement",
        "at varchar(40)",
        "actor varchar(200) null",
        "action varchar(40)",
        "target varchar(300) null",
        "detail text null",
    ),
    "stakeholders": (
        "id varchar(32) key",
        "workspace_id varchar(32) ->workspaces index",
        "name varchar(200)",
        "role varchar(200)",
        "role_id varchar(40) null",
        "finished boolean default=false",
        "created varchar(40)",
    ),
    "turns": (
        "id integer key autoincrement",
        "stakeholder_id varchar(32) ->stakeholders",
        "index integer",
        "role varchar(20)",
        "content text",
        "kind varchar(20)",
        "probe_id varchar(40) null",
        "pattern varchar(40) null",
        "created varchar(40)",
        "answers integer null",
    ),
    "documents": (
        "id varchar(32) key",
        "workspace_id varchar(32) ->workspaces index",
        "source varchar(300)",
        "sha256 varchar(64) null",
        "status varchar(20)",
        "pages integer default=0",
        "chunks integer default=0",
        "error text null",
        "created varchar(40)",
    ),
    "drafts": (
        "id integer key autoincrement",
        "workspace_id varchar(32) ->workspaces index",
        "kind varchar(20)",
        "body text",
        "created varchar(40)",
    ),
    "views": (
        "id varchar(32) key",
        "user varchar(200) null",
        "state json default={}",
        "updated varchar(40)",
    ),
}

_TYPES: dict[str, type[TypeEngine[Any]]] = {
    "integer": Integer,
    "text": Text,
    "boolean": Boolean,
    "json": JSON,
}
_DEFAULTS: dict[str, Any] = {"default=0": 0, "default=false": False, "default={}": dict}
_FLAGS = {"key", "autoincrement", "null", "index"}
_VARCHAR = re.compile(r"varchar\((\d+)\)")

metadata = MetaData()


def now() -> str:
    """The current moment, as stored in timestamp columns."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def new_id() -> str:
    """A fresh record key."""
    return uuid.uuid4().hex[:16]


def _column(spec: str) -> Column[Any]:
    """One ``name TYPE flags`` line of the schema -> its column."""
    name, kind, *flags = spec.split()
    varchar = _VARCHAR.fullmatch(kind)
    type_: TypeEngine[Any] | type[TypeEngine[Any]] = (
        String(int(varchar.group(1))) if varchar else _TYPES[kind]
    )
    references = [ForeignKey(f"{flag[2:]}.id") for flag in flags if flag.startswith("->")]
    unknown = [f for f in flags if f not in _FLAGS and f not in _DEFAULTS and f[:2] != "->"]
    if unknown:
        raise ValueError(f"Unknown flags {unknown} in the session schema: {spec!r}")
    options: dict[str, Any] = (
        {"primary_key": True} if "key" in flags else {"nullable": "null" in flags}
    )
    if "autoincrement" in flags:
        options["autoincrement"] = True
    if "index" in flags:
        options["index"] = True
    for flag in flags:
        if flag in _DEFAULTS:
            options["default"] = _DEFAULTS[flag]
    return Column(name, type_, *references, **options)


def _table(name: str, *constraints: UniqueConstraint) -> Table:
    return Table(name, metadata, *(_column(spec) for spec in _SCHEMA[name]), *constraints)


workspaces = _table("workspaces")
grants = _table("grants")
members = _table("members")
users = _table("users")
invites = _table("invites")
audit = _table("audit")
stakeholders = _table("stakeholders")
turns = _table("turns", UniqueConstraint("stakeholder_id", "index", name="uq_turn_position"))
documents = _table("documents")
drafts = _table("drafts")
views = _table("views")
