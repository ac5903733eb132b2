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
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

from cada_tracker.vocab import STEP_LABELS

ALARM_CADA = 7  # days before a step of the CADA's chain (refusal, referral)
ALARM_COURT = 14  # days before the confirmed refusal and the court deadline
COURT_KEYS = ("confirmed_refusal", "court_deadline", "court_deadline_legal")


class Deadline(NamedTuple):
    reference: str
    administration: str
    subject: str
    key: str
    on: date
    state: str = "safe"  # safe | past_safe (the safe date of the step has passed)
    safe_on: date | None = None  # the step's safe date
    legal_on: date | None = None  # the step's legal date (its last day)
    basis: str = ""  # the articles
    campaign: str | None = None
    members: tuple[tuple[str, str], ...] = ()  # a series: (ref, administration)


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
_CAMPAIGNS = ("SELECT DISTINCT campaign FROM request "
              "WHERE next_action IS NOT NULL AND campaign IS NOT NULL")


def upcoming_deadlines(connection, *, today: date,
                       campaign: str | None = None) -> Iterator[Deadline]:
    """The calendar's events, a campaign's at a time (its series grouped at its end)."""
    from cada_tracker.dates import stored_date_parser
    from cada_tracker.readdb import as_reader
    from cada_tracker.services.overdue_query import series_members

    db = as_reader(connection)
    campaigns = {campaign} if campaign else {name for (name,) in db.rows(_CAMPAIGNS)}
    series = series_members(db, campaigns)
    sqlite = db.dialect == "sqlite"
    params = {"today": today.isoformat() if sqlite else today, "campaign": campaign}
    sql = _UPCOMING.format(campaign=" AND r.campaign = :campaign" if campaign else "")
    convert = stored_date_parser()
    current: object = ()  # no campaign is ()
    groups: dict[tuple, list[Deadline]] = {}
    rows = db.rows(sql, params)
    for camp, ref, name, subject, regime, action, *dates in rows:
        if camp != current:
            yield from _series_events(current, groups)
            current, groups = camp, {}
        events = _deadlines(ref, name, subject, camp, regime, action, today,
                            *map(convert, dates))
        if ref in series.get(camp, ()):
            for d in events:
                groups.setdefault((d.key, d.on, d.state), []).append(d)
        else:
            yield from events
    yield from _series_events(current, groups)


def _deadlines(ref, name, subject, campaign, regime, action, today, due, legal_due, implicit,
               implicit_safe, cada, cada_legal, confirmed, court) -> Iterator[Deadline]:
    """A pending request's upcoming events, from its stored clock (pure)."""
    court_legal = legal_due if action != "refer" else None
    steps = (("implicit_refusal", implicit, implicit_safe, implicit),
             ("cada_deadline", cada, cada, cada_legal),
             ("confirmed_refusal", confirmed, confirmed, confirmed),
             ("court_deadline", court, court, court_legal))
    for key, on, safe, legal in steps:
        if on is not None and on >= today:
            yield Deadline(ref, name, subject, key, on, "safe", safe, legal,
                           step_basis(key, regime, safe, legal), campaign)
    step = "cada_deadline" if action == "refer" else "court_deadline"
    if legal_due is not None and legal_due != due and legal_due >= today:
        state = "past_safe" if due is not None and due < today else "safe"
        yield Deadline(ref, name, subject, f"{step}_legal", legal_due, state, due, legal_due,
                       step_basis(step, regime, due, legal_due), campaign)


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


def uid(d: Deadline, database: str, day: str | None = None) -> str:
    """``day``: the date as ``20261123``, when the caller has it already."""
    from cada_tracker.folding import slug

    who = f"serie-{slug(d.campaign)}" if d.members else d.reference
    return f"{who}-{d.key.replace('_', '-')}-{day or f'{d.on:%Y%m%d}'}-{database or 'vide'}@cada"


