"""The legal clock of a stored request: facts from events, then the pure engine.

``facts_of`` reads the events that count (not cancelled) and gives the engine the
dates it needs; ``refresh_deadlines`` stores the next action and the key dates in
indexed columns, so that ``cada overdue`` reads an index instead of recomputing
every request. They change only when events change.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from cada_tracker.services.lifecycle import (
    Ev,
    active,
    derive_outcomes,
    derive_summary,
    ev_of,
    refuses,
)

if TYPE_CHECKING:  # the legal clock itself needs no ORM (cada show reads it without)
    from cada_tracker.models import Administration, Request


def first_event(evs: list[Ev], kind: str, outcome: str | None = None) -> Ev | None:
    return next(
        (e for e in evs if e.kind == kind and (outcome is None or e.outcome == outcome)), None
    )


def facts_kwargs(request: Request, events: list[Ev], documents: int | None = None) -> dict:
    """The engine's facts, as keyword arguments (pure: tested without a database).

    ``documents`` is the number of requested documents: with it, a partial answer
    tells whether documents are still pending (§12bis-10); without it, a partial
    answer is assumed to leave some pending (the safe reading).
    """
    evs = active(events)
    sent = first_event(evs, "sent")
    received = first_event(evs, "received")
    ack = first_event(evs, "ack")
    referred = first_event(evs, "referred")
    registered = first_event(evs, "registered")
    opinion = first_event(evs, "opinion")
    answers = [e for e in evs if e.kind == "answer"]
    refusal = express_refusal(evs)
    confirmation = written_confirmation(evs)
    full = next((a for a in answers if a.outcome == "full"), None)
    extension = next((a for a in answers if a.outcome == "extension"), None)
    closed = any(e.kind in ("close", "court") for e in evs)
    return {
        "regime": request.regime,
        "sent": sent.on if sent else None,
        "sent_via": sent.channel if sent else None,
        "received": received.on if received else None,
        "ack_mentions": ack.mentions if ack else None,
        "extension": extension.on if extension else None,
        "refusal": refusal.on if refusal else None,
        "refusal_mentions": refusal.mentions if refusal else None,
        "pending_documents": _pending_after(refusal, evs, documents),
        "full_answer": full.on if full else None,
        "cada_sent": referred.on if referred else None,
        "cada_registered": registered.on if registered else None,
        "opinion": opinion.on if opinion else None,
        "opinion_verdict": opinion.outcome if opinion else None,
        "confirmation": confirmation.on if confirmation else None,
        "confirmation_mentions": confirmation.mentions if confirmation else None,
        "closed": closed,
    }


def _pending_after(refusal: Ev | None, evs: list[Ev], documents: int | None) -> bool:
    """Whether documents were still pending once the express refusal was notified."""
    if refusal is None or (refusal.outcome == "refusal" and not refusal.got
                           and not refusal.refused):
        return False  # a plain refusal refuses everything still pending
    if documents is None:
        return refusal.outcome == "partial"
    upto = [e for e in evs if (e.on, e.id) <= (refusal.on, refusal.id)]
    return "pending" in derive_outcomes(upto, documents).values()


SERIES_NOTE = "series"  # outcome of the note left on a member informed of a series referral


def in_series(events: list[Ev]) -> bool:
    """Whether the request was informed of a grouped referral of its series."""
    return any(e.kind == "note" and e.outcome == SERIES_NOTE for e in active(events))


def legal_result(request: Request, admin: Administration, events: list[Ev],
                 documents: int | None = None):
    """The engine's full result for a stored request (both readings of every step)."""
    from cada_tracker.deadlines import Facts, compute

    return compute(Facts(**facts_kwargs(request, events, documents)), zone=zone_of(admin))


def express_refusal(events: list[Ev]) -> Ev | None:
    """The answer that refused documents before the CADA was referred to (or None)."""
    evs = active(events)
    referred = first_event(evs, "referred")
    return next((a for a in evs if refuses(a) and (referred is None or a.on < referred.on)),
                None)


def written_confirmation(events: list[Ev]) -> Ev | None:
    """A refusal confirmed in writing after the CADA was referred to (R343-5)."""
    evs = active(events)
    referred = first_event(evs, "referred")
    if referred is None:
        return None
    return next((a for a in evs if refuses(a) and a.on >= referred.on), None)


