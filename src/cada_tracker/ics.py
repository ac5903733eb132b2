"""Writing iCalendar (RFC 5545) directly: content lines, escaped and folded. Pure.

``cada calendar`` writes tens of thousands of events; building them as
``icalendar`` objects cost about 1.3 ms an event. Only what the calendar needs is
written here: text values escaped (RFC 5545 §3.3.11: ``\\``, ``;``, ``,`` and
newlines), control characters shown as ``\\x1b``-style text as on a terminal (a
TEXT value may not hold them), lines ended by CRLF and folded at 75 octets without
splitting a UTF-8 character (§3.1). The tests parse the output with ``icalendar``.

>>> line("SUMMARY", text("a;b, c\\\\d\\ne"))
b'SUMMARY:a\\\\;b\\\\, c\\\\\\\\d\\\\ne\\r\\n'
>>> [len(p) for p in line("DESCRIPTION", "é" * 60).split(b"\\r\\n")]
[74, 59, 0]
>>> (start("SUMMARY", "a" * 60) + more("b" * 80) + CRLF).split(b"\\r\\n")[1:]
[b' bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', b' bbbbbb', b'']
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from cada_tracker.escape import terminal

CRLF = b"\r\n"
FOLD = b"\r\n "  # a folded line continues after CRLF and one space
LIMIT = 75  # octets of a line, CRLF excluded (§3.1)


# What text() changes: the reserved characters and what escape.terminal shows.
_SPECIAL = re.compile("[\\\\;,\n\r\x00-\x1f\x7f-\x9f"
                      "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def text(value: str) -> str:
    """A TEXT value (§3.3.11): the characters RFC 5545 reserves are escaped."""
    if _SPECIAL.search(value) is None:
        return value
    value = terminal(value.replace("\r\n", "\n").replace("\r", "\n"))
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\n", "\\n"))


def line(name: str, value: str) -> bytes:
    """One content line, folded: no line longer than 75 octets, UTF-8 kept whole."""
    data = f"{name}:{value}".encode()
    if len(data) <= LIMIT:
        return data + CRLF
    return _fold(data, LIMIT) + CRLF


def start(name: str, value: str) -> bytes:
    """The first part of a content line, folded, without its end: ``more`` follows."""
    return _fold(f"{name}:{value}".encode(), LIMIT)


def more(value: str) -> bytes:
    """A further part of a content line, folded on its own after a fold of its own.

    A line may be folded between any two characters (§3.1), so parts folded apart
    and joined (``start(name, a) + more(b) + CRLF``) unfold to ``name:ab``: a part
    that repeats across events is folded once, whatever precedes it.
    """
    data = value.encode()
    return FOLD + (data if len(data) < LIMIT else _fold(data, LIMIT - 1)) if data else b""


def open_start(name: str, value: str) -> tuple[bytes, int]:
    """``start``, and the octets its last line leaves free: ``go_on`` continues that
    line, so that the parts joined are folded exactly as the whole would be."""
    data = _fold(f"{name}:{value}".encode(), LIMIT)
    last = data.rfind(FOLD)
    return data, (LIMIT - len(data) if last < 0 else LIMIT - 1 - (len(data) - last - 3))


def go_on(value: str, free: int) -> bytes:
    """The rest of a content line begun by ``open_start`` (``free`` octets left on
    its last line), folded as if the line had been folded whole, without its end."""
    data = value.encode()
    return data if len(data) <= free else _fold(data, free)


def _fold(data: bytes, limit: int) -> bytes:
    """``data`` in lines of at most ``limit`` octets (the first), LIMIT - 1 after."""
    parts, start = [], 0
    while len(data) - start > limit:
        end = start + limit
        while data[end] & 0xC0 == 0x80:  # a continuation byte: cut before its character
            end -= 1
        parts.append(data[start:end])
        start, limit = end, LIMIT - 1  # the leading space counts
    parts.append(data[start:])
    return FOLD.join(parts)


def date_value(day: date) -> str:
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


def utc_value(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%SZ")


def duration(delta: timedelta) -> str:
    """A whole number of days as a DURATION (§3.3.6): ``-P7D``."""
    days = delta.days
    return f"{'-' if days < 0 else ''}P{abs(days)}D"
