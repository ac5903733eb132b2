"""``--search TEXT`` as a SQL LIKE pattern: bounded, and its wildcards taken literally."""

from __future__ import annotations

from cada_tracker.errors import InputError

SEARCH_MAX = 200  # characters; SQLite refuses LIKE patterns past 50 000 bytes
ESCAPE = "\\"


def contains(text: str, *, field: str = "--search") -> str:
    """The pattern matching ``text`` anywhere, lower-cased; ``%`` and ``_`` are literal.

    Use with ``column.like(pattern, escape=ESCAPE)``.
    """
    value = text.strip().lower()
    if len(value) > SEARCH_MAX:
        raise InputError(f"{field} : texte cherché trop long ({len(value)} caractères, "
                         f"{SEARCH_MAX} au plus).")
    for char in (ESCAPE, "%", "_"):
        value = value.replace(char, ESCAPE + char)
    return f"%{value}%"