def earliest_referral(result) -> date | None:
    """First day the CADA may be referred to, on the more lenient of the engine's two
    readings: refusing a valid referral would cost the requester more than the
    tool's caution gains (R343-1)."""
    earliest = result.step("cada_earliest")
    if earliest is None:
        return None
    return min(d for d in (earliest.date, earliest.safe_date) if d is not None)


def zone_of(admin: Administration) -> str:
    from cada_tracker.deadlines import zone_for

    try:
        return zone_for(admin.department) if admin.department else "metropole"
    except ValueError:
        return "metropole"


def _add_months(d: date, n: int) -> date:
    from dateutil.relativedelta import relativedelta

    return d + relativedelta(months=n)


def pending_action(result, facts: dict) -> tuple[str | None, date | None, date | None]:
    """The next step the requester watches, independent of today: (kind, from, due).

    ``due`` is the safe date; ``legal_due`` gives the legal last day of the same step.

    - ``refer``: the refusal is (or will be) acquired; refer to the CADA from ``from``
      (the day after the implicit refusal, or the express refusal notified before it:
      a later letter never moves it, §12bis-1) before ``due``.
    - ``cada``: the CADA was referred to; its opinion is due on ``from``; the court
      deadline ``due`` follows the confirmed refusal. Once an opinion that calls for no
      compliance is recorded (unfavourable, sans objet…), ``from`` is None: nothing
      is late any more but the court deadline (§12bis-5).
    - ``compliance``: a favourable or partial opinion; the administration answers it
      within one month of the opinion (R343-3, 2nd sentence), ``due`` is still the
      court deadline.
    """
    if facts["closed"] or facts["full_answer"] or not (facts["sent"] or facts["received"]):
        return None, None, None
    step = result.step
    court = step("court_deadline")
    court_due = court.safe_date or court.date if court else None
    if facts["cada_sent"] or facts["cada_registered"]:
        if facts["opinion"] and facts["opinion_verdict"] in ("favorable", "partial"):
            return "compliance", _add_months(facts["opinion"], 1), court_due
        if facts["opinion"]:
            return "cada", None, court_due
        due_opinion = step("cada_opinion_due")
        return "cada", due_opinion.date if due_opinion else None, court_due
    earliest = step("cada_earliest")
    deadline = step("cada_deadline")
    if deadline is None:
        return None, None, None
    return "refer", earliest.date if earliest else None, deadline.safe_date or deadline.date


def legal_due(result, kind: str | None) -> date | None:
    """The legal last day of the pending action's step (its safe date is ``due``)."""
    key = {"refer": "cada_deadline", "cada": "court_deadline",
           "compliance": "court_deadline"}.get(kind or "")
    step = result.step(key) if key else None
    return step.date if step else None


def refresh_deadlines(session, *, request: Request, admin: Administration,
                      events: list[Ev], documents: int | None = None) -> None:
    """Store the request's clock in its indexed columns (called when events change)."""
    from cada_tracker.deadlines import Facts, compute

    kwargs = facts_kwargs(request, events, documents)
    result = compute(Facts(**kwargs), zone=zone_of(admin))
    kind, start, due = pending_action(result, kwargs)
    if kind == "refer" and in_series(events):
        # The CADA, seized of one refusal of the series, gives one opinion for all
        # (L342-1 al. 2): no separate referral to chase for this request.
        kind, start, due = None, None, None

    def safe(key: str) -> date | None:
        s = result.step(key)
        return None if s is None else (s.safe_date or s.date)

    def legal(key: str) -> date | None:
        s = result.step(key)
        return None if s is None else s.date

    request.next_action, request.action_from, request.action_due = kind, start, due
    request.action_due_legal = legal_due(result, kind)
    request.reasonable_delay_on = legal("reasonable_delay") if kind else None
    request.implicit_refusal_on = legal("implicit_refusal")
    request.implicit_refusal_safe_on = safe("implicit_refusal")
    request.cada_deadline_on = safe("cada_deadline")
    request.cada_deadline_legal_on = legal("cada_deadline")
    request.confirmed_refusal_on = legal("confirmed_refusal")
    request.court_deadline_on = safe("court_deadline")
    session.add(request)


