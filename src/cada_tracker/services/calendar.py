"""The upcoming deadlines as an iCalendar file (RFC 5545) a group can subscribe to.

Each step's safe date is an event; the pending step's legal last day, when it
differs, is one more (``…_legal``): once the safe date has passed, the calendar
still shows the day the action stays possible, marked ``past_safe`` (RULES.md
§12bis-6). Nothing is written for a step whose legal last day has passed.

Every event's description gives the step's legal date, its safe date and its
articles, as the engine computes them. The members of a series (L342-1 al. 2) that
share a deadline are one event listing them. UIDs are globally unique and stable:
the step, the request (or the series) and an identifier of the database, derived
from its first request (its reference and the instant it was recorded, which never
change), so two groups' calendars never collide and a re-export updates the same
events.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session, or_, select

from cada_tracker.models import Administration, Event, Request
from cada_tracker.vocab import STEP_LABELS

ALARM_CADA = 7  # days before a step of the CADA's chain (refusal, referral)
ALARM_COURT = 14  # days before the confirmed refusal and the court deadline
COURT_KEYS = ("confirmed_refusal", "court_deadline", "court_deadline_legal")


@dataclass(frozen=True)
class Deadline:
    reference: str
    administration: str
    subject: str
    key: str
    on: date
    state: str = "safe"  # safe | past_safe (the safe date of the step has passed)
    safe_on: date | None = None  # the step's safe date
    legal_on: date | None = None  # the step's legal date (its last day)
    basis: str = ""  # the articles
    campaign: str | None = None
    members: tuple[tuple[str, str], ...] = field(default=())  # a series: (ref, administration)


def database_id(session: Session) -> str:
    """A short identifier of this database, stable for its life ("" while empty)."""
    first = session.exec(select(Request.reference, Request.created_at)
                         .order_by(Request.created_at, Request.reference).limit(1)).first()
    if first is None:
        return ""
    reference, created = first
    return hashlib.sha256(f"{reference}|{created.isoformat()}".encode()).hexdigest()[:12]


def upcoming_deadlines(session: Session, *, today: date,
                       campaign: str | None = None) -> list[Deadline]:
    columns = {
        "implicit_refusal": Request.implicit_refusal_on,
        "cada_deadline": Request.cada_deadline_on,
        "confirmed_refusal": Request.confirmed_refusal_on,
        "court_deadline": Request.court_deadline_on,
    }
    query = (
        select(Request, Administration)
        .join(Administration, Administration.id == Request.administration_id)
        .where(Request.next_action.is_not(None))
        .where(or_(Request.action_due_legal >= today, *(c >= today for c in columns.values())))
        .order_by(Request.reference)
    )
    if campaign:
        query = query.where(Request.campaign == campaign)
    rows = list(session.exec(query))
    steps = _engine_steps(session, rows)
    out = []
    for request, admin in rows:
        found = steps[request.id]

        def deadline(key, on, state="safe", step_key=None, *, r=request, a=admin, f=found):
            step = f.get(step_key or key)
            return Deadline(r.reference, a.name, r.subject, key, on, state,
                            safe_on=step.safe_date if step else None,
                            legal_on=step.date if step else None,
                            basis=step.basis if step else "", campaign=r.campaign)

        for key, column in columns.items():
            on = getattr(request, column.key)
            if on is not None and on >= today:
                out.append(deadline(key, on))
        step = "cada_deadline" if request.next_action == "refer" else "court_deadline"
        legal, due = request.action_due_legal, request.action_due
        if legal is not None and legal != due and legal >= today:
            state = "past_safe" if due is not None and due < today else "safe"
            out.append(deadline(f"{step}_legal", legal, state, step))
    return sorted(_group_series(session, out), key=lambda d: (d.on, d.reference, d.key))


def _engine_steps(session: Session, rows) -> dict[int, dict]:
    """Each request's steps as the engine computes them (legal and safe dates, basis)."""
    from cada_tracker.services.clock import legal_result
    from cada_tracker.services.lifecycle import active, ev_of

    ids = [r.id for r, _ in rows]
    events: dict[int, list] = {i: [] for i in ids}
    if ids:
        for e in session.exec(select(Event).where(Event.request_id.in_(ids)).order_by(Event.id)):
            events[e.request_id].append(ev_of(e))
    return {r.id: {s.key: s for s in legal_result(r, a, active(events[r.id])).steps}
            for r, a in rows}


