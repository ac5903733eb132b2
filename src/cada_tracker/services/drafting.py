"""Drafting many requests without holding the write lock while their letters render.

A 5,000-recipient ``cada new`` rendered every letter inside its write
transaction: every other member's command waited for it, then failed. Here the
administrations and the year's last reference are read first, the letters are
rendered with no transaction open, using the references that will follow; the
write transaction then only checks that nobody took those references meanwhile
(under the reference lock) and inserts everything at once. When somebody did,
everything is prepared again; after three tries, the letters are rendered inside
the write transaction, as before.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date
from pathlib import Path

from sqlmodel import Session, select

from cada_tracker.models import Administration, Request, RequestedDocument, RequestTag
from cada_tracker.profiles import Profile
from cada_tracker.services.letter_context import letter_context
from cada_tracker.services.requests import (
    Draft,
    Selection,
    _lock_references,
    _validate,
    draft_campaign,
    next_reference,
    select_administrations,
)

OpenSession = Callable[..., AbstractContextManager[Session]]
TRIES = 3


def draft_many(
    open_session: OpenSession, *, draft: Draft, selection: Selection, profile: Profile,
    today: date, user_letters: Path | None,
) -> list[Request]:
    """One request per selected administration, committed in one short transaction.

    ``open_session(write=...)`` opens a transaction (``cli.common.session``).
    """
    for _ in range(TRIES):
        with open_session(write=False) as s:
            admins = _administrations(s, selection)
            first = next_reference(s, today.year)
        prepared = _prepare(draft, admins, profile=profile, today=today,
                            user_letters=user_letters, first=first)
        with open_session(write=True) as s:
            _lock_references(s)
            if next_reference(s, today.year) == first:
                return _insert(s, prepared)
    with open_session(write=True) as s:  # a busy day: render under the lock
        return draft_campaign(s, draft=draft, admin_ids=select_administrations(s, selection),
                              profile=profile, today=today, user_letters=user_letters)


def _administrations(session: Session, selection: Selection) -> list[Administration]:
    ids = select_administrations(session, selection)
    by_id = {a.id: a for a in session.exec(select(Administration)
                                           .where(Administration.id.in_(ids)))}
    return [by_id[i] for i in ids]


_Prepared = tuple[Request, list[RequestedDocument], list[str]]


def _prepare(draft: Draft, admins: list[Administration], *, profile: Profile, today: date,
             user_letters: Path | None, first: str) -> list[_Prepared]:
    from cada_tracker import letters

    _name_campaign(draft, len(admins), today)
    year, _, number = first.partition("-")
    prepared = []
    for offset, admin in enumerate(admins):
        d = _validate(Draft(**{**draft.__dict__, "administration_id": admin.id,
                               "documents": list(draft.documents), "tags": list(draft.tags)}))
        request = Request(
            reference=f"{year}-{int(number) + offset:04d}", administration_id=admin.id,
            subject=d.subject, mode=d.mode, regime=d.regime, campaign=d.campaign,
            template=d.template, profile=profile.key, sender_name=profile.name,
            sender_address=profile.address, sender_email=profile.email,
            sender_city=profile.city,
        )
        documents = [RequestedDocument(position=i, description=text)
                     for i, text in enumerate(d.documents, start=1)]
        context = letter_context(request=request, admin=admin, documents=documents,
                                 letter_date=today)
        request.letter_html = letters.render(d.template, context, user_dir=user_letters)
        prepared.append((request, documents, d.tags))
    return prepared


def _insert(session: Session, prepared: list[_Prepared]) -> list[Request]:
    requests = [request for request, _, _ in prepared]
    session.add_all(requests)
    session.flush()
    for request, documents, tags in prepared:
        for doc in documents:
            doc.request_id = request.id
        session.add_all(documents)
        session.add_all(RequestTag(request_id=request.id, tag=tag) for tag in tags)
    session.flush()
    return requests


def _name_campaign(draft: Draft, count: int, today: date) -> None:
    """Several recipients make a campaign: named after the day and subject if unnamed."""
    if count > 1 and not (draft.campaign or "").strip():
        draft.campaign = f"{today:%Y-%m-%d} {draft.subject.strip()[:50]}"


def count_recipients(session: Session, selection: Selection) -> int:
    return len(select_administrations(session, selection))


def preview_many(
    session: Session, *, draft: Draft, selection: Selection, profile: Profile, today: date,
    user_letters: Path | None,
) -> tuple[Draft, list[tuple[str, Administration]]]:
    """What ``draft_many`` would create, written nowhere: the validated draft and the
    (reference, administration) of each request. The first letter is rendered, so a
    template that cannot be filled fails here as it would for real."""
    admins = _administrations(session, selection)
    first = next_reference(session, today.year)
    checked = Draft(**{**draft.__dict__, "documents": list(draft.documents),
                       "tags": list(draft.tags)})
    _prepare(checked, admins[:1], profile=profile, today=today, user_letters=user_letters,
             first=first)
    checked = _validate(checked)
    _name_campaign(checked, len(admins), today)
    year, _, number = first.partition("-")
    return checked, [(f"{year}-{int(number) + i:04d}", a) for i, a in enumerate(admins)]
