"""Reading an SQLite database with the standard library when nothing else is to be done.

``storage.open_db`` imports SQLAlchemy (a third of a second, most of what
``cada export REF`` costs its own process), checks the file, migrates. A command
that only reads and runs plain SQL needs none of that when the database is an
SQLite file cada has opened before (WAL mode) at the current schema, with no
stored file left to recover: :func:`open_current` then gives a ``sqlite3``
connection in one read transaction; otherwise ``None``, and the caller takes the
usual path (``cli.common.reading``), which does what has to be done. :class:`Rows`
runs the same SQL on either connection.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from cada_tracker.errors import StorageError
from cada_tracker.paths import Locations
from cada_tracker.schema_head import SCHEMA_HEAD

#: Bytes 18-19 of the header of an SQLite file in WAL mode (every file cada opened).
WAL_HEADER = b"\x02\x02"


def open_current(loc: Locations) -> sqlite3.Connection | None:
    """A connection to ``loc``'s SQLite database if it needs nothing but reading."""
    from cada_tracker.faults import busy_timeout
    from cada_tracker.filestore import JOURNAL_DIR

    path = loc.sqlite_path
    if path is None or (loc.data_dir / JOURNAL_DIR).exists():
        return None
    try:
        with open(path, "rb") as fh:
            head = fh.read(100)
    except OSError:
        return None
    if not head.startswith(b"SQLite format 3\x00") or head[18:20] != WAL_HEADER:
        return None
    timeout = busy_timeout()
    try:
        conn = sqlite3.connect(path, timeout=timeout, isolation_level=None)
    except sqlite3.Error:
        return None
    try:
        conn.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
        conn.execute("BEGIN")  # one snapshot for the whole command
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error:
        row = None
    if row is None or row[0] != SCHEMA_HEAD:
        conn.close()
        return None
    return conn


class Rows:
    """Plain SQL with ``:name`` parameters on a ``sqlite3`` or SQLAlchemy Core connection."""

    def __init__(self, connection: Any, url: str | None = None) -> None:
        self.connection = connection
        self.url = url
        self._core = not isinstance(connection, sqlite3.Connection)

    def all(self, sql: str, params: dict[str, Any] | None = None) -> list[tuple]:
        if self._core:
            from sqlalchemy import text

            return [tuple(row) for row in self.connection.execute(text(sql), params or {})]
        try:
            return self.connection.execute(sql, params or {}).fetchall()
        except sqlite3.Error as exc:
            from cada_tracker.faults import storage_error

            known = storage_error(exc, self.url)
            raise (known or StorageError(f"Lecture de la base impossible : {exc}.")) from exc


def expand(name: str, values: Sequence[Any]) -> tuple[str, dict[str, Any]]:
    """``(:name0, :name1…)`` and its parameters: a list in ``IN`` for both drivers."""
    params = {f"{name}{i}": value for i, value in enumerate(values)}
    return "(" + ", ".join(f":{key}" for key in params) + ")", params
