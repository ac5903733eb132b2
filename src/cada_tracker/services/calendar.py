"""The upcoming deadlines as an iCalendar file (RFC 5545) a group can subscribe to.

Each step's safe date is an event; the pending step's legal last day, when it
differs, is one more (``…_legal``): once the safe date has passed, the calendar
still shows the day the action stays possible, marked ``past_safe`` (RULES.md
§12bis-6). Nothing is written for a step whose legal last day has passed.

Every event's description gives the step's legal date, its safe date and its
articles, as the engine computed them when the request's events last changed: the
dates are the stored clock (``services.clock.refresh_deadlines``, migration 0016),
the articles the engine's rule for the step (``step_basis``), so the legal chain is
never recomputed here. The members of a series (L342-1 al. 2) that share a
deadline are one event listing them. UIDs are globally unique and stable: the step,
the request (or the series) and an identifier of the database, derived from its
first request (its reference and the instant it was recorded, which never
change), so two groups' calendars never collide and a re-export updates the same
events.

Plain SQL over the covering index ``ix_request_calendar``, without the ORM, read a
row at a time in campaign order: a series is grouped when its campaign ends, every
other event is written as it comes, so memory does not grow with the archive.
``write_upcoming`` writes straight from the rows: an event is its request's row
and its *shape* (step, dates, state, regime), whose lines ``services.calendar_ics``
makes once for every request that shares it; ``upcoming_deadlines`` gives the same
events as ``Deadline`` objects, and ``write_calendar`` of them the same bytes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

from cada_tracker.services.calendar_ics import (
    ALARM_CADA,
    ALARM_COURT,
    Deadline,
    write_calendar,
    write_items,
)

__all__ = ["Deadline", "database_id", "step_basis", "upcoming_deadlines", "write_calendar",
           "write_upcoming"]

def step_basis(key: str, regime: str, safe: date | None, legal: date | None) -> str:
    """The articles the engine gives a step (deadlines/rules.py), from stored facts."""
    rule = (key, regime, safe != legal)
    basis = _BASES.get(rule)
    if basis is None:
        basis = _BASES[rule] = _step_basis(key, regime, safe, legal)
    return basis


_BASES: dict[tuple[str, str, bool], str] = {}


def _step_basis(key: str, regime: str, safe: date | None, legal: date | None) -> str:
    """``step_basis``, computed (each rule once per process).

    Only the implicit refusal's rule depends on the request: its regime and, in the
    environmental regime, whether an extension moved it (then its safe date, the
    first month, is earlier than its legal date).
    """
    from cada_tracker.deadlines import rules

    if key == "implicit_refusal":
        if regime == "archives":
            return rules.IMPLICIT_REFUSAL_ARCHIVES.basis
        if regime == "environment":
            return (rules.IMPLICIT_REFUSAL_ENV_EXTENDED if safe != legal
                    else rules.IMPLICIT_REFUSAL_ENV).basis
        return rules.IMPLICIT_REFUSAL.basis
    return {"cada_deadline": rules.CADA_DEADLINE, "confirmed_refusal": rules.CONFIRMED_REFUSAL,
            "court_deadline": rules.COURT_DEADLINE}[key].basis


_FIRST = "SELECT reference, created_at FROM request ORDER BY created_at, reference LIMIT 1"


def database_id(connection) -> str:
    """A short identifier of this database, stable for its life ("" while empty)."""
    from cada_tracker.readdb import as_reader
    from cada_tracker.services.view_dict import utc

    first = as_reader(connection).first(_FIRST)
    if first is None:
        return ""
    reference, created = first
    # In UTC, as the model's column type gives it (SQLite stores it as text without an
    # offset): the identifier, hence every UID, stays what it was.
    created = utc(datetime.fromisoformat(created) if isinstance(created, str) else created)
    return hashlib.sha256(f"{reference}|{created.isoformat()}".encode()).hexdigest()[:12]


_UPCOMING = """
SELECT r.campaign, r.reference, a.name, r.subject, r.regime, r.next_action, r.action_due,
       r.action_due_legal, r.implicit_refusal_on, r.implicit_refusal_safe_on,
       r.cada_deadline_on, r.cada_deadline_legal_on, r.confirmed_refusal_on,
       r.court_deadline_on
FROM request AS r JOIN administration AS a ON a.id = r.administration_id
WHERE r.next_action IS NOT NULL
  AND (r.action_due_legal >= :today OR r.implicit_refusal_on >= :today
       OR r.cada_deadline_on >= :today OR r.confirmed_refusal_on >= :today
       OR r.court_deadline_on >= :today){campaign}
ORDER BY r.campaign, r.reference
"""
# The campaigns of the pending requests, one index seek each (a skip scan of
# ix_request_calendar, which leads with the campaign), not a scan of the index.
_CAMPAIGNS = """
WITH RECURSIVE c(name) AS (
  SELECT MIN(campaign) FROM request WHERE next_action IS NOT NULL AND campaign IS NOT NULL
  UNION ALL
  SELECT (SELECT MIN(r.campaign) FROM request AS r
          WHERE r.next_action IS NOT NULL AND r.campaign > c.name)
  FROM c WHERE c.name IS NOT NULL)
