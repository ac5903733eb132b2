"""The grouped CADA referral of a series of requests (L342-1 al. 2 and 3 CRPA).

When one requester sent requests with the same object to at least
:data:`SERIES_THRESHOLD` different administrations, the CADA "ne peut être saisie que
d'un refus de communication" and gives one opinion; the requester identifies every
request of the series and informs each administration (rule book §1.6).

``plan_series`` reads the campaign and decides, without writing anything:

* the **members**: the campaign's sent requests with the series' object, one per
  administration (answered or closed ones included: they belong to the series);
* the **refusal** the CADA is seized of: the one given with ``REF``, else the
  earliest express refusal, else the earliest implicit refusal;
* which members are **referred** (their refusal, express or implicit, allows a
  referral on that date, within its deadline: their clock says so) and which are
  only **informed** (still within the administration's delay, answered in full,
  or past the referral deadline).

``record_series`` then records a ``referred`` event on each referred member and a
dated note on each informed one, each with the letters it concerns.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlmodel import Session, select

from cada_tracker.dates import format_fr
from cada_tracker.errors import StateError
from cada_tracker.models import Administration, Request, RequestedDocument
from cada_tracker.services.clock import SERIES_NOTE, express_refusal, in_series
from cada_tracker.services.escalation import LetterOptions, escalation_context
from cada_tracker.services.events import (
    NewEvent,
    as_ev,
    events_of,
    lock_request,
    record_event,
)
from cada_tracker.services.letter_context import documents_of as document_dicts
from cada_tracker.services.letter_context import letter_context
from cada_tracker.services.lifecycle import Ev, active
from cada_tracker.services.requests import SERIES_THRESHOLD, documents_of
from cada_tracker.services.series_rule import pick_members, subject_key

GROUPED_TEMPLATE = "saisine-cada-serie"
NOTICE_TEMPLATE = "information-serie"


@dataclass
class Member:
    request: Request
    admin: Administration
    documents: list[RequestedDocument]
    events: list[Ev]
    refusal: Ev | None = None  # express refusal before any referral
    referable: bool = False  # a refusal allows referring on the chosen date
    window: tuple[date | None, date | None] = (None, None)  # first and last day to refer

    @property
    def missing(self) -> list[dict]:
        return [d for d in document_dicts(self.documents) if d["outcome"] != "obtained"]

    def as_series_item(self) -> dict:
        r = self.request
        return {
            "reference": r.reference,
            "administration": self.admin.name,
            "sent_on": r.sent_on,
            "received_on": r.received_on,
            "implicit_refusal_on": None if self.refusal else (
                r.implicit_refusal_on if self.referable else None),
            "refusal_on": self.refusal.on if self.refusal else None,
            "missing": self.missing,
        }


@dataclass
class SeriesPlan:
    campaign: str
    subject: str
    on: date
    members: list[Member]
    chosen: Member
    skipped: list[str] = field(default_factory=list)  # references left out, with why

    @property
    def referred(self) -> list[Member]:
        return [m for m in self.members if m.referable]

    @property
    def informed_only(self) -> list[Member]:
        return [m for m in self.members if not m.referable]

    def series_items(self) -> list[dict]:
        return [m.as_series_item() for m in self.members]


_subject_key = subject_key


def _series_subject(requests: list[Request]) -> str | None:
    """The object most of the campaign's sent requests share (answered or not: a
    request answered in full still belongs to the series)."""
    by_subject: dict[str, int] = {}
    for r in requests:
        if r.sent_on is not None:
            key = _subject_key(r.subject)
            by_subject[key] = by_subject.get(key, 0) + 1
    return max(by_subject, key=by_subject.get) if by_subject else None


def series_of(session: Session, request: Request) -> list[str]:
    """References of the series ``request`` belongs to (L342-1 al. 2), or []."""
    if not request.campaign or request.sent_on is None:
        return []
    requests = list(session.exec(select(Request).where(Request.campaign == request.campaign)
                                 .order_by(Request.reference)))
    refs = pick_members([(r.reference, r.subject, r.administration_id) for r in requests
                         if r.sent_on is not None])
    subjects = {r.reference: r.subject for r in requests}
    if not refs or _subject_key(subjects[refs[0]]) != _subject_key(request.subject):
        return []
    return refs if len(refs) >= SERIES_THRESHOLD else []


def check_single_referral(session: Session, request: Request) -> None:
    """Refuse referring one request of a series on its own (StateError)."""
    if in_series([as_ev(e) for e in events_of(session, request.id)]):
        raise StateError(
            f"La demande {request.reference} relève d'une série déjà soumise à la CADA par "
            "une saisine groupée : la Commission n'émet qu'un avis pour toute la série "
            "(L342-1 al. 2 CRPA)."
        )
    members = series_of(session, request)
    if members:
        raise StateError(
            f"La demande {request.reference} relève d'une série de {len(members)} demandes "
            f"de même objet (campagne « {request.campaign} ») : la CADA ne peut être saisie "
            "que d'un refus, en identifiant toute la série (L342-1 al. 2 CRPA). Utilisez "
            f"cada refer {request.reference} --campaign {shlex.quote(request.campaign)} "
            "(ou --hors-serie pour passer outre)."
        )


def plan_series(session: Session, *, campaign: str, on: date,
                chosen_reference: str | None = None) -> SeriesPlan:
    """Which requests the grouped referral concerns; StateError when it cannot be made."""
    from cada_tracker.services.campaigns import campaign_outcomes

    campaign_outcomes(session, campaign)  # NotFoundError naming the known campaigns
    requests = list(session.exec(select(Request).where(Request.campaign == campaign)
                                 .order_by(Request.reference)))
    admins = {a.id: a for a in session.exec(
        select(Administration).where(Administration.id.in_(
            {r.administration_id for r in requests})))}
    members: list[Member] = []
    skipped: list[str] = []
    seen_admins: set[int] = set()
    subject_key = _series_subject(requests)
    for r in requests:
        if r.sent_on is None:
            skipped.append(f"{r.reference} (non envoyée)")
            continue
        if _subject_key(r.subject) != subject_key:
            skipped.append(f"{r.reference} (autre objet : « {r.subject} »)")
            continue
        if r.administration_id in seen_admins:
            skipped.append(f"{r.reference} (même administration qu'une autre demande)")
            continue
        seen_admins.add(r.administration_id)
        evs = active([as_ev(e) for e in events_of(session, r.id)])
        members.append(Member(request=r, admin=admins[r.administration_id],
                              documents=documents_of(session, r.id), events=evs))
    if len(members) < SERIES_THRESHOLD:
        raise StateError(
            f"La campagne « {campaign} » compte {len(members)} demande(s) envoyée(s) et "
            f"ouverte(s) de même objet à des administrations différentes : ce n'est pas une "
            f"série au sens de l'article L342-1 al. 2 CRPA ({SERIES_THRESHOLD} au moins). "
            "Saisissez la CADA demande par demande : cada refer REF."
        )
    already = [(m, e) for m in members for e in m.events
               if e.kind == "referred" and e.outcome == SERIES_NOTE]
    if already:
        m, e = already[0]
        raise StateError(
            f"La CADA a déjà été saisie pour cette série (demande {m.request.reference}, le "
            f"{format_fr(e.on)}) : pour une série, elle ne peut l'être que d'un refus "
            "(L342-1 al. 2 CRPA)."
        )
    for m in members:
        m.refusal = express_refusal(m.events)
        m.window = _window(m)
        start, last = m.window
        m.referable = (_first_referral(m) is None and start is not None and start <= on
                       and (last is None or on <= last))
    chosen = _choose(members, chosen_reference, on)
    return SeriesPlan(campaign=campaign, subject=members[0].request.subject, on=on,
                      members=members, chosen=chosen, skipped=skipped)


def _choose(members: list[Member], reference: str | None, on: date) -> Member:
    if reference is not None:
        found = next((m for m in members if m.request.reference == reference.strip()), None)
        if found is None:
            refs = ", ".join(m.request.reference for m in members)
            raise StateError(f"La demande {reference} ne fait pas partie de la série "
                             f"(demandes : {refs}).")
        if not found.referable:
            raise StateError(f"La demande {reference} n'a pas essuyé de refus permettant de "
                             f"saisir la CADA le {format_fr(on)}.")
        return found
    referable = [m for m in members if m.referable]
    if not referable:
        starts = [m.window[0] for m in members if m.window[0] is not None]
        when = f" (première date possible : {format_fr(min(starts))})" if starts else ""
        raise StateError(
            f"Aucune demande de la série n'a essuyé de refus permettant de saisir la CADA le "
            f"{format_fr(on)}{when}."
        )
    express = [m for m in referable if m.refusal is not None]
    if express:
        return min(express, key=lambda m: (m.refusal.on, m.request.reference))
    return min(referable, key=lambda m: (m.window[0], m.request.reference))


def render_series_letters(session: Session, plan: SeriesPlan, *, user_dir: Path | None,
                          tracking: str | None) -> tuple[str, list[str]]:
    """HTML of the grouped referral, and of the notice to each member, in order."""
    from cada_tracker import letters

    series = plan.series_items()
    chosen = plan.chosen
    context = escalation_context(session, request=chosen.request, admin=chosen.admin,
                                 kind="referred", letter_date=plan.on,
                                 options=LetterOptions(tracking=tracking))
    context["series"] = series
    grouped = letters.render(GROUPED_TEMPLATE, context, user_dir=user_dir)
    notices = []
    for m in plan.members:
        notice = letter_context(request=m.request, admin=m.admin, documents=m.documents,
                                letter_date=plan.on,
                                extra={"series": series, "referral_on": plan.on,
                                       # Answered in full: the notice asks for nothing.
                                       "answered_in_full": bool(m.documents)
                                       and not m.missing})
        notices.append(letters.render(NOTICE_TEMPLATE, notice, user_dir=user_dir))
    return grouped, notices


def record_series(
    session: Session, plan: SeriesPlan, *, grouped: tuple[str, bytes],
    notices: list[tuple[str, bytes]], channel: str | None, tracking: str | None,
    today: date, files_dir: Path, written: list[Path] | None = None,
) -> None:
    """A ``referred`` event on each referred member (with the grouped referral and its
    notice), a note on each informed one (with its notice)."""
    for m, notice in zip(plan.members, notices, strict=True):
        produced = [notice] if notice else []
        if m.referable:
            new = NewEvent(kind="referred", on=plan.on, channel=channel, tracking=tracking,
                           outcome=SERIES_NOTE,
                           produced=([grouped] if grouped else []) + produced)
        else:
            new = NewEvent(kind="note", on=plan.on, outcome=SERIES_NOTE, text=(
                f"Administration informée de la saisine groupée de la CADA du "
                f"{format_fr(plan.on)} pour la série « {plan.campaign} » "
                f"(refus de {plan.chosen.request.reference}, L342-1 al. 2 CRPA) ; "
                f"{_why_not_referred(m, plan.on)}."),
                produced=produced)
        record_event(session, request=m.request, new=new, today=today, files_dir=files_dir,
                     written=written)


def _window(m: Member) -> tuple[date | None, date | None]:
    """First and last day to refer ``m``'s refusal to the CADA, from the engine (not
    the stored clock, which a series note silences): the first day on the more
    lenient reading, the last on the legal one, or the one-year bound when the
    delays were not opposable. (None, None) when there is no refusal to refer."""
    from cada_tracker.services.clock import (
        earliest_referral,
        facts_kwargs,
        legal_result,
        pending_action,
    )

    result = legal_result(m.request, m.admin, m.events)
    kind, start, _ = pending_action(result, facts_kwargs(m.request, m.events))
    if kind != "refer":
        return None, None
    start = earliest_referral(result) or start
    deadline = result.step("cada_deadline")
    last = deadline.date if deadline else None
    reasonable = [s.date for s in result.steps if s.key == "reasonable_delay"]
    if not result.opposable and reasonable and last is not None:
        last = max(last, reasonable[0])
    return start, last


def _first_referral(m: Member) -> Ev | None:
    return next((e for e in m.events if e.kind == "referred"), None)


def _why_not_referred(m: Member, on: date) -> str:
    alone = _first_referral(m)
    if alone is not None:
        return f"demande déjà soumise seule à la CADA le {format_fr(alone.on)}"
    start, last = m.window
    if start is None:
        return "aucun refus à soumettre pour cette demande"
    if on < start:
        return f"son refus n'était pas encore né (saisine possible dès le {format_fr(start)})"
    return f"son délai de saisine avait expiré le {format_fr(last)}"


def record_series_step(
    session: Session, *, campaign: str, new: NewEvent, today: date, files_dir: Path,
) -> list[str]:
    """The CADA's registration (``registered``) or its one opinion (``opinion``) on the
    grouped referral, recorded on every request of the campaign referred to it."""
    from cada_tracker.services.campaigns import campaign_outcomes

    campaign_outcomes(session, campaign)
    done = []
    for r in session.exec(select(Request).where(Request.campaign == campaign)
                          .order_by(Request.reference)):
        lock_request(session, r)  # another member may be recording the same step
        evs = active([as_ev(e) for e in events_of(session, r.id)])
        kinds = {e.kind for e in evs}
        grouped = any(e.kind == "referred" and e.outcome == SERIES_NOTE for e in evs)
        if grouped and new.kind not in kinds and "close" not in kinds:
            step = NewEvent(kind=new.kind, on=new.on, tracking=new.tracking,
                            outcome=new.outcome)
            record_event(session, request=r, new=step, today=today, files_dir=files_dir)
            done.append(r.reference)
    if not done:
        what = ("l'enregistrement de sa saisine par la CADA" if new.kind == "registered"
                else "l'avis de la CADA")
        raise StateError(f"Aucune demande de la campagne « {campaign} » n'attend {what} "
                         f"(cada refer --campaign {shlex.quote(campaign)} d'abord).")
    return done