# Revisions whose stored clock must be recomputed on upgrade: the columns came in 0002,
# and 0005 added the legal due date while the engine changed (RULES.md §12bis).
CLOCK_COLUMNS_SINCE = {None, "0001", "0002", "0003", "0004"}


def refresh_all(session) -> int:
    """Recompute the stored clock of every request (after an upgrade that changed it).

    Reads the events of all requests in one query; imports nothing from
    ``services.events`` (which calls ``refresh_deadlines``): imports flow one way.
    """
    from sqlmodel import select

    from sqlmodel import func

    from cada_tracker.models import Administration, Event, Request, RequestedDocument

    admins = {a.id: a for a in session.exec(select(Administration))}
    history: dict[int, list[Ev]] = {}
    for e in session.exec(select(Event).order_by(Event.request_id, Event.id)):
        history.setdefault(e.request_id, []).append(ev_of(e))
    documents = dict(session.exec(select(RequestedDocument.request_id, func.count())
                                  .group_by(RequestedDocument.request_id)).all())
    count = 0
    for request in session.exec(select(Request)):
        events = history.get(request.id, [])
        count_ = documents.get(request.id, 0)
        refresh_deadlines(session, request=request, admin=admins[request.administration_id],
                          events=events, documents=count_)
        for column, value in derive_summary(events, derive_outcomes(events, count_)).items():
            setattr(request, column, value)
        count += 1
    return count


# Pending requests whose steps stored by migration 0016 it could not fill in SQL (see
# its docstring). The others get them when their events next change: only the
# calendar reads them, for pending requests.
_MISSING_STEPS = ("next_action IS NOT NULL AND ("
                  "(implicit_refusal_on IS NOT NULL AND implicit_refusal_safe_on IS NULL) "
                  "OR (cada_deadline_on IS NOT NULL AND cada_deadline_legal_on IS NULL))")


# Pending requests whose stored clock the engine corrections of revision 0021 can
# change (see its docstring): the receipt is unknown, the CADA was referred to, a
# refusal was notified (documents may be pending), or a step may fall in 2005-2007
# (the Monday of Pentecost).
_CHANGED_0021 = ("next_action IS NOT NULL AND (received_on IS NULL OR referred_on IS NOT NULL "
                 "OR express_refusal OR sent_on < '2008-01-01')")


def refresh_after_upgrade(session, revision: str) -> int:
    """Recompute the stored clocks an upgrade from ``revision`` leaves out of date."""
    if revision in CLOCK_COLUMNS_SINCE:
        return refresh_all(session)
    where = _MISSING_STEPS if revision >= "0021" else f"({_MISSING_STEPS}) OR ({_CHANGED_0021})"
    return refresh_where(session, where)


def refresh_where(session, where: str, chunk: int = 2000) -> int:
    """Recompute the stored clock of the requests matching the SQL condition ``where``.

    A chunk of requests at a time, each chunk's objects then dropped from the
    session: memory stays flat however many requests an archive holds.
    """
    from sqlalchemy import text
    from sqlmodel import func, select

    from cada_tracker.models import Administration, Event, Request, RequestedDocument

    count, last = 0, 0
    while True:
        ids = list(session.connection().execute(text(
            f"SELECT id FROM request WHERE id > :last AND ({where}) "
            "ORDER BY id LIMIT :n"), {"last": last, "n": chunk}).scalars())
        if not ids:
            return count
        history: dict[int, list[Ev]] = {}
        for e in session.exec(select(Event).where(Event.request_id.in_(ids))
                              .order_by(Event.request_id, Event.id)):
            history.setdefault(e.request_id, []).append(ev_of(e))
        documents = dict(session.exec(
            select(RequestedDocument.request_id, func.count())
            .where(RequestedDocument.request_id.in_(ids))
            .group_by(RequestedDocument.request_id)).all())
        for request, admin in session.exec(
                select(Request, Administration).where(Request.id.in_(ids))
                .join(Administration, Administration.id == Request.administration_id)):
            refresh_deadlines(session, request=request, admin=admin,
                              events=history.get(request.id, []),
                              documents=documents.get(request.id, 0))
            count += 1
        session.flush()
        session.expunge_all()
        last = ids[-1]
