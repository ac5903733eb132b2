"""The dictionary a letter template receives (the contract is in letters/README.md)."""

from __future__ import annotations

from datetime import date

from cada_tracker.models import Administration, Request, RequestedDocument


def recipient_of(admin: Administration) -> dict:
    return {
        "name": admin.name,
        "addressee": admin.addressee,
        "street_lines": admin.street.splitlines() if admin.street else [],
        "postcode": admin.postcode,
        "city": admin.city,
        "email": admin.email,
        "prada_name": admin.prada_name,
        "prada_email": admin.prada_email,
    }


def sender_of(request: Request) -> dict:
    return {
        "name": request.sender_name,
        "address_lines": [line for line in request.sender_address.splitlines() if line.strip()],
        "email": request.sender_email,
        "city": request.sender_city,
    }


def documents_of(documents: list[RequestedDocument]) -> list[dict]:
    return [
        {"position": d.position, "description": d.description, "outcome": d.outcome}
        for d in sorted(documents, key=lambda d: d.position)
    ]


def letter_context(
    *,
    request: Request,
    admin: Administration,
    documents: list[RequestedDocument],
    letter_date: date,
    channel: str | None = None,
    tracking: str | None = None,
    extra: dict | None = None,
) -> dict:
    context = {
        "sender": sender_of(request),
        "recipient": recipient_of(admin),
        "request": {
            "reference": request.reference,
            "subject": request.subject,
            "mode": request.mode,
            "regime": request.regime,
            "campaign": request.campaign,
            "documents": documents_of(documents),
            "sent_on": request.sent_on,
            "received_on": request.received_on,
            "channel": channel,
            "tracking": tracking,
        },
        "letter": {"date": letter_date, "place": request.sender_city, "tracking": tracking},
    }
    if extra:
        context.update(extra)
    return context
