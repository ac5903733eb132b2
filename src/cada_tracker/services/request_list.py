"""``cada list``: the requests matching some filters, a page at a time or streamed.

Plain SQL over a connection (``cli.common.reading``), without the ORM models, like
``cada overdue``: only the columns shown are selected, the total is a ``COUNT``, a
page is a ``LIMIT``/``OFFSET`` read along an index of its sort order (migration
0013), and an export is streamed from the cursor (a server-side cursor on
PostgreSQL), so memory stays flat whatever the number of requests. The same SQL runs
on SQLite and PostgreSQL. Dates come back as ISO text from SQLite and as ``date``
from PostgreSQL; :func:`page` returns ``date`` on both.

    >>> f = ListFilter(status="sent", sort="deadline")
    >>> count_requests(conn, f), page(conn, f, number=2, size=50)   # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import case, column, func, literal, select, table

from cada_tracker.dates import stored_date_parser
from cada_tracker.escape import FORMULA_START
from cada_tracker.services.like import every_word, key_like
from cada_tracker.services.request_export import ListFilter, checked

__all__ = ["ListFilter", "count_requests", "export_rows", "page"]

_request = table("request", *map(column, (
    "id", "reference", "administration_id", "subject", "campaign", "search_key",
    "status", "sent_on", "received_on", "next_action", "action_due", "created_at")))
_admin = table("administration", column("id"), column("name"), column("search_key"))
_tag = table("request_tag", column("request_id"), column("tag"))
_document = table("requested_document", column("request_id"), column("search_key"))
r, a = _request.c, _admin.c

SORTS = {
    "reference": (r.reference,),
    "created": (r.created_at, r.reference),
    "sent": (r.sent_on, r.reference),
    "status": (r.status, r.reference),
    "deadline": (r.action_due, r.reference),
    "admin": (a.name, r.reference),
}
COLUMNS = {  # what a page holds and --csv/--json write, in this order
    "reference": r.reference,
    "status": r.status,
    "administration_id": a.id,
    "administration": a.name,
    "subject": r.subject,
    "campaign": r.campaign,
    "sent_on": r.sent_on,
    "received_on": r.received_on,
    "next_action": r.next_action,
    "next_deadline": r.action_due,
}
TEXT = ("reference", "status", "administration", "subject", "campaign", "next_action")
DATES = ("sent_on", "received_on", "next_deadline")
STREAM_CHUNK = 2_000  # rows fetched at a time by an export


def _conditions(f: ListFilter) -> tuple[list, bool]:
    """The WHERE conditions of ``f`` (bad values refused in French), and whether one
    of them reads the administration."""
    status = checked(f)
    where = []
    if status:
        where.append(r.status == status)
    if f.admin_id is not None:
        where.append(r.administration_id == f.admin_id)
    if f.campaign:
        where.append(r.campaign == f.campaign)
    if f.tag:
        where.append(r.id.in_(select(_tag.c.request_id).where(_tag.c.tag == f.tag.lower())))
    if f.search:  # each word in the request, one of its documents or its administration
        where.append(every_word(
            f.search, key_like(r.search_key), key_like(a.search_key),
            lambda p: r.id.in_(select(_document.c.request_id).where(
                key_like(_document.c.search_key)(p)))))
    return where, bool(f.search)


def _rows(f: ListFilter, columns: list):
    where, _ = _conditions(f)
    joined = _request.join(_admin, a.id == r.administration_id)
    return select(*columns).select_from(joined).where(*where).order_by(*SORTS[f.sort])


def count_requests(connection, f: ListFilter) -> int:
    """How many requests match ``f``, counted by the database (the administration is
    joined only when the search reads it: every request has one)."""
    where, needs_admin = _conditions(f)
    source = _request.join(_admin, a.id == r.administration_id) if needs_admin else _request
    return connection.execute(select(func.count()).select_from(source).where(*where)).scalar()


def page(connection, f: ListFilter, *, number: int = 1, size: int | None) -> list[dict]:
    """Page ``number`` (from 1) of ``size`` rows as dicts of ``COLUMNS`` (every row
    when ``size`` is None), dates as ``date``."""
    query = _rows(f, [c.label(name) for name, c in COLUMNS.items()])
    if size is not None:
        query = query.limit(size).offset((number - 1) * size)
    parse = stored_date_parser()
    rows = []
    for row in connection.execute(query).mappings():
        item = dict(row)
        for name in DATES:
            item[name] = parse(item[name])
        rows.append(item)
    return rows


def _csv_safe(column):
    """``column`` as :func:`cada_tracker.escape.csv_cell` writes it, computed by the
    database: text a spreadsheet would run as a formula gets a leading ``'`` (as
    ``request_export`` does in plain SQL)."""
    return case((func.substr(column, 1, 1).in_(FORMULA_START), literal("'") + column),
                else_=column)


def export_rows(connection, f: ListFilter, *, raw: bool = False) -> Iterator[tuple]:
    """Every matching row, ``COLUMNS`` in order, streamed ``STREAM_CHUNK`` rows at a
    time. The cells are ready for ``csv.writer``: text made inert by the database
    unless ``raw``, ``None`` for an empty cell, dates as ISO text or ``date`` (both
    written ``YYYY-MM-DD``)."""
    columns = [c.label(name) if raw or name not in TEXT else _csv_safe(c).label(name)
               for name, c in COLUMNS.items()]
    streaming = connection.execution_options(stream_results=True, yield_per=STREAM_CHUNK)
    return iter(streaming.execute(_rows(f, columns)))