def _group_series(session: Session, deadlines: list[Deadline]) -> list[Deadline]:
    """The members of a series sharing a deadline (step, date, state): one event."""
    from cada_tracker.services.overdue_query import series_members

    series = series_members(session.connection(), {d.campaign for d in deadlines
                                                   if d.campaign})
    groups: dict[tuple, list[Deadline]] = {}
    out = []
    for d in deadlines:
        if d.campaign in series and d.reference in series[d.campaign]:
            groups.setdefault((d.campaign, d.key, d.on, d.state), []).append(d)
        else:
            out.append(d)
    for (campaign, *_), members in groups.items():
        if len(members) == 1:
            out.append(members[0])
            continue
        first = members[0]
        out.append(Deadline(
            f"série {campaign}", f"{len(members)} administrations", first.subject, first.key,
            first.on, first.state, first.safe_on, first.legal_on, first.basis, campaign,
            tuple((m.reference, m.administration) for m in members)))
    return out


def uid(d: Deadline, database: str) -> str:
    from cada_tracker.services.export import slug

    who = f"serie-{slug(d.campaign)}" if d.members else d.reference
    return f"{who}-{d.key.replace('_', '-')}-{d.on:%Y%m%d}-{database or 'vide'}@cada"


def to_ics(deadlines: list[Deadline], *, alarm_cada: int = ALARM_CADA,
           alarm_court: int = ALARM_COURT, database: str = "") -> bytes:
    from icalendar import Alarm, Calendar, Event as IcsEvent

    cal = Calendar()
    cal.add("prodid", "-//cada//Délais CRPA//FR")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "cada : échéances")
    stamp = datetime.now(UTC)
    for d in deadlines:
        event = IcsEvent()
        event.add("uid", uid(d, database))
        event.add("dtstamp", stamp)
        event.add("dtstart", d.on)
        event.add("dtend", d.on + timedelta(days=1))
        event.add("summary", f"{_label(d)} — {d.reference} {d.administration}")
        event.add("description", _description(d))
        event.add("categories", ["cada", d.key, d.state])
        days = alarm_court if d.key in COURT_KEYS else alarm_cada
        if days:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", f"Échéance dans {days} jour(s) : {STEP_LABELS[d.key]}")
            alarm.add("trigger", timedelta(days=-days))
            event.add_component(alarm)
        cal.add_component(event)
    return cal.to_ical()


def _label(d: Deadline) -> str:
    if d.state == "past_safe":
        return f"{STEP_LABELS[d.key]} (date prudente dépassée, encore possible)"
    return STEP_LABELS[d.key]


def _description(d: Deadline) -> str:
    from cada_tracker.dates import format_fr

    if d.members:
        lines = [d.subject, f"Série « {d.campaign} » (L342-1 al. 2 CRPA) : "
                 f"{len(d.members)} demandes :"]
        lines += [f"- {ref} ({name})" for ref, name in d.members]
    else:
        lines = [d.subject, f"Demande {d.reference} ({d.administration})."]
    if d.legal_on is not None:
        safe = d.safe_on or d.legal_on
        lines.append(f"Date prudente : {format_fr(safe)} ; date légale (dernier jour) : "
                     f"{format_fr(d.legal_on)}.")
    if d.basis:
        lines.append(f"Articles : {d.basis}.")
    if d.key.endswith("_legal"):
        lines.append("Après ce jour, le délai est expiré.")
    return "\n".join(lines)
