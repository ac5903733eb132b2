"""The legal clock of a stored request: facts from events, then the pure engine.

``facts_of`` reads the events that count (not cancelled) and gives the engine the
dates it needs; ``refresh_deadlines`` stores the next action and the key dates in
indexed columns, so that ``cada overdue`` reads an index instead of recomputing
every request. They change only when events change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cada_tracker.models import Administration, Request
from cada_tracker.services.lifecycle import Ev, active


def _first(evs: list[Ev], kind: str, outcome: str | None = None) -> Ev | None:
    return next(
        (e for e in evs if e.kind == kind and (outcome is None or e.outcome == outcome)), None
    )


def facts_kwargs(request: Request, events: list[Ev]) -> dict:
    """The engine's facts, as keyword arguments (pure: tested without a database)."""
    evs = active(events)
    sent = _first(evs, "sent")
    received = _first(evs, "received")
    ack = _first(evs, "ack")
    referred = _first(evs, "referred")
    registered = _first(evs, "registered")
    opinion = _first(evs, "opinion")
    answers = [e for e in evs if e.kind == "answer"]
    before_referral = [a for a in answers if referred is None or a.on < referred.on]
    after_referral = [a for a in answers if referred is not None and a.on >= referred.on]
    # An express refusal: a refusal, or a partial answer that refuses some documents.
    refusal = next((a for a in before_referral
                    if a.outcome == "refusal" or (a.outcome == "partial" and a.refused)), None)
    confirmation = next((a for a in after_referral
                         if a.outcome == "refusal" or (a.outcome == "partial" and a.refused)),
                        None)
    full = next((a for a in answers if a.outcome == "full"), None)
    extension = next((a for a in answers if a.outcome == "extension"), None)
    closed = any(e.kind in ("close", "court") for e in evs)
    return {
        "regime": request.regime,
        "sent": sent.on if sent else None,
        "received": received.on if received else None,
        "ack_mentions": ack.mentions if ack else None,
        "extension": extension.on if extension else None,
        "refusal": refusal.on if refusal else None,
        "refusal_mentions": refusal.mentions if refusal else None,
        "full_answer": full.on if full else None,
        "cada_sent": referred.on if referred else None,
        "cada_registered": registered.on if registered else None,
        "opinion": opinion.on if opinion else None,
        "opinion_verdict": opinion.outcome if opinion else None,
        "confirmation": confirmation.on if confirmation else None,
        "closed": closed,
    }


def zone_of(admin: Administration) -> str:
    from cada_tracker.deadlines import zone_for

    try:
        return zone_for(admin.department) if admin.department else "metropole"
    except ValueError:
        return "metropole"


@dataclass(frozen=True)
class Clock:
    result: object  # deadlines.Result
    action: object | None  # deadlines.Action


def compute_clock(request: Request, admin: Administration, events: list[Ev],
                  today: date) -> Clock:
    from cada_tracker.deadlines import Facts, compute, next_action

    facts = Facts(**facts_kwargs(request, events))
    result = compute(facts, zone=zone_of(admin))
    return Clock(result=result, action=next_action(result, facts, today))
