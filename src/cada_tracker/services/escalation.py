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
from cada_tracker.services.clock import (
    SERIES_NOTE,
    earliest_referral,
    express_refusal,
    first_event,
    legal_result,
    written_confirmation,
)
from cada_tracker.services.events import as_ev, events_of
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
    court_address: tuple[str, ...] = ()  # the greffe's lines given with --greffe


def _attachments(session: Session, request: Request, refusal: Ev | None, *,
                 purpose: str = "cada") -> list[str]:
    """Enclosures of a referral (or a court petition): the numbered pieces of ``cada
    dossier REF --for PURPOSE`` (same numbers, same titles), then, for the CADA, the
    implicit refusal when nothing was answered."""
    from cada_tracker.services.dossier import enclosure_lines, load, plan

    _, _, events, files = load(session, request.reference)
    items = enclosure_lines(plan(reference=request.reference, letter_html=request.letter_html,
                                 events=events, files=files, purpose=purpose))
    if refusal is None and purpose == "cada":
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
    referred = first_event(evs, "referred")
    if kind == "remind":
        # A member informed of a grouped referral of its series: the CADA was seized
        # for the series, so the reminder must not announce a referral to come.
        series_note = next((e for e in evs if e.kind == "note" and e.outcome == SERIES_NOTE),
                           None)
        extra |= {"implicit_refusal_on": request.implicit_refusal_on,
                  "cada_deadline_on": request.cada_deadline_on,
                  "refusal_on": refusal.on if refusal else None,
                  "referral_on": referred.on if referred else None,
                  "series_referral_on": series_note.on if series_note else None}
    elif kind == "referred":
        from cada_tracker.services.avis import cited_opinions

        extra |= {"refusal_on": refusal.on if refusal else None,
                  "implicit_refusal_on": request.implicit_refusal_on,
                  "attachments": _attachments(session, request, refusal),
                  "opinions": cited_opinions(session, admin=admin, subject=request.subject)}
    elif kind == "court":
        registered = next((e for e in events if e.kind == "registered"
                           and e.id in {v.id for v in evs}), None)
        opinion = first_event(evs, "opinion")
        # Without the CADA's registration date the confirmed refusal is only an
        # estimate: the letter leaves it blank rather than state it as a fact.
        extra |= {"cada_registered_on": registered.on if registered else None,
                  "cada_ref": registered.tracking if registered else None,
                  "opinion_on": opinion.on if opinion else None,
                  "opinion_verdict": opinion.outcome if opinion else None,
                  "attachments": _attachments(session, request, refusal, purpose="court")}
        name, lines = court_of(admin, options.court_name)
        extra |= {"court_name": name,
                  "court_address_lines": list(options.court_address) or lines}
        extra |= _court_dates(request, admin, evs, known=registered is not None)
    else:
        raise ValueError(f"no letter for event kind {kind!r}")
    context = letter_context(
        request=request, admin=admin, documents=documents, letter_date=letter_date,
        channel=sent.channel if sent else None, tracking=sent.tracking if sent else None,
        extra=extra,
    )
    context["letter"]["tracking"] = (options.tracking or "").strip() or None
    return context


def court_of(admin: Administration, chosen: str | None) -> tuple[str | None, list[str]]:
    """The court a draft is addressed to and its greffe's postal lines: ``--tribunal``
    when given, else the one competent for the administration's seat (R312-1 and
    R221-3 CJA); no lines when the table does not know the address."""
    from cada_tracker.tribunals import competent_tribunal, tribunal_named

    name = (chosen or "").strip() or None
    tribunal = tribunal_named(name) if name else competent_tribunal(admin.department)
    if tribunal is not None:
        name = tribunal.name
    return name, list(tribunal.address_lines) if tribunal else []


def _court_dates(request: Request, admin: Administration, evs: list[Ev], *,
                 known: bool) -> dict:
    """The dates a court draft quotes. Without the CADA's registration (``known``)
    the confirmed refusal is only an estimate: the letter leaves it blank rather
    than state it as a fact; a written confirmation replaces it."""
    result = legal_result(request, admin, evs)
    confirmation = written_confirmation(evs)
    known = known or confirmation is not None
    court = result.step("court_deadline") if known else None
    reasonable = [s for s in result.steps if s.key == "reasonable_delay"]
    return {
        "confirmation_on": confirmation.on if confirmation else None,
        "confirmed_refusal_on": request.confirmed_refusal_on if known else None,
        "court_deadline_on": (court.safe_date or court.date) if court else None,
        "court_deadline_legal_on": court.date if court else None,
        "deadlines_opposable": result.opposable,
        "reasonable_delay_on": reasonable[-1].date if reasonable and known else None,
    }


