"""Dates typed by users: ``2026-03-15`` or ``15/03/2026`` (also ``15/03/26`` is refused)."""

from __future__ import annotations

import re
from datetime import date

from cada_tracker.errors import InputError

# The legal record spans living administrations: a year outside this range is a typo
# (0026 for 2026) or a hostile value, and would crash date arithmetic near 9999.
YEAR_MIN, YEAR_MAX = 1900, 2100

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_FR = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def parse_date(text: str, *, field: str = "date") -> date:
    value = text.strip()
    if len(text) > 40:  # never a date; keep a hostile value short in the message
        text = text[:40] + "…"
    match = _ISO.match(value)
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        match = _FR.match(value)
        if not match:
            raise InputError(
                f"{field} : « {text} » n'est pas une date (formats acceptés : "
                "2026-03-15 ou 15/03/2026)."
            )
        day, month, year = (int(g) for g in match.groups())
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise InputError(f"{field} : « {text} » : l'année doit être comprise entre {YEAR_MIN} "
                         f"et {YEAR_MAX}.")
    try:
        return date(year, month, day)
    except ValueError:
        raise InputError(f"{field} : « {text} » n'existe pas dans le calendrier.") from None


def not_in_future(value: date, today: date, *, field: str = "date") -> date:
    if value > today:
        raise InputError(
            f"{field} : le {value:%d/%m/%Y} est dans le futur (aujourd'hui : {today:%d/%m/%Y}) ; "
            "on n'enregistre que ce qui s'est passé."
        )
    return value


def format_fr(value: date | None) -> str:
    return "" if value is None else value.strftime("%d/%m/%Y")


def stored_date_parser():
    """A stored date to ``date``: ISO text (what SQLite returns without the ORM) is
    parsed once per distinct value, a ``date`` (PostgreSQL) or None is kept. A value
    seen before costs one dictionary lookup (``_Parsed.__getitem__``, in C)."""
    return _Parsed({None: None}).__getitem__


class _Parsed(dict):
    def __missing__(self, value):
        self[value] = parsed = value if isinstance(value, date) else date.fromisoformat(value)
        return parsed
