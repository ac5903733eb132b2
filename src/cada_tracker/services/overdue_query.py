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

from cada_tracker.dates import stored_date_parser
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


def overdue_items(connection, *, today: date, within: int,
                  campaign: str | None = None) -> Iterator[Item]:
    from sqlalchemy import text

    horizon = today + timedelta(days=within)
    sql = _QUERY + (" AND r.campaign = :campaign" if campaign else "")
    sqlite = connection.dialect.name == "sqlite"
    params = {"horizon": horizon.isoformat() if sqlite else horizon, "campaign": campaign}
    convert = stored_date_parser()
    for ref, name, subject, campaign, action, *dates in connection.execute(text(sql), params):
        row = Row(ref, name, subject, campaign, action, *map(convert, dates))
        item = classify(row, today, within)
        if item is not None:
            yield item


_SERIES_QUERY = """
SELECT r.campaign, r.reference, r.subject, r.administration_id
FROM request AS r
WHERE r.sent_on IS NOT NULL AND r.campaign IN {names}
ORDER BY r.campaign, r.reference
"""


def series_members(connection, campaigns: set[str]) -> dict[str, set[str]]:
    """The campaigns among ``campaigns`` that form a series, with their members.

    The same rule as ``cada refer --campaign`` (services/series.py): the sent
    requests sharing the campaign's most common subject, one per administration,
    at least SERIES_THRESHOLD of them.
    """
    from sqlalchemy import bindparam, text

    from cada_tracker.services.series_rule import SERIES_THRESHOLD, pick_members

    if not campaigns:
        return {}
    # An expanding parameter renders its own parentheses: "IN (:names)" would become
    # a row value "IN ((?, ?))", an error on both back ends once there are two names.
    sql = text(_SERIES_QUERY.format(names=":names")).bindparams(
        bindparam("names", expanding=True))
    rows: dict[str, list[tuple[str, str, int]]] = {}
    for campaign, ref, subject, admin in connection.execute(sql, {"names": sorted(campaigns)}):
        rows.setdefault(campaign, []).append((ref, subject, admin))
    result = {}
    for campaign, requests in rows.items():
        members = pick_members(requests)
        if len(members) >= SERIES_THRESHOLD:
            result[campaign] = set(members)
    return result
