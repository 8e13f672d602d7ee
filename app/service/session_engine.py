"""Session engine: a database URL -> an open, up-to-date SQLAlchemy engine, and transactions.

SQLite (write-ahead log, foreign keys on, a generous busy timeout) or any other URL SQLAlchemy
knows, PostgreSQL in practice, with a pool checked before use. Opening creates the missing
tables and adds the columns introduced since a database was made, so data dirs from earlier
versions still open. Database failures become ``SessionStoreError`` with a message that says
what to check; a URL in a message never shows its password.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.exc import SQLAlchemyError

from app.errors import SessionStoreError
from app.service.session_tables import metadata


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def open_engine(url: str) -> Engine:
    """An engine on ``url`` whose database holds every session table and column."""
    try:
        if url.startswith("sqlite"):
            engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
            event.listen(engine, "connect", _sqlite_pragmas)
        else:
            engine = create_engine(url, pool_pre_ping=True, pool_size=10)
        metadata.create_all(engine)
        _add_columns(engine)
    except SQLAlchemyError as exc:
        raise SessionStoreError(
            f"Cannot open the session database ({_safe(url)}): {exc.__class__.__name__}. "
            "Check ADVISOR_DATABASE_URL and that the database server is running."
        ) from exc
    return engine


def _add_columns(engine: Engine) -> None:
    """Columns added since a database was created (create_all makes tables, not columns)."""
    present = {c["name"] for c in inspect(engine).get_columns("turns")}
    if "answers" not in present:
        with engine.begin() as connection:
            connection.execute(text("ALTER TABLE turns ADD COLUMN answers INTEGER"))


@contextmanager
def transaction(engine: Engine) -> Iterator[Connection]:
    """One transaction, committed on leaving the block; a database failure rolls it back and
    is raised as ``SessionStoreError``."""
    try:
        with engine.begin() as connection:
            yield connection
    except SessionStoreError:
        raise
    except SQLAlchemyError as exc:
        raise SessionStoreError(
            f"The session database failed ({exc.__class__.__name__}); nothing was changed. "
            "Try again; if it persists, check the database server."
        ) from exc


def _safe(url: str) -> str:
    """The URL without its password, for messages and logs."""
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    credentials, host = rest.rsplit("@", 1)
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}"
