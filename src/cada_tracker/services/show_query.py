"""``cada show`` without the ORM: the same rows as services/views.py, in plain SQL.

Importing the ORM (sqlmodel, the mapped classes) takes longer than showing a request.
This module reads the request and what belongs to it with one query per table
through a readdb.Reader (SQLite without SQLAlchemy), converts SQLite's text to the
types the ORM gives (dates, datetimes, booleans), and hands rows with the models'
attribute names to view_dict.request_dict: both paths print the same view
(tests/test_show_query.py compares them).

A missing reference is reported with close references found from the neighbours of
the reference in its unique index, not by comparing every stored reference.
"""

from __future__ import annotations

import difflib
from datetime import date, datetime
from types import SimpleNamespace

from cada_tracker.errors import NotFoundError
from cada_tracker.readdb import Reader, as_reader, in_list
from cada_tracker.services.view_dict import utc

_REQUEST = ("id", "reference", "status", "subject", "administration_id", "mode", "regime",
            "campaign", "template", "profile", "source_url", "sender_name", "sender_address",
            "sender_email", "sender_city", "sent_on", "received_on", "created_at",
            "next_action", "action_from", "action_due", "action_due_legal", "letter_html")
_EVENT = ("id", "kind", "on", "channel", "tracking", "outcome", "mentions", "got", "refused",
          "reason", "text", "cancels_id", "recorded_by", "created_at")
_FILE = ("id", "event_id", "original_name", "path", "sha256", "size")
_MESSAGE = ("id", "message_id", "direction", "state", "kind", "matched_by", "message_date",
            "sender", "recipients", "subject", "event_id", "sha256", "raw_file_id",
            "download_until")

_DATES = {"sent_on", "received_on", "action_from", "action_due", "action_due_legal", "on",
          "download_until"}
_DATETIMES = {"created_at", "message_date"}
_BOOLEANS = {"mentions"}

CLOSE_NEIGHBOURS = 50  # references read on each side of a missing one, in index order


def _value(column: str, value):
    """SQLite's stored text (or integer) as the type the ORM gives; PostgreSQL's as is."""
    if value is None:
        return None
    if column in _DATES and isinstance(value, str):
        return date.fromisoformat(value)
    if column in _DATETIMES:  # in UTC, as sqlmodel's UTCDateTime gives them
        return utc(datetime.fromisoformat(value) if isinstance(value, str) else value)
    if column in _BOOLEANS and isinstance(value, int):
        return bool(value)
    return value


def _objects(db: Reader, table: str, columns: tuple[str, ...], where: str, order: str,
             params: dict) -> list[SimpleNamespace]:
    listed = ", ".join(f'"{c}"' for c in columns)
    sql = f"SELECT {listed} FROM {table} WHERE {where} ORDER BY {order}"
    return [SimpleNamespace(**{c: _value(c, v) for c, v in zip(columns, row, strict=True)})
            for row in db.rows(sql, params)]


#: Longer than any reference cada makes (year-number, requests.next_reference): none
#: contains such a text, and SQLite refuses a LIKE pattern over 50,000 bytes.
LONGEST_REFERENCE = 200


def close_references(connection, reference: str) -> list[str]:
    """Up to five stored references close to ``reference`` (a typo's likely targets):
    the closest of its neighbours in the index, else those containing it."""
    db = as_reader(connection)
    around = [ref for (ref,) in db.rows(
        "SELECT reference FROM request WHERE reference < :ref ORDER BY reference DESC "
        "LIMIT :n", {"ref": reference, "n": CLOSE_NEIGHBOURS})]
    around += [ref for (ref,) in db.rows(
        "SELECT reference FROM request WHERE reference > :ref ORDER BY reference LIMIT :n",
        {"ref": reference, "n": CLOSE_NEIGHBOURS})]
    close = difflib.get_close_matches(reference, sorted(around), n=5, cutoff=0.5)
    if close or not reference or len(reference) > LONGEST_REFERENCE:
        return close
    pattern = "%" + reference.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    # LIKE ignores ASCII case on SQLite: the exact containment is checked here.
    found = [ref for (ref,) in db.rows(
        "SELECT reference FROM request WHERE reference LIKE :pattern ESCAPE '\\' "
        "ORDER BY reference LIMIT 100", {"pattern": pattern})]
    return [ref for ref in found if reference in ref][:5]


def not_found(connection, reference: str) -> NotFoundError:
    close = close_references(connection, reference)
    hint = f" Références proches : {', '.join(close)}." if close else ""
    return NotFoundError(f"Aucune demande de référence « {reference} ».{hint}")


def show_view(connection, reference: str) -> tuple[dict, str]:
    """The view of request ``reference`` (as views.request_view) and its letter."""
    from cada_tracker.services.view_dict import message_dicts, request_dict

    db = as_reader(connection)
    ref = reference.strip()
    found = _objects(db, "request", _REQUEST, "reference = :ref", "id", {"ref": ref})
    if not found:
        raise not_found(db, ref)
    request = found[0]
    admins = _objects(db, "administration", ("id", "name", "department"), "id = :id", "id",
                      {"id": request.administration_id})
    if not admins:
        (count,) = db.first("SELECT COUNT(*) FROM administration")
        raise NotFoundError(f"Aucune administration n° {request.administration_id} ({count} "
                            "dans l'annuaire ; voir cada admin list).")
    admin = admins[0]
    by_request = {"id": request.id}
    messages = _objects(db, "mail_message", _MESSAGE, "request_id = :id",
                        "message_date, id", by_request)
    files: dict[int, list] = {}
    event_ids = [m.event_id for m in messages if m.event_id is not None]
    if event_ids:
        listed, params = in_list("event", event_ids)
        for f in _objects(db, "stored_file", _FILE, f"event_id IN {listed}", "id", params):
            files.setdefault(f.event_id, []).append(f)
    view = request_dict(
        request, admin,
        admin_tags=[t for (t,) in db.rows(
            "SELECT tag FROM administration_tag WHERE administration_id = :id ORDER BY tag",
            {"id": admin.id})],
        tags=[t for (t,) in db.rows(
            "SELECT tag FROM request_tag WHERE request_id = :id ORDER BY tag", by_request)],
        documents=_objects(db, "requested_document", ("position", "description", "outcome"),
                           "request_id = :id", "position", by_request),
        events=_objects(db, "event", _EVENT, "request_id = :id", "id", by_request),
        files=_objects(db, "stored_file", _FILE, "request_id = :id", "id", by_request),
        messages=message_dicts(messages, files))
    return view, request.letter_html
