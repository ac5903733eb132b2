"""The user's SQLite database opened with the standard library, for a read that
needs nothing else first (``cada list --csv``).

Importing SQLAlchemy costs about as much as streaming 100,000 requests. When the
database is an SQLite file cada has already opened (WAL mode), at the current
schema, with no interrupted file write to clean up, a report can read it through
``sqlite3`` alone; otherwise :func:`current_sqlite` returns None and the command
takes the usual way (``cli.common.reading``), which creates, refuses, upgrades or
cleans up as it always does.
"""

from __future__ import annotations

import sqlite3

from cada_tracker.faults import busy_timeout
from cada_tracker.paths import Locations
from cada_tracker.schema import SCHEMA_HEAD

_HEADER = b"SQLite format 3\x00"
_WAL = b"\x02\x02"  # bytes 18-19 of the header: the file is in WAL mode


def current_sqlite(loc: Locations) -> sqlite3.Connection | None:
    """A connection to ``loc``'s SQLite file if it can be read as it is, else None."""
    from cada_tracker.filestore import JOURNAL_DIR

    path = loc.sqlite_path
    if path is None or (loc.data_dir / JOURNAL_DIR).is_dir():
        return None
    try:
        with open(path, "rb") as fh:
            head = fh.read(100)
    except OSError:
        return None
    if not head.startswith(_HEADER) or head[18:20] != _WAL:
        return None
    connection = sqlite3.connect(path, timeout=busy_timeout())
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error:
        row = None
    if row is None or row[0] != SCHEMA_HEAD:
        connection.close()
        return None
    return connection
