"""Writing the calendar's events as RFC 5545 (pure, but for the file written atomically).

Each step's safe date is an event; the pending step's legal last day, when it
differs, is one more (``…_legal``), marked ``past_safe`` once the safe date has
passed (RULES.md §12bis-6). Every event's description gives the step's legal
date, its safe date and its articles. The members of a series (L342-1 al. 2) that
share a deadline are one event listing them. UIDs are globally unique and stable:
the step, the request (or the series) and an identifier of the database
(``services.calendar.database_id``).

At national scale the calendar holds hundreds of thousands of events: their lines
are made from parts escaped and folded once (``_Lines``), and written in chunks.
"""

from __future__ import annotations

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


def uid(d: Deadline, database: str, day: str | None = None) -> str:
    """``day``: the date as ``20261123``, when the caller has it already."""
    from cada_tracker.folding import slug

    who = f"serie-{slug(d.campaign)}" if d.members else d.reference
    return f"{who}-{d.key.replace('_', '-')}-{day or f'{d.on:%Y%m%d}'}-{database or 'vide'}@cada"


def write_calendar(path: Path, deadlines: Iterable[Deadline], *, alarm_cada: int = ALARM_CADA,
                   alarm_court: int = ALARM_COURT, database: str = "") -> int:
    """Write the calendar of ``deadlines`` to ``path`` atomically; the event count."""
    items = (d if d.members else ((d.campaign, *d[:3]), (d[3:9],)) for d in deadlines)
    return write_items(path, items, lambda shape: Deadline("", "", "", *shape), alarm_cada,
                  alarm_court, database)


def write_items(path, items, make, alarm_cada: int, alarm_court: int, database: str) -> int:
    """Write ``items`` (see ``_calendar_chunks``) to ``path`` atomically; the event count."""
    from cada_tracker.fileio import write_stream_atomically

    written = [0]
    write_stream_atomically(path, _calendar_chunks(items, make, written, alarm_cada,
                                                   alarm_court, database), mode=0o644)
    return written[0]


def _calendar_chunks(items, make, written: list[int], alarm_cada: int, alarm_court: int,
                     database: str) -> Iterator[bytes]:
    """The file's bytes. ``items``: a series' ``Deadline`` (or one of its members),
    or a request's ``(campaign, reference, administration, subject, …)`` and its
    events' shapes, a shape being what ``make`` turns into a ``Deadline`` without
    its request."""
    from cada_tracker import ics

    yield b"".join((b"BEGIN:VCALENDAR\r\n", ics.line("VERSION", "2.0"),
                    ics.line("PRODID", ics.text("-//cada//Délais CRPA//FR")),
                    ics.line("X-WR-CALNAME", ics.text("cada : échéances"))))
    stamp = ics.line("DTSTAMP", ics.utc_value(datetime.now(UTC)))
    lines = _Lines(ics, database, alarm_cada, alarm_court)
    shapes: dict[tuple, tuple[bytes, ...]] = {}
    begin, end, crlf = b"BEGIN:VEVENT\r\n" + stamp, b"END:VEVENT\r\n", ics.CRLF
    batch: list[bytes] = []
    request: tuple = ()
    count = 0
    for item in items:
        if type(item) is Deadline:
            if item.members:
                batch += (begin, *lines.series(item), end)
                count += 1
                continue
            # A series' deadline that only one member has: its own event.
            req, events, own = (None, *item[:3]), (item[3:9],), lines.shape(item)
        else:
            (req, events), own = item, None
        if req[1:4] != request:
            request = req[1:4]
            reference, who, head = lines.request(*request)
            who_line, who_folded, ref_length = who + crlf, None, len(reference)
        width = len(who)
        for shape in events:
            parts = own or shapes.get(shape)
            if parts is None:
                parts = shapes[shape] = lines.shape(make(shape))
            label, room, label_folded, uid_rest, uid_room, when, rest = parts
            # The summary on one line when it fits, else folded after the label.
            if width <= room:
                summary = label + who_line
            else:
                if who_folded is None:
                    who_folded = ics.more(who.decode()) + crlf
                summary = label_folded + who_folded
            if ref_length <= uid_room:
                uid_line = reference + uid_rest
            else:
                uid_line = ics.line("UID", (reference + uid_rest)[4:-2].decode())
            batch += (begin, uid_line, when, summary, head, rest)
        count += len(events)
        if len(batch) > 4096:
            yield b"".join(batch)
            batch = []
    written[0] = count
    batch.append(b"END:VCALENDAR\r\n")
    yield b"".join(batch)


