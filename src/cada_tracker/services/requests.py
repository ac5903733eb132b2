"""Requests: drafting (letter rendered and stored), finding by reference."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

from cada_tracker.errors import InputError, NotFoundError, StateError
from cada_tracker.models import (
    Administration,
    Request,
    RequestedDocument,
    RequestTag,
    utcnow,
)
from cada_tracker.profiles import Profile
from cada_tracker.services.admins import get_admin
from cada_tracker.services.letter_context import letter_context
from cada_tracker.services.series_rule import SERIES_THRESHOLD  # noqa: F401 - re-exported
from cada_tracker.textlimits import check_tags
from cada_tracker.vocab import MODES, REGIMES, choice


@dataclass
class Draft:
    administration_id: int
    subject: str
    documents: list[str]
    template: str = "demande"
    mode: str = "email"
    regime: str = "general"
    campaign: str | None = None
    tags: list[str] = field(default_factory=list)


#: Longest object line and campaign name. Both are short titles, and both are in the
#: overdue index, whose rows PostgreSQL limits to 2,704 bytes (4 bytes a character).
SUBJECT_MAX = 300
CAMPAIGN_MAX = 100
#: A document requested is one line of a numbered list; a letter lists at most this many.
DOCUMENT_MAX = 1000
DOCUMENTS_MAX = 200


def _validate(draft: Draft) -> Draft:
    if not draft.subject.strip():
        raise InputError("--subject : l'objet de la demande ne peut pas être vide.")
    if len(draft.subject.strip()) > SUBJECT_MAX:
        raise InputError(f"--subject : l'objet fait {len(draft.subject.strip())} caractères, "
                         f"{SUBJECT_MAX} au plus (détaillez plutôt les documents avec --doc).")
    if len((draft.campaign or "").strip()) > CAMPAIGN_MAX:
        raise InputError(f"--campaign : le nom de campagne fait plus de {CAMPAIGN_MAX} "
                         "caractères.")
    docs = [d.strip() for d in draft.documents if d.strip()]
    if not docs:
        raise InputError("--doc : indiquez au moins un document demandé.")
    if len(docs) > DOCUMENTS_MAX:
        raise InputError(f"--doc : {len(docs)} documents, {DOCUMENTS_MAX} au plus par demande.")
    for position, doc in enumerate(docs, start=1):
        if len(doc) > DOCUMENT_MAX:
            raise InputError(f"--doc n° {position} : {len(doc)} caractères, {DOCUMENT_MAX} au "
                             "plus (décrivez le document en une ligne).")
    draft.documents = docs
    draft.subject = draft.subject.strip()
    draft.mode = choice(draft.mode, MODES, field="--mode")
    draft.regime = choice(draft.regime, REGIMES, field="--regime")
    draft.campaign = (draft.campaign or "").strip() or None
    draft.tags = check_tags(sorted({t.strip().lower() for t in draft.tags if t.strip()}))
    return draft


def next_reference(session: Session, year: int) -> str:
    """The year's next ``YYYY-NNNN``; past 9999 the number grows a digit (10000 sorts
    before 9999 as text, so the longest reference is the latest)."""
    prefix = f"{year}-"
    last = session.exec(
        select(Request.reference).where(Request.reference.like(f"{prefix}%"))
        .order_by(func.length(Request.reference).desc(), Request.reference.desc()).limit(1)
    ).first()
    number = int(last.split("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:04d}"


def draft_request(
    session: Session, *, draft: Draft, profile: Profile, today: date, user_letters: Path | None
) -> Request:
    from cada_tracker import letters

    d = _validate(draft)
    admin = get_admin(session, d.administration_id)
    request = Request(
        reference="",
        administration_id=admin.id,
        subject=d.subject,
        mode=d.mode,
        regime=d.regime,
        campaign=d.campaign,
        template=d.template,
        profile=profile.key,
        sender_name=profile.name,
        sender_address=profile.address,
        sender_email=profile.email,
        sender_city=profile.city,
    )
    insert_with_reference(session, request, today.year)
    documents = [
        RequestedDocument(request_id=request.id, position=i, description=text)
        for i, text in enumerate(d.documents, start=1)
    ]
    session.add_all(documents)
    for tag in d.tags:
        session.add(RequestTag(request_id=request.id, tag=tag))
    context = letter_context(request=request, admin=admin, documents=documents, letter_date=today)
    request.letter_html = letters.render(d.template, context, user_dir=user_letters)
    session.add(request)
    session.flush()
    return request




@dataclass
class Selection:
    """Who a request goes to. Values of one flag add up; different flags intersect."""

    ids: list[int] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    departments: list[str] = field(default_factory=list)
    file_entries: list[tuple[int, str]] | None = None  # (line, id or name)

    def empty(self) -> bool:
        return not (self.ids or self.tags or self.kinds or self.departments
                    or self.file_entries is not None)


def select_administrations(session: Session, sel: Selection) -> list[int]:
    from cada_tracker.models import AdministrationTag
    from cada_tracker.services.admins import normalise_department
    from cada_tracker.vocab import ADMIN_KIND_ALIASES, ADMIN_KINDS

    query = select(Administration.id)
    if sel.ids:
        known = set(session.exec(select(Administration.id).where(Administration.id.in_(sel.ids))))
        missing = [i for i in sel.ids if i not in known]
        if missing:
            raise NotFoundError(f"--to : aucune administration n° {missing[0]} (cada admin list).")
        query = query.where(Administration.id.in_(sel.ids))
    if sel.tags:
        tags = [t.strip().lower() for t in sel.tags]
        query = query.where(Administration.id.in_(
            select(AdministrationTag.administration_id).where(AdministrationTag.tag.in_(tags))))
    if sel.kinds:
        kinds = [choice(k, ADMIN_KINDS, field="--to-kind", aliases=ADMIN_KIND_ALIASES)
                 for k in sel.kinds]
        query = query.where(Administration.kind.in_(kinds))
    if sel.departments:
        query = query.where(Administration.department.in_(
            [normalise_department(d) for d in sel.departments]))
    if sel.file_entries is not None:
        from cada_tracker.services.admin_match import ids_from_file

        query = query.where(Administration.id.in_(ids_from_file(session, sel.file_entries)))
    ids = list(session.exec(query.order_by(Administration.name, Administration.id)))
    if not ids:
        raise NotFoundError("Aucune administration ne correspond à cette sélection.")
    return ids


def draft_campaign(
    session: Session, *, draft: Draft, admin_ids: list[int], profile: Profile, today: date,
    user_letters: Path | None,
) -> list[Request]:
    """One request per administration, each with its own letter, in the caller's transaction."""
    if len(admin_ids) > 1 and not (draft.campaign or "").strip():
        draft.campaign = f"{today:%Y-%m-%d} {draft.subject.strip()[:50]}"
    requests = []
    for admin_id in admin_ids:
        one = Draft(**{**draft.__dict__, "administration_id": admin_id,
                       "documents": list(draft.documents), "tags": list(draft.tags)})
        requests.append(draft_request(session, draft=one, profile=profile, today=today,
                                      user_letters=user_letters))
    return requests


