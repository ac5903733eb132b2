"""The JSON shape of ``cada show``, built from rows read by the ORM or by plain SQL.

Pure: ``request_dict`` takes objects with the models' attribute names (ORM rows,
or the plain rows of services/show_query.py) and imports neither the ORM nor the
database, so both ways of reading a request print the same view.
"""

from __future__ import annotations

from datetime import UTC, datetime


def event_as_dict(e, cancelled_by: dict[int, int], number: int | None = None,
                  numbers: dict[int, int] | None = None) -> dict:
    """An event as JSON: ``id`` is global, ``number`` its rank within its request;
    ``numbers`` (id → number) gives those of the events it cancels or is cancelled by."""
    numbers = numbers or {}
    return {
        "id": e.id,
        "number": number,
        "kind": e.kind,
        "on": e.on,
        "channel": e.channel,
        "tracking": e.tracking,
        "outcome": e.outcome,
        "mentions": e.mentions,
        "got": [int(p) for p in e.got.split(",")] if e.got else [],
        "refused": [int(p) for p in e.refused.split(",")] if e.refused else [],
        "reason": e.reason,
        "text": e.text,
        "cancels": e.cancels_id,
        "cancels_number": numbers.get(e.cancels_id),
        "cancelled_by": cancelled_by.get(e.id),
        "cancelled_by_number": numbers.get(cancelled_by.get(e.id)),
        "recorded_by": e.recorded_by,
        "recorded_at": e.created_at,
    }


def clock_view(request, admin, events: list, documents: int) -> dict:
    """The request's deadlines, computed live with their explanations."""
    from cada_tracker.deadlines import result_as_dict
    from cada_tracker.services.clock import legal_result
    from cada_tracker.services.lifecycle import ev_of

    result = legal_result(request, admin, [ev_of(e) for e in events], documents)
    data = result_as_dict(result)
    data["next_action"] = {
        "kind": request.next_action,
        "from": request.action_from,
        "due": request.action_due,
        "legal_due": request.action_due_legal,
    }
    return data


def utc(value: datetime | None) -> datetime | None:
    """Message dates are stored in UTC; SQLite gives them back without their zone."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def message_dicts(rows: list, files: dict[int, list]) -> list[dict]:
    """The request's e-mails (``rows``, by date) with the files of their events."""
    out = []
    for r in rows:
        attached = [f for f in files.get(r.event_id, []) if f.id != r.raw_file_id]
        raw = next((f for f in files.get(r.event_id, []) if f.id == r.raw_file_id), None)
        out.append({"id": r.id, "message_id": r.message_id, "direction": r.direction,
                    "state": r.state, "kind": r.kind, "matched_by": r.matched_by,
                    "date": utc(r.message_date), "from": r.sender, "to": r.recipients,
                    "subject": r.subject, "event": r.event_id, "sha256": r.sha256,
                    "raw": raw.path if raw else None,
                    "files": [f.original_name for f in attached],
                    "download_until": r.download_until})
    return out


def request_dict(request, admin, *, admin_tags: list[str], tags: list[str], documents: list,
                 events: list, files: list, messages: list[dict]) -> dict:
    """What ``cada show --json`` prints for ``request`` (events in recording order)."""
    cancelled_by = {e.cancels_id: e.id for e in events if e.kind == "cancel"}
    numbers = {e.id: n for n, e in enumerate(events, start=1)}
    return {
        "reference": request.reference,
        "status": request.status,
        "subject": request.subject,
        "administration": {
            "id": admin.id,
            "name": admin.name,
            "department": admin.department,
            "tags": admin_tags,
        },
        "mode": request.mode,
        "regime": request.regime,
        "campaign": request.campaign,
        "tags": tags,
        "template": request.template,
        "profile": request.profile,
        "source_url": request.source_url,
        "sender": {
            "name": request.sender_name,
            "address": request.sender_address.splitlines(),
            "email": request.sender_email,
            "city": request.sender_city,
        },
        "sent_on": request.sent_on,
        "received_on": request.received_on,
        "created_at": request.created_at,
        "documents": [
            {"position": d.position, "description": d.description, "outcome": d.outcome}
            for d in documents
        ],
        "events": [event_as_dict(e, cancelled_by, numbers[e.id], numbers) for e in events],
        "deadlines": clock_view(request, admin, events, len(documents)),
        "files": [
            {"id": f.id, "event": f.event_id, "event_number": numbers.get(f.event_id),
             "name": f.original_name, "path": f.path,
             "sha256": f.sha256, "size": f.size}
            for f in files
        ],
        "messages": messages,
    }
