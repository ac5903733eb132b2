"""Campaigns and statistics: how the administrations answered, read from the record.

Three column selects load what is needed (requests with their administration, the
events that count, document outcomes per request); everything else is pure and takes
``today`` as a parameter. Definitions, in one place:

* **sent**: the request has an (uncancelled) sending event.
* **answered**: an answer that decides something was recorded: documents
  communicated (in full or in part), an express refusal, or fees asked; a mere
  extension notice is not an answer. The *first* such answer dates the response.
* **refused**: an express refusal (a refusal, or a partial answer refusing documents),
  or an implicit one: sent, not answered, and the stored implicit refusal date
  (``implicit_refusal_on``, R311-13) is past.
* **referred**: the CADA was referred to. **obtained**: at least one document obtained
  (or the request closed as "obtained").
* **days waited**: from receipt (else sending) to the first answer, else to the
  closing, else to today. **response time**: from receipt (else sending) to the first
  answer, only for answered requests; campaigns give its median.
* **next deadline**: the date ``cada overdue`` gives the request, from the stored
  clock, classified by the same function (services/overdue.py ``classify``): the
  safe date of the pending step, its legal last day once the safe date has passed,
  or when a step becomes possible. A campaign's next deadline is the most urgent of
  them that is still actionable (``overdue.next_deadline``), the one ``cada overdue``
  names first. A clock column left empty means "unknown", never "no deadline passed".
* **series** (L342-1 al. 2 CRPA, décret 2022-1335, rule book §1.6): at least
  :data:`SERIES_THRESHOLD` requests with the same subject sent by the same sender to
  different administrations: the CADA can then be referred to only once, for the whole
  series.

The pure figures are in ``services.outcomes`` (re-exported here); ``cada stats`` and
``cada campaign`` have the database sum them (``services.outcome_query``).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import NamedTuple

from sqlmodel import Session, func, select

from cada_tracker.models import Administration, Event, Request, RequestedDocument
from cada_tracker.services.lifecycle import ANSWER_OUTCOMES, refuses
from cada_tracker.services.outcomes import (  # noqa: F401 - re-exported
    DEADLINE_LABELS,
    REQUEST_COLUMNS,
    Outcome,
    Stats,
    campaign_list,
    campaign_report,
    median,
    missing_campaign,
    rate,
    request_row,
    series_choice,
    series_of,
    stats,
    totals,
)


# ---------------------------------------------------------------------------
# Loading (three column selects)


class _Event(NamedTuple):
    id: int
    kind: str
    on: date
    outcome: str | None
    refused: str | None
    reason: str | None
    cancels_id: int | None


def _active(events: list[_Event]) -> list[_Event]:
    """The events that count, by date (as lifecycle.active: cancels and cancelled out)."""
    cancelled = {e.cancels_id for e in events if e.kind == "cancel"}
    return sorted((e for e in events if e.kind != "cancel" and e.id not in cancelled),
                  key=lambda e: (e.on, e.id))


def load_outcomes(session: Session, *, campaign: str | None = None,
                  campaigns_only: bool = False) -> list[Outcome]:
    """Every request (or one campaign's, or those in any campaign), ordered by reference."""
    query = (
        select(Request.id, Request.reference, Request.campaign, Request.subject,
               Request.profile, Request.status, Request.administration_id,
               Administration.name, Administration.kind, Administration.department,
               Request.sent_on, Request.received_on, Request.next_action,
               Request.action_from, Request.action_due, Request.implicit_refusal_on,
               Request.cada_deadline_on, Request.confirmed_refusal_on,
               Request.court_deadline_on, Request.action_due_legal,
               Request.reasonable_delay_on)
        .join(Administration, Administration.id == Request.administration_id)
    )
    ids = select(Request.id)
    if campaign is not None:
        query = query.where(Request.campaign == campaign)
        ids = ids.where(Request.campaign == campaign)
    elif campaigns_only:
        query = query.where(Request.campaign.is_not(None))
        ids = ids.where(Request.campaign.is_not(None))
    rows = list(session.exec(query.order_by(Request.reference)))
    if not rows:
        return []

    events: dict[int, list[_Event]] = defaultdict(list)
    for request_id, *values in session.exec(
        select(Event.request_id, Event.id, Event.kind, Event.on, Event.outcome, Event.refused,
               Event.reason, Event.cancels_id).where(Event.request_id.in_(ids))
    ):
        events[request_id].append(_Event(*values))
    documents: dict[int, dict[str, int]] = defaultdict(dict)
    for request_id, outcome, count in session.exec(
        select(RequestedDocument.request_id, RequestedDocument.outcome, func.count())
        .where(RequestedDocument.request_id.in_(ids))
        .group_by(RequestedDocument.request_id, RequestedDocument.outcome)
    ):
        documents[request_id][outcome] = count

    outcomes = []
    for row in rows:
        evs = _active(events.get(row.id, []))
        answers = [e for e in evs if e.kind == "answer" and e.outcome in ANSWER_OUTCOMES]
        close = next((e for e in evs if e.kind == "close"), None)
        grouped = next((e for e in evs if e.kind == "referred" and e.outcome == "series"),
                       None)
        docs = documents.get(row.id, {})
        outcomes.append(Outcome(
            id=row.id, reference=row.reference, campaign=row.campaign, subject=row.subject,
            profile=row.profile, status=row.status, administration_id=row.administration_id,
            administration=row.name, kind=row.kind, department=row.department,
            sent_on=row.sent_on, received_on=row.received_on,
            first_answer_on=answers[0].on if answers else None,
            express_refusal=any(refuses(a) for a in answers),
            referred=any(e.kind == "referred" for e in evs),
            closed_on=close.on if close else None,
            closed_reason=close.reason if close else None,
            documents=sum(docs.values()), documents_obtained=docs.get("obtained", 0),
            documents_refused=docs.get("refused", 0),
            next_action=row.next_action, action_from=row.action_from,
            action_due=row.action_due, implicit_refusal_on=row.implicit_refusal_on,
            cada_deadline_on=row.cada_deadline_on,
            confirmed_refusal_on=row.confirmed_refusal_on,
            court_deadline_on=row.court_deadline_on, action_due_legal=row.action_due_legal,
            reasonable_delay_on=row.reasonable_delay_on,
            grouped_referral_on=grouped.on if grouped else None,
        ))
    return outcomes


def campaign_names(session: Session) -> list[str]:
    return list(session.exec(select(Request.campaign).where(Request.campaign.is_not(None))
                             .distinct().order_by(Request.campaign)))


def campaign_outcomes(session: Session, name: str) -> list[Outcome]:
    """The requests of one campaign; NotFoundError naming the known campaigns."""
    outcomes = load_outcomes(session, campaign=name)
    if outcomes:
        return outcomes
    raise unknown_campaign(session, name)


def unknown_campaign(session: Session, name: str) -> NotFoundError:
    """The error for a campaign that has no request, naming the known ones."""
    return missing_campaign(name, campaign_names(session))
