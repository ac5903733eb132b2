"""``--search TEXT``: bounded, matched word by word on folded search keys.

Each word of the search (accents, case and punctuation folded by
:mod:`cada_tracker.folding`) must appear in a row's search key, in any order:
"etienne saint" finds "Saint-Étienne". A search of punctuation alone has no word
and finds nothing. Folded words hold no ``%`` or ``_``; they are escaped anyway.
"""

from __future__ import annotations

from sqlalchemy import and_, false, or_

from cada_tracker.errors import InputError
from cada_tracker.folding import search_words

SEARCH_MAX = 200  # characters; SQLite refuses LIKE patterns past 50 000 bytes
ESCAPE = "\\"


def _bounded(text: str, field: str) -> str:
    value = text.strip()
    if len(value) > SEARCH_MAX:
        raise InputError(f"{field} : texte cherché trop long ({len(value)} caractères, "
                         f"{SEARCH_MAX} au plus).")
    return value


def contains(text: str, *, field: str = "--search") -> str:
    """The pattern matching ``text`` anywhere, lower-cased; ``%`` and ``_`` are literal.

    Use with ``column.like(pattern, escape=ESCAPE)``.
    """
    value = _bounded(text, field).lower()
    for char in (ESCAPE, "%", "_"):
        value = value.replace(char, ESCAPE + char)
    return f"%{value}%"


def word_patterns(text: str, *, field: str = "--search") -> list[str]:
    """One ``LIKE`` pattern per folded word of ``text`` (empty: nothing can match)."""
    return [contains(word) for word in search_words(_bounded(text, field))]


def every_word(text: str, *matchers, field: str = "--search"):
    """A condition: each word of ``text`` satisfies one of ``matchers`` (functions from
    a ``LIKE`` pattern to a condition; :func:`key_like` for a search key column)."""
    patterns = word_patterns(text, field=field)
    if not patterns:
        return false()
    return and_(*(or_(*(match(p) for match in matchers)) for p in patterns))


def key_like(column):
    """The matcher of a folded key column."""
    return lambda pattern: column.like(pattern, escape=ESCAPE)