def late_court_warning(session: Session, *, request: Request, admin: Administration,
                       on: date) -> str | None:
    """A French warning when a court action on ``on`` is past its deadline, else None."""
    evs = active([as_ev(e) for e in events_of(session, request.id)])
    dates = _court_dates(request, admin, evs, known=first_event(evs, "registered") is not None)
    last = dates["court_deadline_legal_on"]
    if last is None or on <= last:
        return None
    message = f"Le délai de recours a expiré le {format_fr(last)} (R421-1 CJA)"
    reasonable = dates["reasonable_delay_on"]
    if dates["deadlines_opposable"]:
        return message + " : la requête risque d'être jugée tardive."
    if reasonable is not None and on > reasonable:
        return (message + f", et le délai raisonnable d'un an le {format_fr(reasonable)} : la "
                "requête serait très probablement irrecevable.")
    until = f" jusqu'au {format_fr(reasonable)} au plus tard" if reasonable else ""
    return (message + " ; les délais n'étant pas opposables, un délai raisonnable d'un an "
            f"reste ouvert{until} (R421-5 CJA).")


def early_referral_warning(session: Session, *, request: Request, admin: Administration,
                           on: date) -> str | None:
    """A French warning when a referral on ``on`` is admissible on the lenient reading
    but before the safe first day (receipt unknown, documents still pending), else
    None: ``check_timing`` accepts it, the user should know why it may be premature."""
    evs = active([as_ev(e) for e in events_of(session, request.id)])
    if first_event(evs, "referred") is not None:
        return None
    step = legal_result(request, admin, evs).step("cada_earliest")
    if step is None or step.safe_date is None or on >= step.safe_date:
        return None
    return (f"Saisine le {format_fr(on)}, avant la date prudente du "
            f"{format_fr(step.safe_date)} ({step.explanation}) : elle peut être jugée "
            "prématurée (R343-1 CRPA).")


#: What each escalation step is, in a French sentence.
STEP_LABEL = {"remind": "une relance", "referred": "une saisine de la CADA",
              "court": "un recours au tribunal administratif"}


def check_outstanding(session: Session, *, request: Request, kind: str) -> None:
    """Refuse an escalation when every document asked for was obtained (StateError):
    a reminder, a referral or a court draft would ask for an empty list."""
    documents = documents_of(session, request.id)
    if documents and all(d.outcome == "obtained" for d in documents):
        raise StateError(
            f"Demande {request.reference} : les {len(documents)} document(s) demandé(s) ont "
            f"tous été obtenus ; {STEP_LABEL[kind]} n'a plus d'objet. (Un document obtenu "
            "par erreur se corrige avec cada cancel.)"
        )


def check_escalation(session: Session, *, request: Request, admin: Administration,
                     kind: str, on: date, single: bool = False) -> None:
    """Every check an escalation step must pass, in the order a user would fix them
    (StateError): documents still outstanding, the series rule for a referral, the
    legal clock, then the event rules of the request's history. ``--preview`` runs
    the same checks as the real command."""
    from cada_tracker.services import lifecycle

    check_outstanding(session, request=request, kind=kind)
    if kind == "referred" and not single:
        from cada_tracker.services.series import check_single_referral

        check_single_referral(session, request)
    check_timing(session, request=request, admin=admin, kind=kind, on=on)
    lifecycle.check_new_event([as_ev(e) for e in events_of(session, request.id)], kind, on)


def check_timing(session: Session, *, request: Request, admin: Administration, kind: str,
                 on: date) -> None:
    """Refuse an escalation the legal clock says is premature (StateError).

    A referral before the refusal exists is inadmissible (R343-1, rule book §4): the
    earliest date is the engine's, on the more lenient of its two readings. A court
    action needs the decision it attacks: the confirmed refusal, born two months
    after the CADA registered the referral (R343-5), or the administration's written
    confirmation; the tool does not suggest filing on the day it is born (§12).
    """
    evs = active([as_ev(e) for e in events_of(session, request.id)])
    result = legal_result(request, admin, evs)
    start = earliest_referral(result)
    if kind == "referred" and first_event(evs, "referred") is None and start is not None \
            and on < start:
        step = result.step("cada_earliest")
        raise StateError(
            f"Saisine prématurée : la CADA peut être saisie à partir du {format_fr(start)} "
            f"({step.explanation} — {step.basis}). --preview prépare la lettre sans "
            "l'enregistrer."
        )
    if kind != "court" or first_event(evs, "referred") is None:
        return  # without a referral, the event rules refuse the court step (L342-1)
    confirmation = written_confirmation(evs)
    if confirmation is not None and confirmation.on < on:
        return
    if first_event(evs, "registered") is None and first_event(evs, "opinion") is None:
        raise StateError(
            "Enregistrez d'abord l'accusé de réception de la CADA (cada refer REF "
            "--registered DATE --cada-ref N) : sa date fait naître le refus confirmé que "
            "le recours attaque (R343-5 CRPA). --preview prépare le projet sans "
            "l'enregistrer."
        )
    confirmed = result.step("confirmed_refusal")
    if confirmed is not None and on <= confirmed.date:
        raise StateError(
            f"Recours prématuré : le refus confirmé, décision attaquée, naît le "
            f"{format_fr(confirmed.date)} (deux mois après l'enregistrement par la CADA, "
            "R343-5 CRPA) ; déposez à partir du lendemain, ou dès une confirmation écrite du "
            "refus par l'administration."
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
