"""Reading the stored clock: one indexed range query, then pure classification."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from sqlmodel import Session, or_, select

from cada_tracker.models import Administration, Request
from cada_tracker.services.overdue import Item, Row, classify


def overdue_items(session: Session, *, today: date, within: int,
                  campaign: str | None = None) -> Iterator[Item]:
    horizon = today + timedelta(days=within)
    query = (
        select(Request.reference, Administration.name, Request.subject, Request.campaign,
               Request.next_action, Request.action_from, Request.action_due,
               Request.implicit_refusal_on, Request.cada_deadline_on,
               Request.confirmed_refusal_on, Request.court_deadline_on)
        .join(Administration, Administration.id == Request.administration_id)
        .where(Request.next_action.is_not(None))
        .where(or_(Request.action_from <= horizon, Request.action_due <= horizon,
                   Request.confirmed_refusal_on <= horizon))
    )
    if campaign:
        query = query.where(Request.campaign == campaign)
    for values in session.exec(query):
        item = classify(Row(*values), today, within)
        if item is not None:
            yield item