def write_calendar(path: Path, deadlines: Iterable[Deadline], *, alarm_cada: int = ALARM_CADA,
                   alarm_court: int = ALARM_COURT, database: str = "") -> int:
    """Write the calendar to ``path`` atomically, an event at a time; the event count."""
    from cada_tracker.fileio import write_stream_atomically

    written = [0]
    write_stream_atomically(path, _calendar_chunks(deadlines, written, alarm_cada, alarm_court,
                                                   database), mode=0o644)
    return written[0]


def _calendar_chunks(deadlines, written: list[int], alarm_cada: int, alarm_court: int,
                     database: str) -> Iterator[bytes]:
    from cada_tracker import ics

    yield b"".join((b"BEGIN:VCALENDAR\r\n", ics.line("VERSION", "2.0"),
                    ics.line("PRODID", ics.text("-//cada//Délais CRPA//FR")),
                    ics.line("X-WR-CALNAME", ics.text("cada : échéances"))))
    stamp = ics.line("DTSTAMP", ics.utc_value(datetime.now(UTC)))
    lines = _Lines(ics, database, alarm_cada, alarm_court)
    begin, end, crlf, limit = b"BEGIN:VEVENT\r\n" + stamp, b"END:VEVENT\r\n", ics.CRLF, ics.LIMIT
    batch: list[bytes] = []
    request: tuple = ()
    for d in deadlines:
        if d.members:
            batch += (begin, *lines.series(d), end)
        else:
            if d[:3] != request:  # reference, administration, subject
                request = d[:3]
                reference, who, who_folded, head = lines.request(d)
            shape = d[3:9]  # key, on, state, safe_on, legal_on, basis
            parts = lines.shapes.get(shape)
            if parts is None:
                parts = lines.shapes[shape] = lines.shape(d)
            label, label_folded, uid_rest, when, tail, step = parts
            # The summary on one line when it fits, else folded after the label.
            summary = (label + who + crlf if len(label) + len(who) <= limit
                       else label_folded + who_folded + crlf)
            uid_line = reference + uid_rest
            if len(uid_line) > limit:
                uid_line = ics.line("UID", uid_line[4:].decode())
            else:
                uid_line += crlf
            batch += (begin, uid_line, when, summary, head, tail, step, end)
        written[0] += 1
        if len(batch) > 4096:
            yield b"".join(batch)
            batch = []
    batch.append(b"END:VCALENDAR\r\n")
    yield b"".join(batch)


class _Lines:
    """An event's content lines, from parts escaped and folded once.

    A request's events come one after the other and share its reference, name and
    subject (``request``); an event's step, dates and articles (its *shape*: the
    label, the UID's end, the day, the description's tail, the categories and the
    alarm) repeat across the archive (``shape``, kept in ``shapes``). Escaping
    (``ics.text``) is per character and every part is joined by a newline or a
    constant, so the escaped parts joined are the escaped whole
    (``test_events_of_one_request_escape_each_part_as_the_whole`` checks it on
    hostile text). Long lines are folded a part at a time (``ics.start`` and
    ``ics.more``). A series' event is built whole, as ``_description`` says.
    """

    def __init__(self, ics, database: str, alarm_cada: int, alarm_court: int) -> None:
        self.ics = ics
        self.database = database
        self.alarms = (alarm_cada, alarm_court)
        self.shapes: dict[tuple, tuple[bytes, ...]] = {}
        self.names: dict[str, str] = {}  # administration → its name escaped
        self.french = _FrenchDates()

    def request(self, d: Deadline) -> tuple[bytes, bytes, bytes, bytes]:
        """``UID:`` and the reference, the summary's end (whole and folded), the
        description's first part. An administration's name is escaped once: escaping
        is per character, so the parts escaped apart and joined are the whole escaped
        (but for a subject ending in CR, which the whole's CRLF would join to the
        newline that follows)."""
        ics = self.ics
        name = self.names.get(d.administration)
        if name is None:
            name = self.names[d.administration] = ics.text(d.administration)
        reference = ics.text(d.reference)
        who = f"{reference} {name}"
        subject = d.subject
        description = (ics.text(f"{subject}\nDemande {d.reference} ({d.administration}).")
                       if subject.endswith("\r") else
                       f"{ics.text(subject)}\\nDemande {reference} ({name}).")
        return (f"UID:{reference}".encode(), who.encode(), ics.more(who),
                ics.start("DESCRIPTION", description))

    def shape(self, d: Deadline) -> tuple[bytes, ...]:
        ics = self.ics
        day = ics.date_value(d.on)
        label = ics.text(_label(d)) + " — "
        categories, alarm = _step_lines(ics, d, *self.alarms)
        return (f"SUMMARY:{label}".encode(), ics.start("SUMMARY", label),
                # The UID is the reference, then the step, the day and the database.
                ics.text(uid(d._replace(reference=""), self.database, day)).encode(),
                _day_lines(ics, d.on), ics.more(ics.text(_tail(d, self.french))) + ics.CRLF,
                categories + alarm)

    def series(self, d: Deadline) -> tuple[bytes, ...]:
        ics = self.ics
        categories, alarm = _step_lines(ics, d, *self.alarms)
        return (ics.line("UID", ics.text(uid(d, self.database))), _day_lines(ics, d.on),
                ics.line("SUMMARY", ics.text(f"{_label(d)} — {d.reference} {d.administration}")),
                ics.line("DESCRIPTION", ics.text(_description(d, self.french))),
                categories, alarm)


