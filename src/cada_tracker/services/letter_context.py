"""The dictionary a letter template receives (the contract is in letters/README.md)."""

from __future__ import annotations

from datetime import date

from cada_tracker.designation import forms, salutation
from cada_tracker.models import Administration, Request, RequestedDocument
from cada_tracker.postal import PostalBlock, postal_block, typographic
from cada_tracker.services.admins import designation_of


def block_of(admin: Administration) -> PostalBlock:
    """The window block of ``admin`` as its letters print it (``cada_tracker.postal``)."""
    return postal_block(
        name=admin.name,
        addressee=admin.addressee,
        street_lines=admin.street.splitlines() if admin.street else [],
        postcode=admin.postcode,
        city=admin.city,
        prada_name=admin.prada_name,
    )


def window_problems(admin: Administration) -> list[str]:
    """What the window block of ``admin`` leaves out or shortens, in French, naming it."""
    return [f"« {admin.name} » : {problem}" for problem in block_of(admin).problems]


def window_problems_of(session, admin_ids: list[int]) -> list[str]:
    """:func:`window_problems` of each administration of ``admin_ids``, in that order;
    read in a few queries (a campaign to 500 administrations made 500 of them)."""
    from sqlmodel import select

    wanted = list(dict.fromkeys(admin_ids))
    by_id: dict[int, Administration] = {}
    for start in range(0, len(wanted), 500):  # within every back end's parameter limit
        chunk = wanted[start:start + 500]
        by_id |= {a.id: a for a in session.exec(
            select(Administration).where(Administration.id.in_(chunk)))}
    return [problem for admin_id in admin_ids for problem in window_problems(by_id[admin_id])]


def recipient_of(admin: Administration) -> dict:
    block = block_of(admin)
    # One apostrophe style in letters: directories write "l'Agence", letters "l’Agence".
    return {
        "name": typographic(admin.name),
        "addressee": typographic(admin.addressee) if admin.addressee else None,
        "street_lines": [typographic(line) for line in admin.street.splitlines()]
        if admin.street else [],
        "postcode": admin.postcode,
        "city": typographic(admin.city) if admin.city else admin.city,
        "email": admin.email,
        "prada_name": admin.prada_name,
        "prada_email": admin.prada_email,
        "postal_lines": list(block.lines),
        "postal_problems": list(block.problems),
        # "la commune de Nice" and its forms after à, de, par (cada_tracker.designation).
        "designation": forms(designation_of(admin)),
        "salutation": salutation(admin.addressee),
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
            "source_url": request.source_url,
        },
        "letter": {"date": letter_date, "place": request.sender_city, "tracking": tracking},
    }
    if extra:
        context.update(extra)
    return context