class _Lines:
    """An event's content lines, from parts escaped and folded once.

    A request's events come one after the other and share its reference, name and
    subject (``request``); an event's step, dates and articles (its *shape*: the
    label, the UID's end, the day, the description's tail, the categories and the
    alarm) repeat across the archive (``shape``, kept by the writer). Escaping
    (``ics.text``) is per character and every part is joined by a newline or a
    constant, so the escaped parts joined are the escaped whole
    (``test_events_of_one_request_escape_each_part_as_the_whole`` checks it on
    hostile text). Long lines are folded a part at a time (``ics.start`` and
    ``ics.more``; ``ics.open_start`` and ``ics.go_on`` where the line must fold as
    a whole). A series' event is built whole, as ``_description`` says.
    """

    def __init__(self, ics, database: str, alarm_cada: int, alarm_court: int) -> None:
        self.ics = ics
        self.database = database
        self.alarms = (alarm_cada, alarm_court)
        self.names: dict[str, str] = {}  # administration → its name escaped
        self.subjects: dict[str, tuple[bytes, int]] = {}  # subject → ics.open_start
        self.steps: dict[tuple[str, str], tuple[bytes, bytes, bytes]] = {}
        self.days: dict[date, tuple[str, bytes]] = {}
        self.end = b"END:VEVENT\r\n"
        self.french = _FrenchDates()

    def request(self, reference: str, administration: str,
                subject: str) -> tuple[bytes, bytes, bytes]:
        """``UID:`` and the reference, the summary's end, the description's first part.

        An administration's name is escaped once, a subject escaped and folded once:
        escaping is per character, so the parts escaped apart and joined are the whole
        escaped (but for a subject ending in CR, which the whole's CRLF would join to
        the newline that follows), and ``ics.go_on`` folds the rest of the line as
        the whole line would have been folded."""
        ics = self.ics
        name = self.names.get(administration)
        if name is None:
            name = self.names[administration] = ics.text(administration)
        reference_ = ics.text(reference)
        if subject.endswith("\r"):
            head = ics.start("DESCRIPTION",
                             ics.text(f"{subject}\nDemande {reference} ({administration})."))
        else:
            opened = self.subjects.get(subject)
            if opened is None:
                opened = self.subjects[subject] = ics.open_start(
                    "DESCRIPTION", f"{ics.text(subject)}\\nDemande ")
            head = opened[0] + ics.go_on(f"{reference_} ({name}).", opened[1])
        return f"UID:{reference_}".encode(), f"{reference_} {name}".encode(), head

    def shape(self, d: Deadline) -> tuple:
        """The parts of an event without its request: the summary's label, the room
        it leaves on its line, the label folded, the UID's end and the room it leaves,
        the day's lines, and the rest of the event (the description's tail, the
        categories, the alarm, END). What only depends on the step and its state
        (label, categories, alarm) or on the day is made once."""
        ics = self.ics
        step = self.steps.get((d.key, d.state))
        if step is None:
            label = ics.text(_label(d)) + " — "
            step = self.steps[d.key, d.state] = (
                f"SUMMARY:{label}".encode(), ics.start("SUMMARY", label),
                b"".join(_step_lines(ics, d, *self.alarms)))
        day = self.days.get(d.on)
        if day is None:
            day = self.days[d.on] = (ics.date_value(d.on), _day_lines(ics, d.on))
        # The UID is the reference, then the step, the day and the database.
        uid_rest = ics.text(uid(d._replace(reference=""), self.database, day[0])).encode()
        return (step[0], ics.LIMIT - len(step[0]), step[1], uid_rest + ics.CRLF,
                ics.LIMIT - len(uid_rest), day[1],
                ics.more(ics.text(_tail(d, self.french))) + ics.CRLF + step[2] + self.end)

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
