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

from cada_tracker.dates import format_fr
from cada_tracker.errors import StateError
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
    referred = _first(evs, "referred")
    if kind == "remind":
        extra |= {"implicit_refusal_on": request.implicit_refusal_on,
                  "cada_deadline_on": request.cada_deadline_on,
                  "refusal_on": refusal.on if refusal else None,
                  "referral_on": referred.on if referred else None}
    elif kind == "referred":
        extra |= {"refusal_on": refusal.on if refusal else None,
                  "implicit_refusal_on": request.implicit_refusal_on,
                  "attachments": _attachments(session, request, refusal)}
    elif kind == "court":
        registered = next((e for e in events if e.kind == "registered"
                           and e.id in {v.id for v in evs}), None)
        opinion = _first(evs, "opinion")
        # Without the CADA's registration date the confirmed refusal is only an
        # estimate: the letter leaves it blank rather than state it as a fact.
        extra |= {"cada_registered_on": registered.on if registered else None,
                  "cada_ref": registered.tracking if registered else None,
                  "opinion_on": opinion.on if opinion else None,
                  "opinion_verdict": opinion.outcome if opinion else None,
                  "confirmed_refusal_on": request.confirmed_refusal_on if registered else None,
                  "court_deadline_on": request.court_deadline_on if registered else None,
                  "deadlines_opposable": deadlines_opposable(request, admin, evs),
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


def deadlines_opposable(request: Request, admin: Administration, evs: list[Ev]) -> bool:
    """Whether the delays can be held against the requester (L112-6 CRPA, R421-5 CJA)."""
    from cada_tracker.deadlines import Facts, compute
    from cada_tracker.services.clock import facts_kwargs, zone_of

    return compute(Facts(**facts_kwargs(request, evs)), zone=zone_of(admin)).opposable


def check_timing(session: Session, *, request: Request, kind: str, on: date) -> None:
    """Refuse an escalation the stored clock says is premature (StateError).

    A referral before the refusal exists is inadmissible (R343-1, rule book §4);
    a court action needs the decision it attacks, the confirmed refusal, which is
    born two months after the CADA registered the referral (R343-5) unless the
    administration confirmed its refusal in writing first.
    """
    evs = active([as_ev(e) for e in events_of(session, request.id)])
    if kind == "referred":
        start = request.action_from if request.next_action == "refer" else None
        if start is not None and on < start:
            raise StateError(
                f"Saisine prématurée : la CADA peut être saisie à partir du {format_fr(start)} "
                f"(refus implicite né le {format_fr(request.implicit_refusal_on)}) ; une "
                "saisine avant est irrecevable (R343-1 CRPA). --preview prépare la lettre sans "
                "l'enregistrer."
            )
    if kind == "court":
        referred = _first(evs, "referred")
        if referred is None:
            return  # the event rules say the CADA comes first (L342-1)
        confirmation = next((e for e in evs if e.kind == "answer" and e.on >= referred.on
                             and (e.outcome == "refusal" or (e.outcome == "partial"
                                                             and e.refused))), None)
        if confirmation is not None:
            return
        if _first(evs, "registered") is None:
            raise StateError(
                "Enregistrez d'abord l'accusé de réception de la CADA (cada refer REF "
                "--registered DATE --cada-ref N) : sa date fait naître le refus confirmé que "
                "le recours attaque (R343-5 CRPA). --preview prépare le projet sans "
                "l'enregistrer."
            )
        confirmed = request.confirmed_refusal_on
        if confirmed is not None and on < confirmed:
            raise StateError(
                f"Recours prématuré : le refus confirmé, décision attaquée, naît le "
                f"{format_fr(confirmed)} (deux mois après l'enregistrement par la CADA, R343-5 "
                "CRPA), sauf confirmation écrite du refus par l'administration."
            )


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


def letter_filename(
    request: Request, kind: str, suffix: str, *, on: date, draft: bool = False
) -> str:
    """``2026-0042-relance-2026-04-10.pdf``: sorts by reference, step, then date.

    The date keeps a second reminder from overwriting the first; a preview is
    marked ``-brouillon`` so it is never mistaken for the letter sent.
    """
    mark = "-brouillon" if draft else ""
    return f"{request.reference}-{FILE_LABEL[kind]}-{on.isoformat()}{mark}.{suffix}"
