"""Dates written the French way in letters: « 15 mars 2026 », « 1er mars 2026 ».

Babel gives the month names (``format_date(d, format="long", locale="fr_FR")``);
the only fix is the ordinal of the first day of the month, which French writes
« 1er ». Babel is imported on first use so that importing cada stays cheap.

>>> from datetime import date
>>> date_fr(date(2026, 3, 1))
'1er mars 2026'
"""

from __future__ import annotations

from datetime import date, datetime


def date_fr(d: date) -> str:
    """``d`` as « 15 mars 2026 » (long French format, « 1er » for the first day)."""
    if isinstance(d, datetime):
        d = d.date()
    if not isinstance(d, date):
        raise TypeError(f"date_fr attend une date, pas {type(d).__name__} ({d!r})")
    from babel.dates import format_date

    text = format_date(d, format="long", locale="fr_FR")
    if d.day == 1 and text.startswith("1 "):
        text = "1er" + text[1:]
    return text