def _day_lines(ics, on: date) -> bytes:
    """An all-day event on ``on``: DTSTART and the next day as DTEND (exclusive)."""
    return (ics.line("DTSTART;VALUE=DATE", ics.date_value(on))
            + ics.line("DTEND;VALUE=DATE", ics.date_value(on + timedelta(days=1))))


def _step_lines(ics, d: Deadline, alarm_cada: int, alarm_court: int) -> tuple[bytes, bytes]:
    """A step's categories and its alarm (none with 0 days)."""
    categories = ics.line("CATEGORIES", ",".join(ics.text(c) for c in ("cada", d.key, d.state)))
    days = alarm_court if d.key in COURT_KEYS else alarm_cada
    if not days:
        return categories, b""
    return categories, b"".join((
        b"BEGIN:VALARM\r\n", b"ACTION:DISPLAY\r\n",
        ics.line("DESCRIPTION", ics.text(f"Échéance dans {days} jour(s) : {STEP_LABELS[d.key]}")),
        ics.line("TRIGGER", ics.duration(timedelta(days=-days))), b"END:VALARM\r\n"))


def _label(d: Deadline) -> str:
    if d.state == "past_safe":
        return f"{STEP_LABELS[d.key]} (date prudente dépassée, encore possible)"
    return STEP_LABELS[d.key]


class _FrenchDates(dict):
    """``format_fr`` of each date once (a calendar holds a few hundred distinct days)."""

    def __missing__(self, day: date) -> str:
        from cada_tracker.dates import format_fr

        self[day] = text = format_fr(day)
        return text


def _description(d: Deadline, format_fr=None) -> str:
    format_fr = _FrenchDates() if format_fr is None else format_fr
    if d.members:
        lines = [d.subject, f"Série « {d.campaign} » (L342-1 al. 2 CRPA) : "
                 f"{len(d.members)} demandes :"]
        lines += [f"- {ref} ({name})" for ref, name in d.members]
    else:
        lines = [d.subject, f"Demande {d.reference} ({d.administration})."]
    return "\n".join(lines) + _tail(d, format_fr)


def _tail(d: Deadline, format_fr: _FrenchDates) -> str:
    """What follows the request (or the series) in the description: dates, articles."""
    lines = []
    if d.legal_on is not None:
        safe = d.safe_on or d.legal_on
        lines.append(f"Date prudente : {format_fr[safe]} ; date légale (dernier jour) : "
                     f"{format_fr[d.legal_on]}.")
    if d.basis:
        lines.append(f"Articles : {d.basis}.")
    if d.key.endswith("_legal"):
        lines.append("Après ce jour, le délai est expiré.")
    return "".join("\n" + line for line in lines)
