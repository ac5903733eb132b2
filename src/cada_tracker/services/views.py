"""What ``cada show`` and ``--json`` print, read through the ORM (view_dict.py builds
the documented JSON shape; show_query.py reads the same rows without the ORM)."""

from __future__ import annotations

from sqlmodel import Session

from cada_tracker.models import Event, Request
from cada_tracker.services.admins import admin_tags, get_admin
from cada_tracker.services.events import events_of, files_of
from cada_tracker.services.requests import documents_of, request_tags
from cada_tracker.services.view_dict import event_as_dict, request_dict


def recorded_as_dict(session: Session, event: Event) -> dict:
    """The JSON of an event just recorded, with its number and the numbers it cites."""
    numbers = {e.id: n for n, e in enumerate(events_of(session, event.request_id), start=1)}
    return event_as_dict(event, {}, numbers.get(event.id), numbers)


def request_view(session: Session, request: Request) -> dict:
    from cada_tracker.services.mail_in import messages_of

    admin = get_admin(session, request.administration_id)
    return request_dict(
        request, admin, admin_tags=admin_tags(session, admin.id),
        tags=request_tags(session, request.id), documents=documents_of(session, request.id),
        events=events_of(session, request.id), files=files_of(session, request.id),
        messages=messages_of(session, request.id))
