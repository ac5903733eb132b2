"""Reading the stored clock: one indexed range query, then pure classification.

The query is plain SQL over the partial index ``ix_request_pending_clock``
(migration 0003), without the ORM models: ``cada overdue`` runs weekly on archives
of 100,000 requests, and building the mapped classes and converting every date
through SQLAlchemy's processors cost more than the query itself; on SQLite it runs
without SQLAlchemy at all (readdb.py). Dates come back as ISO strings from SQLite
and as ``date`` objects from PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from cada_tracker.dates import stored_date_parser
from cada_tracker.readdb import as_reader, in_list
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
    """The clock's items on ``today`` within ``within`` days (``connection``: a
    readdb.Reader or a SQLAlchemy connection)."""
    db = as_reader(connection)
    horizon = today + timedelta(days=within)
    sql = _QUERY + (" AND r.campaign = :campaign" if campaign else "")
    convert = stored_date_parser()
    for ref, name, subject, campaign, action, *dates in db.rows(
            sql, {"horizon": horizon, "campaign": campaign}):
        row = Row(ref, name, subject, campaign, action, *map(convert, dates))
        item = classify(row, today, within)
        if item is not None:
            yield item


# The subjects of the campaigns' sent requests, counted; the first reference of each
# subject orders equal counts as pick_members would (first seen in reference order).
_SUBJECTS = """
SELECT r.campaign, r.subject, COUNT(*), MIN(r.reference)
FROM request AS r
WHERE r.sent_on IS NOT NULL AND r.campaign IN {names}
GROUP BY r.campaign, r.subject
"""

# The series' members: the first request (by reference) of each administration.
_MEMBERS = """
SELECT MIN(r.reference)
FROM request AS r
WHERE r.sent_on IS NOT NULL AND r.campaign = :campaign AND r.subject IN {subjects}
GROUP BY r.administration_id
"""


def series_members(connection, campaigns: set[str]) -> dict[str, set[str]]:
    """The campaigns among ``campaigns`` that form a series, with their members.

    The same rule as ``cada refer --campaign`` (services/series_rule.pick_members):
    the sent requests sharing the campaign's most common subject (compared case- and
    space-insensitively), one per administration, at least SERIES_THRESHOLD of them.
    SQL counts the subjects and picks each administration's first request, so that
    only a few rows per campaign reach Python, not every sent request.
    """
    from cada_tracker.services.series_rule import SERIES_THRESHOLD, subject_key

    if not campaigns:
        return {}
    db = as_reader(connection)
    names, params = in_list("name", sorted(campaigns))
    counts: dict[str, dict[str, list]] = {}  # campaign → subject key → [count, first, raw…]
    for campaign, subject, count, first in db.rows(_SUBJECTS.format(names=names), params):
        entry = counts.setdefault(campaign, {}).setdefault(subject_key(subject), [0, first])
        entry[0] += count
        entry[1] = min(entry[1], first)
        entry.append(subject)
    result = {}
    for campaign, by_key in counts.items():
        # Ties go to the subject seen first in reference order, as in pick_members.
        count, _first, *subjects = max(sorted(by_key.values(), key=lambda e: e[1]),
                                       key=lambda e: e[0])
        if count < SERIES_THRESHOLD:
            continue  # fewer requests than the threshold: fewer administrations too
        listed, more = in_list("subject", subjects)
        members = {ref for (ref,) in db.rows(_MEMBERS.format(subjects=listed),
                                             {"campaign": campaign, **more})}
        if len(members) >= SERIES_THRESHOLD:
            result[campaign] = members
    return result
