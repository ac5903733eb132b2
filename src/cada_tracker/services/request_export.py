"""``cada list --csv`` from an SQLite file with the standard library alone.

The same rows, columns, order and escaping as ``request_list.export_rows`` (which
builds its statement with SQLAlchemy), written here as one plain statement that
``sqlite3`` runs: the export no longer pays SQLAlchemy's import (at 100,000
requests, half of what the rows cost). Text a spreadsheet would run as a formula
gets a leading ``'`` in the database, as there. A search (``--search``, whose
conditions ``services.like`` builds) and PostgreSQL take ``export_rows``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from cada_tracker.errors import InputError
from cada_tracker.escape import FORMULA_START
from cada_tracker.vocab import STATUSES, choice


@dataclass
class ListFilter:
    status: str | None = None
    admin_id: int | None = None
    campaign: str | None = None
    tag: str | None = None
    search: str | None = None
    sort: str = "reference"


SORT_NAMES = ("reference", "created", "sent", "status", "deadline", "admin")


def checked(f: ListFilter) -> str | None:
    """The status of ``f`` as stored; a French InputError for a bad sort or status."""
    if f.sort not in SORT_NAMES:
        raise InputError(f"--sort : « {f.sort} » inconnu (valeurs : {', '.join(SORT_NAMES)}).")
    return choice(f.status, STATUSES, field="--status") if f.status else None


# (name, expression, text to make inert): request_list.COLUMNS, in its order.
_COLUMNS = (("reference", "r.reference", True), ("status", "r.status", True),
            ("administration_id", "a.id", False), ("administration", "a.name", True),
            ("subject", "r.subject", True), ("campaign", "r.campaign", True),
            ("sent_on", "r.sent_on", False), ("received_on", "r.received_on", False),
            ("next_action", "r.next_action", True), ("next_deadline", "r.action_due", False))
HEADER = [name for name, _, _ in _COLUMNS]
_ORDER = {"reference": "r.reference", "created": "r.created_at, r.reference",
          "sent": "r.sent_on, r.reference", "status": "r.status, r.reference",
          "deadline": "r.action_due, r.reference", "admin": "a.name, r.reference"}
_STARTS = ", ".join(f"'{c}'" for c in FORMULA_START)


def _inert(expression: str) -> str:
    return (f"CASE WHEN substr({expression}, 1, 1) IN ({_STARTS}) "
            f"THEN '''' || {expression} ELSE {expression} END")


def export_sql(f: ListFilter, *, raw: bool = False) -> tuple[str, dict] | None:
    """The statement and parameters of the export of ``f``; None for a search."""
    status = checked(f)
    if f.search:
        return None
    where, params = [], {}
    if status:
        where.append("r.status = :status")
        params["status"] = status
    if f.admin_id is not None:
        where.append("r.administration_id = :admin_id")
        params["admin_id"] = f.admin_id
    if f.campaign:
        where.append("r.campaign = :campaign")
        params["campaign"] = f.campaign
    if f.tag:
        where.append("r.id IN (SELECT t.request_id FROM request_tag AS t WHERE t.tag = :tag)")
        params["tag"] = f.tag.lower()
    columns = ", ".join(_inert(e) if text and not raw else e for _, e, text in _COLUMNS)
    sql = (f"SELECT {columns} FROM request AS r "
           "JOIN administration AS a ON a.id = r.administration_id"
           + (f" WHERE {' AND '.join(where)}" if where else "")
           + f" ORDER BY {_ORDER[f.sort]}")
    return sql, params


def sqlite_export(loc, f: ListFilter, *, raw: bool = False) -> Iterator[tuple] | None:
    """The rows of the export of ``f`` read by ``sqlite3``, streamed from the cursor,
    ready for ``csv.writer``; None when the export must take ``export_rows``."""
    statement = export_sql(f, raw=raw)
    if statement is None:
        return None
    from cada_tracker.readdb import sqlite_reader

    db = sqlite_reader(loc)
    if db is None:
        return None
    return _stream(db, *statement)


def _stream(db, sql: str, params: dict) -> Iterator[tuple]:
    try:
        yield from db.rows(sql, params)
    finally:
        db.close()
