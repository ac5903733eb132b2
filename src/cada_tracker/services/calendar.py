"""The upcoming safe deadlines as an iCalendar file (RFC 5545) a group can subscribe to."""

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


def upcoming_deadlines(session: Session, *, today: date,
                       campaign: str | None = None) -> list[Deadline]:
    columns = {
        "implicit_refusal": Request.implicit_refusal_on,
        "cada_deadline": Request.cada_deadline_on,
        "confirmed_refusal": Request.confirmed_refusal_on,
        "court_deadline": Request.court_deadline_on,
    }
    query = (
        select(Request.reference, Administration.name, Request.subject, *columns.values())
        .join(Administration, Administration.id == Request.administration_id)
        .where(Request.next_action.is_not(None))
        .where(or_(*(c >= today for c in columns.values())))
        .order_by(Request.reference)
    )
    if campaign:
        query = query.where(Request.campaign == campaign)
    out = []
    for reference, name, subject, *dates in session.exec(query):
        for key, on in zip(columns, dates, strict=True):
            if on is not None and on >= today:
                out.append(Deadline(reference, name, subject, key, on))
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
        event.add("summary", f"{STEP_LABELS[d.key]} — {d.reference} {d.administration}")
        event.add("description", f"{d.subject}\nDemande {d.reference} ({d.administration}).")
        event.add("categories", ["cada", d.key])
        if alarm_days:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", f"Échéance dans {alarm_days} jour(s) : {STEP_LABELS[d.key]}")
            alarm.add("trigger", timedelta(days=-alarm_days))
            event.add_component(alarm)
        cal.add_component(event)
    return cal.to_ical()
