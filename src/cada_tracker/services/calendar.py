"""The upcoming deadlines as an iCalendar file (RFC 5545) a group can subscribe to.

Each step's safe date is an event; the pending step's legal last day, when it
differs, is one more (``…_legal``): once the safe date has passed, the calendar
still shows the day the action stays possible, marked ``past_safe`` (RULES.md
§12bis-6). Nothing is written for a step whose legal last day has passed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, UTC

from sqlmodel import Session, or_, select

from cada_tracker.models import Administration, Request
from cada_tracker.vocab import STEP_LABELS


@dataclass(frozen=True)
class Deadline:
    reference: str
    administration: str
    subject: str
    key: str
    on: date
    state: str = "safe"  # safe | past_safe (the safe date of the step has passed)
    safe_on: date | None = None  # for a legal last day: the step's safe date


def upcoming_deadlines(session: Session, *, today: date,
                       campaign: str | None = None) -> list[Deadline]:
    columns = {
        "implicit_refusal": Request.implicit_refusal_on,
        "cada_deadline": Request.cada_deadline_on,
        "confirmed_refusal": Request.confirmed_refusal_on,
        "court_deadline": Request.court_deadline_on,
    }
    query = (
        select(Request.reference, Administration.name, Request.subject, Request.next_action,
               Request.action_due, Request.action_due_legal, *columns.values())
        .join(Administration, Administration.id == Request.administration_id)
        .where(Request.next_action.is_not(None))
        .where(or_(Request.action_due_legal >= today, *(c >= today for c in columns.values())))
        .order_by(Request.reference)
    )
    if campaign:
        query = query.where(Request.campaign == campaign)
    out = []
    for reference, name, subject, action, due, legal, *dates in session.exec(query):
        for key, on in zip(columns, dates, strict=True):
            if on is not None and on >= today:
                out.append(Deadline(reference, name, subject, key, on))
        step = "cada_deadline" if action == "refer" else "court_deadline"
        if legal is not None and legal != due and legal >= today:
            state = "past_safe" if due is not None and due < today else "safe"
            out.append(Deadline(reference, name, subject, f"{step}_legal", legal, state, due))
    return sorted(out, key=lambda d: (d.on, d.reference, d.key))


def to_ics(deadlines: list[Deadline], *, alarm_days: int) -> bytes:
    from icalendar import Alarm, Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//cada//Délais CRPA//FR")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "cada : échéances")
    stamp = datetime.now(UTC)
    for d in deadlines:
        event = Event()
        event.add("uid", f"{d.reference}-{d.key}@cada")
        event.add("dtstamp", stamp)
        event.add("dtstart", d.on)
        event.add("dtend", d.on + timedelta(days=1))
        event.add("summary", f"{_label(d)} — {d.reference} {d.administration}")
        event.add("description", f"{d.subject}\nDemande {d.reference} ({d.administration})."
                  + _legal_note(d))
        event.add("categories", ["cada", d.key, d.state])
        if alarm_days:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", f"Échéance dans {alarm_days} jour(s) : {STEP_LABELS[d.key]}")
            alarm.add("trigger", timedelta(days=-alarm_days))
            event.add_component(alarm)
        cal.add_component(event)
    return cal.to_ical()


def _label(d: Deadline) -> str:
    if d.state == "past_safe":
        return f"{STEP_LABELS[d.key]} (date prudente dépassée, encore possible)"
    return STEP_LABELS[d.key]


def _legal_note(d: Deadline) -> str:
    if d.safe_on is None:
        return ""
    from cada_tracker.dates import format_fr

    return (f"\nDate prudente : {format_fr(d.safe_on)} ; dernier jour légal : "
            f"{format_fr(d.on)}. Après ce jour, le délai est expiré.")
