"""What ``cada show`` and ``--json`` print: plain dicts, the documented JSON shape."""

from __future__ import annotations

from sqlmodel import Session

from cada_tracker.models import Event, Request
from cada_tracker.services.admins import admin_tags, get_admin
from cada_tracker.services.events import events_of, files_of
from cada_tracker.services.requests import documents_of, request_tags


def event_as_dict(e: Event, cancelled_by: dict[int, int], number: int | None = None,
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


def recorded_as_dict(session: Session, event: Event) -> dict:
    """The JSON of an event just recorded, with its number and the numbers it cites."""
    numbers = {e.id: n for n, e in enumerate(events_of(session, event.request_id), start=1)}
    return event_as_dict(event, {}, numbers.get(event.id), numbers)


def clock_view(request: Request, admin, events: list[Event], documents: int) -> dict:
    """The request's deadlines, computed live with their explanations."""
    from cada_tracker.deadlines import result_as_dict
    from cada_tracker.services.clock import legal_result
    from cada_tracker.services.events import as_ev

    result = legal_result(request, admin, [as_ev(e) for e in events], documents)
    data = result_as_dict(result)
    data["next_action"] = {
        "kind": request.next_action,
        "from": request.action_from,
        "due": request.action_due,
        "legal_due": request.action_due_legal,
    }
    return data


def request_view(session: Session, request: Request) -> dict:
    from cada_tracker.services.mail_in import messages_of

    admin = get_admin(session, request.administration_id)
    events = events_of(session, request.id)
    documents = documents_of(session, request.id)
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
            "tags": admin_tags(session, admin.id),
        },
        "mode": request.mode,
        "regime": request.regime,
        "campaign": request.campaign,
        "tags": request_tags(session, request.id),
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
            for f in files_of(session, request.id)
        ],
        "messages": messages_of(session, request.id),
    }
