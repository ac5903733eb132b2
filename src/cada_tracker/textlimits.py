"""How long a text a user puts in an indexed column may be: the same on every back end.

PostgreSQL refuses a btree index row over 2,704 bytes (a third of a page), with an
English error, once the statement has begun; SQLite has no such limit. So the texts
that end up in an index (an administration's name and city, which its search keys
fold together, a tag, a directory's key) are bounded here before anything is written,
in characters as the user counts them: at most 4 bytes of UTF-8 each, so a name stays
under 2,000 bytes. Folding (casefold, NFKD) makes an accented letter 3 bytes and a few
characters many more (« ﷺ » becomes 18 letters): the decomposed text is bounded too,
at 3 bytes a character, which every Latin, Greek or CJK text passes. The longest key,
a name and a city folded with the postal code, stays under 1,900 bytes.

>>> check("Mairie de Lyon", NAME_MAX, "--name")
'Mairie de Lyon'
>>> check("x" * 501, NAME_MAX, "--name")
Traceback (most recent call last):
...
cada_tracker.errors.InputError: --name : 501 caractères, 500 au plus.
"""

from __future__ import annotations

import unicodedata

from cada_tracker.errors import InputError

#: An administration's name (real ones stay under 200 characters).
NAME_MAX = 500
#: A city, and a tag (one word or two, a ``name:value`` of Ma Dada).
CITY_MAX = 100
TAG_MAX = 100
#: A directory's own key of a record (``cada admin export`` writes it).
KEY_MAX = 500


def problem(value: str, limit: int) -> str | None:
    """Why ``value`` is too long for an index (French), or None."""
    if len(value) > limit:
        return f"{len(value)} caractères, {limit} au plus"
    if len(unicodedata.normalize("NFKD", value.casefold()).encode("utf-8")) > 3 * limit:
        return (f"texte trop long une fois ses caractères décomposés ({len(value)} "
                f"caractères, {limit} au plus de lettres simples)")
    return None


def check(value: str, limit: int, what: str) -> str:
    """``value``, or an InputError naming ``what`` (a flag, a field) and the limit."""
    why = problem(value, limit)
    if why is not None:
        raise InputError(f"{what} : {why}.")
    return value


def check_tags(tags, what: str = "--tag") -> list[str]:
    """Each tag within :data:`TAG_MAX` (the message quotes the start of the one too long)."""
    for tag in tags:
        why = problem(tag, TAG_MAX)
        if why is not None:
            raise InputError(f"{what} : étiquette « {tag[:40]}… » : {why}.")
    return list(tags)
