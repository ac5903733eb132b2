"""One step (sending, receipt, reminder) recorded on every request of a campaign at once.

``plan_step`` decides, without writing, which requests take the step: with a
campaign, every request of it that is ready for the step (a draft for ``sent``,
a sent request without receipt for ``received``, an open sent request with
documents outstanding for ``remind``); the others are *skipped*, each with why.
The overrides of a ``--from-file`` (:mod:`step_file`) give a request its own
tracking number or date; a request named in the file must take the step, or the
whole command is refused, naming the line. Without a campaign, the file alone
lists the requests.

``record_step`` then appends the events, each under its request's lock, in the
caller's one transaction: either every request of the campaign has its event, or
none has.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlmodel import Session, select

from cada_tracker.dates import format_fr
from cada_tracker.errors import CadaError, InputError, StateError
from cada_tracker.models import Administration, Event, Request
from cada_tracker.services.events import NewEvent, as_ev, events_of, lock_request, record_event
from cada_tracker.services.lifecycle import active
from cada_tracker.services.step_file import Override
from cada_tracker.vocab import EVENT_KINDS

STEPS = ("sent", "received", "remind")


@dataclass
class Target:
    request: Request
    admin: Administration
    on: date
    tracking: str | None = None
    line: int | None = None  # the --from-file line that named it

    def where(self, source: str | None) -> str:
        if self.line is None or source is None:
            return self.request.reference
        return f"{self.request.reference} ({source}, ligne {self.line})"


@dataclass
class StepPlan:
    kind: str
    campaign: str | None
    targets: list[Target] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (reference, why)


def _unfit(kind: str, request: Request, session: Session) -> str | None:
    """Why ``request`` cannot take step ``kind`` now, or None (it can)."""
    evs = active([as_ev(e) for e in events_of(session, request.id)])
    closed = next((e for e in evs if e.kind == "close"), None)
    if closed is not None:
        return f"close depuis le {format_fr(closed.on)}"
    sent = next((e for e in evs if e.kind == "sent"), None)
    if kind == "sent":
        return f"déjà envoyée le {format_fr(sent.on)}" if sent else None
    if sent is None:
        return "pas encore envoyée"
    received = next((e for e in evs if e.kind == "received"), None)
    if kind == "received" and received is not None:
        return f"réception déjà enregistrée le {format_fr(received.on)}"
    return None


def _check_remind(session: Session, target: Target) -> str | None:
    from cada_tracker.services.escalation import check_escalation

    try:
        check_escalation(session, request=target.request, admin=target.admin, kind="remind",
                         on=target.on)
    except StateError as exc:
        return exc.message
    return None


def plan_step(
    session: Session, *, kind: str, campaign: str | None, on: date,
    overrides: list[Override] | None = None, source: str | None = None,
) -> StepPlan:
    """Who takes step ``kind`` on ``on`` (see the module docstring); CadaError otherwise."""
    from cada_tracker.services.requests import get_request

    if kind not in STEPS:
        raise ValueError(kind)
    by_reference = {o.reference: o for o in overrides or []}
    if campaign is not None:
        from cada_tracker.services.campaigns import campaign_outcomes

        campaign_outcomes(session, campaign)  # NotFoundError naming the known campaigns
        requests = list(session.exec(select(Request).where(Request.campaign == campaign)
                                     .order_by(Request.reference)))
        known = {r.reference for r in requests}
        for o in overrides or []:
            if o.reference not in known:
                raise InputError(f"--from-file : {o.where(source)} : la demande {o.reference} "
                                 f"n'est pas de la campagne « {campaign} ».")
    else:
        requests = []
        for o in overrides or []:
            try:
                requests.append(get_request(session, o.reference))
            except CadaError as exc:
                raise InputError(f"--from-file : {o.where(source)} : {exc.message}") from None
    admins = {a.id: a for a in session.exec(select(Administration).where(
        Administration.id.in_({r.administration_id for r in requests})))}
    plan = StepPlan(kind=kind, campaign=campaign)
    for r in requests:
        o = by_reference.get(r.reference)
        target = Target(request=r, admin=admins[r.administration_id],
                        on=o.on if o and o.on else on,
                        tracking=o.tracking if o else None, line=o.line if o else None)
        why = _unfit(kind, r, session)
        if why is None and kind == "remind":
            why = _check_remind(session, target)
        if why is None:
            plan.targets.append(target)
        elif o is not None:
            raise StateError(f"--from-file : {target.where(source)} : {EVENT_KINDS[kind]} "
                             f"impossible : {why}.")
        else:
            plan.skipped.append((r.reference, why))
    if not plan.targets:
        label = EVENT_KINDS[kind]
        reasons = " ; ".join(f"{ref} : {why}" for ref, why in plan.skipped[:5])
        more = " …" if len(plan.skipped) > 5 else ""
        raise StateError(f"Aucune demande de la campagne « {campaign} » ne peut recevoir "
                         f"« {label} » ({reasons}{more}).")
    return plan


def record_step(
    session: Session, plan: StepPlan, *, channel: str | None, today: date, files_dir: Path,
    written: list[Path] | None = None, source: str | None = None,
    letters: list[tuple[str, bytes] | None] | None = None,
) -> list[tuple[Request, Event]]:
    """One event per target, in reference order (the lock order every member follows).

    ``letters``, when given, holds each target's letter (a reminder), in order.
    """
    done = []
    produced = letters if letters is not None else [None] * len(plan.targets)
    for target, letter in zip(plan.targets, produced, strict=True):
        lock_request(session, target.request)
        new = NewEvent(kind=plan.kind, on=target.on, channel=channel, tracking=target.tracking,
                       produced=[letter] if letter else [])
        try:
            event = record_event(session, request=target.request, new=new, today=today,
                                 files_dir=files_dir, written=written)
        except CadaError as exc:
            exc.message = f"{target.where(source)} : {exc.message} Rien n'a été enregistré."
            raise
        done.append((target.request, event))
    return done


def tracking_for(kind: str, overrides: list[Override] | None, source: str | None) -> None:
    """A receipt has no tracking number: refuse a file that gives one for ``received``."""
    if kind != "received":
        return
    for o in overrides or []:
        if o.tracking:
            raise InputError(f"--from-file : {o.where(source)} : un numéro de suivi ne vaut "
                             "que pour un envoi ou une relance, pas pour une réception.")
