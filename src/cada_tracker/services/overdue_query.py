"""Reading the stored clock: one indexed range query, then pure classification.

The query is plain SQL over the partial index ``ix_request_pending_clock``
(migration 0003), without the ORM models: ``cada overdue`` runs weekly on archives
of 100,000 requests, and building the mapped classes and converting every date
through SQLAlchemy's processors cost more than the query itself. Dates come back
as ISO strings from SQLite and as ``date`` objects from PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from cada_tracker.services.overdue import Item, Row, classify

_QUERY = """
SELECT r.reference, a.name, r.subject, r.campaign, r.next_action, r.action_from,
       r.action_due, r.implicit_refusal_on, r.cada_deadline_on, r.confirmed_refusal_on,
       r.court_deadline_on, r.action_due_legal, r.reasonable_delay_on
FROM request AS r JOIN administration AS a ON a.id = r.administration_id
WHERE r.next_action IS NOT NULL
  AND (r.action_from <= :horizon OR r.action_due <= :horizon
       OR r.confirmed_refusal_on <= :horizon)
"""


def _date_parser():
    """ISO text to ``date``, memoised: an archive has few distinct dates, many rows."""
    memo: dict = {None: None}

    def parse(value):
        try:
            return memo[value]
        except KeyError:
            memo[value] = parsed = date.fromisoformat(value)
            return parsed

    return parse


def overdue_items(connection, *, today: date, within: int,
                  campaign: str | None = None) -> Iterator[Item]:
    from sqlalchemy import text

    horizon = today + timedelta(days=within)
    sql = _QUERY + (" AND r.campaign = :campaign" if campaign else "")
    sqlite = connection.dialect.name == "sqlite"
    params = {"horizon": horizon.isoformat() if sqlite else horizon, "campaign": campaign}
    convert = _date_parser() if sqlite else (lambda v: v)
    for ref, name, subject, campaign, action, *dates in connection.execute(text(sql), params):
        row = Row(ref, name, subject, campaign, action, *map(convert, dates))
        item = classify(row, today, within)
        if item is not None:
            yield item