SELECT name FROM c WHERE name IS NOT NULL
"""


def upcoming_deadlines(connection, *, today: date,
                       campaign: str | None = None) -> Iterator[Deadline]:
    """The calendar's events, a campaign's at a time (its series grouped at its end)."""
    rows, today_key, series, convert = _upcoming(connection, today, campaign)
    for item in _items(rows, today_key, series, convert):
        if type(item) is Deadline:
            yield item
            continue
        (campaign_, reference, administration, subject, *_), shapes = item
        for shape in shapes:
            yield _deadline(reference, administration, subject, campaign_, shape, convert)


def _upcoming(connection, today: date, campaign: str | None):
    """The rows of the pending requests with an upcoming step, today as the rows give
    their dates (ISO text from SQLite: compared as text), the series, the parser."""
    from cada_tracker.dates import stored_date_parser
    from cada_tracker.readdb import as_reader
    from cada_tracker.services.overdue_query import series_members

    db = as_reader(connection)
    campaigns = {campaign} if campaign else {name for (name,) in db.rows(_CAMPAIGNS)}
    series = series_members(db, campaigns)
    today_key = today.isoformat() if db.dialect == "sqlite" else today
    sql = _UPCOMING.format(campaign=" AND r.campaign = :campaign" if campaign else "")
    return (db.rows(sql, {"today": today, "campaign": campaign}), today_key, series,
            stored_date_parser())


def _items(rows, today, series, convert) -> Iterator:
    """Per request, its row (campaign, reference, administration, subject, …) and its
    events' shapes; a series' events (``Deadline`` with members) when its campaign
    ends."""
    current: object = ()  # no campaign is ()
    groups: dict[tuple, list[Deadline]] = {}
    members: set[str] | tuple = ()
    for row in rows:
        campaign = row[0]
        if campaign != current:
            yield from _series_events(current, groups)
            current, groups, members = campaign, {}, series.get(campaign, ())
        shapes = _shapes(row, today)
        if row[1] in members:
            for shape in shapes:
                d = _deadline(row[1], row[2], row[3], campaign, shape, convert)
                groups.setdefault((d.key, d.on, d.state), []).append(d)
        elif shapes:
            yield row, shapes
    yield from _series_events(current, groups)


def _shapes(row, today) -> list[tuple]:
    """A pending request's upcoming events from its stored clock (pure), each as its
    *shape* ``(key, on, state, safe, legal, regime)``, dates as the row gives them."""
    (_c, _r, _a, _s, regime, action, due, legal_due, implicit, implicit_safe, cada,
     cada_legal, confirmed, court) = row
    shapes = []
    if implicit is not None and implicit >= today:
        shapes.append(("implicit_refusal", implicit, "safe", implicit_safe, implicit, regime))
    if cada is not None and cada >= today:
        shapes.append(("cada_deadline", cada, "safe", cada, cada_legal, regime))
    if confirmed is not None and confirmed >= today:
        shapes.append(("confirmed_refusal", confirmed, "safe", confirmed, confirmed, regime))
    if court is not None and court >= today:
        shapes.append(("court_deadline", court, "safe", court,
                       legal_due if action != "refer" else None, regime))
    if legal_due is not None and legal_due != due and legal_due >= today:
        step = "cada_deadline" if action == "refer" else "court_deadline"
        state = "past_safe" if due is not None and due < today else "safe"
        shapes.append((f"{step}_legal", legal_due, state, due, legal_due, regime))
    return shapes


def _deadline(reference, administration, subject, campaign, shape, convert) -> Deadline:
    key, on, state, safe, legal, regime = shape
    on, safe, legal = convert(on), convert(safe), convert(legal)
    step = key[:-6] if key.endswith("_legal") else key  # the articles of the step itself
    return Deadline(reference, administration, subject, key, on, state, safe, legal,
                    step_basis(step, regime, safe, legal), campaign)


def _series_events(campaign, groups: dict[tuple, list[Deadline]]) -> Iterator[Deadline]:
    """The members of a series sharing a deadline (step, date, state): one event."""
    for members in groups.values():
        if len(members) == 1:
            yield members[0]
            continue
        first = members[0]
        yield Deadline(f"série {campaign}", f"{len(members)} administrations", first.subject,
                       first.key, first.on, first.state, first.safe_on, first.legal_on,
                       first.basis, campaign,
                       tuple((m.reference, m.administration) for m in members))


def write_upcoming(path: Path, connection, *, today: date, campaign: str | None = None,
                   alarm_cada: int = ALARM_CADA, alarm_court: int = ALARM_COURT,
                   database: str = "") -> int:
    """``write_calendar(path, upcoming_deadlines(…))``, the same bytes, without a
    ``Deadline`` for each event: an event is built from its request's row and its
    shape, whose lines are made once for all the requests that share it."""
    rows, today_key, series, convert = _upcoming(connection, today, campaign)

    def make(shape: tuple) -> Deadline:
        return _deadline("", "", "", None, shape, convert)

    return write_items(path, _items(rows, today_key, series, convert), make, alarm_cada,
                  alarm_court, database)
