"""Read-only SQL for the commands that only read (overdue, show), without SQLAlchemy.

Importing SQLAlchemy costs about 0.4 s, more than ``cada overdue``'s queries on an
archive of 100,000 requests. So an SQLite database that is already at the current
schema (``storage.SCHEMA_HEAD``) is read with the standard library's ``sqlite3``.
Anything else — PostgreSQL, a file to create, refuse or upgrade, files left by an
interrupted command — goes through ``open_engine`` like every other command (its
checks, upgrades and French messages), and the same SQL text runs on its
SQLAlchemy connection.

SQL is written with ``:name`` parameters, which both ``sqlite3`` and SQLAlchemy's
``text`` understand; a ``date`` parameter is given to SQLite as ISO text, the way
the ORM stores it. Rows are plain tuples: dates come back as ISO text from SQLite
and as ``date`` objects from PostgreSQL (see ``dates.stored_date_parser``).
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime


class Reader:
    """One read-only transaction: ``rows(sql, params)`` gives the result's tuples."""

    def __init__(self, connection, dialect: str, *, owned: bool = False):
        self._connection = connection
        self.dialect = dialect
        self._owned = owned  # an sqlite3 connection this reader opened, and closes

    def rows(self, sql: str, params: dict | None = None):
        params = params or {}
        if self._owned:
            return self._connection.execute(sql, {
                k: v.isoformat() if isinstance(v, date) and not isinstance(v, datetime) else v
                for k, v in params.items()})
        from sqlalchemy import text

        return self._connection.execute(text(sql), params)

    def all(self, sql: str, params: dict | None = None) -> list[tuple]:
        """Every row as a tuple; an SQLite error becomes cada's French StorageError."""
        if not self._owned:
            return [tuple(row) for row in self.rows(sql, params)]
        try:
            return self.rows(sql, params).fetchall()
        except sqlite3.Error as exc:
            from cada_tracker.errors import StorageError
            from cada_tracker.faults import storage_error

            known = storage_error(exc, None)
            raise (known or StorageError(f"Lecture de la base impossible : {exc}.")) from exc

    def first(self, sql: str, params: dict | None = None):
        """The first row, or None."""
        for row in self.rows(sql, params):
            return row
        return None

    def close(self) -> None:
        if self._owned:
            self._connection.rollback()
            self._connection.close()


def as_reader(connection) -> Reader:
    """A Reader over ``connection``: a Reader, or a SQLAlchemy connection or session."""
    if isinstance(connection, Reader):
        return connection
    if hasattr(connection, "connection") and not hasattr(connection, "dialect"):
        connection = connection.connection()  # an ORM session: its connection
    return Reader(connection, connection.dialect.name)


def in_list(name: str, values) -> tuple[str, dict]:
    """``(:name_0, :name_1, …)`` and its parameters, for ``column IN …``."""
    params = {f"{name}_{i}": v for i, v in enumerate(values)}
    return "(" + ", ".join(f":{k}" for k in params) + ")", params


def _journals_left(folder) -> bool:
    """Whether commands left journals of files to recover (see filestore.recover)."""
    try:
        return any(folder.iterdir())
    except (FileNotFoundError, NotADirectoryError):
        return False
    except OSError:
        return True  # unreadable: open_engine's recovery reports it


def sqlite_reader(locations) -> Reader | None:
    """A Reader on the SQLite file of ``locations`` if it can be read as it is, else None.

    None (the caller then goes through ``open_engine``) for PostgreSQL, a missing or
    foreign file, a file not yet in WAL mode (never opened by cada), another schema
    revision, a journal of files to recover, or any error opening it.
    """
    from cada_tracker.filestore import JOURNAL_DIR
    from cada_tracker.sqlite_file import SQLITE_HEADER
    from cada_tracker.storage import SCHEMA_HEAD

    path = locations.sqlite_path
    if path is None or _journals_left(locations.data_dir / JOURNAL_DIR):
        return None
    try:
        with open(path, "rb") as fh:
            head = fh.read(100)
    except OSError:
        return None
    if not head.startswith(SQLITE_HEADER) or head[18:20] != b"\x02\x02":
        return None
    from cada_tracker.faults import busy_timeout

    connection = None
    try:
        connection = sqlite3.connect(path, timeout=busy_timeout(), isolation_level=None)
        connection.execute("PRAGMA query_only=ON")
        connection.execute("BEGIN")
        revision = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.Error:
        if connection is not None:
            connection.close()
        return None
    if revision != [(SCHEMA_HEAD,)]:
        connection.close()
        return None
    return Reader(connection, "sqlite", owned=True)