def insert_with_reference(session: Session, request: Request, year: int) -> None:
    """Insert ``request`` under the year's next reference (concurrent writers retry)."""
    _lock_references(session)
    for attempt in range(5):
        request.reference = next_reference(session, year)
        try:
            with session.begin_nested():
                session.add(request)
                session.flush()
            return
        except IntegrityError:
            if attempt == 4:
                raise


def _lock_references(session: Session) -> None:
    """Serialise reference allocation between concurrent writers.

    SQLite writers already hold the database's write lock (BEGIN IMMEDIATE); on
    PostgreSQL a transaction-scoped advisory lock does the same for this step.
    """
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy import text

        session.exec(text("SELECT pg_advisory_xact_lock(20260001)"))


def get_request(session: Session, reference: str) -> Request:
    ref = reference.strip()
    request = session.exec(select(Request).where(Request.reference == ref)).first()
    if request is not None:
        return request
    from cada_tracker.services.show_query import not_found

    raise not_found(session, ref)


def ensure_draft(request: Request) -> None:
    if request.status != "draft":
        raise StateError(
            f"La demande {request.reference} a été envoyée : son courrier fait foi et "
            "ne peut plus être modifié."
        )


def set_letter(session: Session, *, request: Request, html: str) -> Request:
    ensure_draft(request)
    request.letter_html = html
    request.updated_at = utcnow()
    session.add(request)
    return request


def replace_letter(session: Session, *, reference: str, expected: str, html: str,
                   keep) -> Request:
    """Store an edited letter, unless the draft changed since it was read.

    ``keep()`` saves the user's edit elsewhere and returns where, for the message.
    """
    request = get_request(session, reference)
    if request.status != "draft" or request.letter_html != expected:
        where = keep()
        why = (f"La demande {reference} a été envoyée pendant l'édition"
               if request.status != "draft"
               else f"Le courrier de {reference} a été modifié par une autre commande "
                    "pendant l'édition")
        raise StateError(f"{why} : vos changements ne sont pas enregistrés dans la base ; "
                         f"ils sont gardés dans {where}.")
    return set_letter(session, request=request, html=html)


def request_tags(session: Session, request_id: int) -> list[str]:
    return list(
        session.exec(
            select(RequestTag.tag).where(RequestTag.request_id == request_id).order_by(RequestTag.tag)
        )
    )


def documents_of(session: Session, request_id: int) -> list[RequestedDocument]:
    return list(
        session.exec(
            select(RequestedDocument)
            .where(RequestedDocument.request_id == request_id)
            .order_by(RequestedDocument.position)
        )
    )
