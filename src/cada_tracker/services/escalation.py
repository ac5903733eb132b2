"""The letters of the escalation steps: what each one says, built from the request's record.

``remind`` → ``relance``, ``referred`` → ``saisine-cada``, ``court`` → ``requete-ta``.
The context is read *before* the event is recorded, so that the letter states the
facts the requester acted on (the stored clock of the request, the documents still
missing, the refusal being challenged). The extra variables are documented in
``letters/README.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from cada_tracker.models import Administration, Request
from cada_tracker.services.events import as_ev, events_of, files_of
from cada_tracker.services.letter_context import documents_of as document_dicts
from cada_tracker.services.letter_context import letter_context
from cada_tracker.services.lifecycle import Ev, active
from cada_tracker.services.requests import documents_of

#: The built-in template of each escalation event.
LETTER_OF_EVENT = {"remind": "relance", "referred": "saisine-cada", "court": "requete-ta"}

#: Short name used in file names ("2026-0042-relance.pdf").
FILE_LABEL = {"remind": "relance", "referred": "saisine-cada", "court": "requete-ta"}


@dataclass(frozen=True)
class LetterOptions:
    """What the user chose for the letter (command-line options)."""

    template: str | None = None
    tracking: str | None = None  # registered-mail number of this letter
    court_name: str | None = None


def _first(evs: list[Ev], kind: str) -> Ev | None:
    return next((e for e in evs if e.kind == kind), None)


def express_refusal(evs: list[Ev]) -> Ev | None:
    """The answer that refused documents before the CADA was seized (or None)."""
    referred = _first(evs, "referred")
    for e in evs:
        if e.kind != "answer" or (referred is not None and e.on >= referred.on):
            continue
        if e.outcome == "refusal" or (e.outcome == "partial" and e.refused):
            return e
    return None


def _attachments(session: Session, request: Request, refusal: Ev | None) -> list[str]:
    """Enclosures of a referral: the request, its receipt, the refusal and its files."""
    from cada_tracker.frenchdates import date_fr

    items = []
    first = f"Copie de ma demande (réf. {request.reference})"
    if request.sent_on:
        first += f" du {date_fr(request.sent_on)}"
    if request.received_on:
        first += " et de la preuve de sa réception"
        first += f" le {date_fr(request.received_on)}"
    items.append(first)
    if refusal is not None:
        line = f"Copie de la décision de refus du {date_fr(refusal.on)}"
        names = [f.original_name for f in files_of(session, request.id)
                 if f.event_id == refusal.id]
        if names:
            line += f" ({', '.join(names)})"
        items.append(line)
    else:
        items.append("Aucune réponse reçue : refus implicite né du silence gardé par "
                     "l’administration")
    return items


def escalation_context(
    session: Session, *, request: Request, admin: Administration, kind: str,
    letter_date: date, options: LetterOptions,
) -> dict:
    """The context of the letter for escalation event ``kind`` (see letters/README.md)."""
    documents = documents_of(session, request.id)
    events = events_of(session, request.id)
    evs = active([as_ev(e) for e in events])
    sent = next((e for e in events if e.kind == "sent" and e.id in {v.id for v in evs}), None)
    missing = [d for d in document_dicts(documents) if d["outcome"] != "obtained"]
    refusal = express_refusal(evs)
    extra: dict = {"missing": missing}
    if kind == "remind":
        extra |= {"implicit_refusal_on": request.implicit_refusal_on,
                  "cada_deadline_on": request.cada_deadline_on}
    elif kind == "referred":
        extra |= {"refusal_on": refusal.on if refusal else None,
                  "implicit_refusal_on": request.implicit_refusal_on,
                  "attachments": _attachments(session, request, refusal)}
    elif kind == "court":
        registered = next((e for e in events if e.kind == "registered"
                           and e.id in {v.id for v in evs}), None)
        opinion = _first(evs, "opinion")
        extra |= {"cada_registered_on": registered.on if registered else None,
                  "cada_ref": registered.tracking if registered else None,
                  "opinion_on": opinion.on if opinion else None,
                  "opinion_verdict": opinion.outcome if opinion else None,
                  "confirmed_refusal_on": request.confirmed_refusal_on,
                  "court_deadline_on": request.court_deadline_on,
                  "court_name": (options.court_name or "").strip() or None}
    else:
        raise ValueError(f"no letter for event kind {kind!r}")
    context = letter_context(
        request=request, admin=admin, documents=documents, letter_date=letter_date,
        channel=sent.channel if sent else None, tracking=sent.tracking if sent else None,
        extra=extra,
    )
    context["letter"]["tracking"] = (options.tracking or "").strip() or None
    return context


def render_escalation(
    session: Session, *, request: Request, admin: Administration, kind: str,
    letter_date: date, options: LetterOptions, user_dir,
) -> tuple[str, str]:
    """(template name, HTML) of the letter for escalation event ``kind``."""
    from cada_tracker import letters

    name = options.template or LETTER_OF_EVENT[kind]
    context = escalation_context(session, request=request, admin=admin, kind=kind,
                                 letter_date=letter_date, options=options)
    return name, letters.render(name, context, user_dir=user_dir)


def letter_filename(request: Request, kind: str, suffix: str) -> str:
    """``2026-0042-relance.pdf``: sorts by reference, then by step."""
    return f"{request.reference}-{FILE_LABEL[kind]}.{suffix}"
