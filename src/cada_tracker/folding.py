"""Search keys: French text folded so that it is found however it is typed. Pure.

A key is the text's words, lower case, without accents, ligatures or punctuation,
separated by single spaces. Keys are computed in Python and stored with each row
(``administration.search_key``, ``administration.name_key``, ``request.search_key``,
``requested_document.search_key``; migration 0010), so that matching is a plain
``LIKE`` on a lower-case ASCII-like column: the same on SQLite and PostgreSQL, with
no collation, extension or ``unaccent`` needed.

>>> fold("SAINT-ÉTIENNE")
'saint etienne'
>>> fold("Œuvre d'Émanville")
'oeuvre d emanville'
>>> name_key("Préfecture de l'Ain") == name_key("Préfecture - Ain")
True
>>> name_key("Mairie - Bagneux 92007-01") == name_key("Mairie de Bagneux")
True
"""

from __future__ import annotations

import re
import unicodedata

# Letters NFKD does not decompose, written as French (and neighbours) spell them plain.
_LETTERS = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "đ": "d", "ł": "l",
                          "ı": "i", "þ": "th", "ð": "d"})
_NOT_WORD = re.compile(r"[\W_]+")
# Alaveteli (Ma Dada) names end with the INSEE code of the commune and a rank.
_DIRECTORY_CODE = re.compile(r"\s+[0-9][0-9AB]\d{3}-\d{2}\s*$")
# Articles and prepositions that two directories write differently ("Préfecture de
# l'Ain", "Préfecture - Ain"): left out of the name key only.
_LINK_WORDS = frozenset({"de", "du", "des", "d", "l", "la", "le", "les", "a", "au", "aux"})


def fold(text: str | None) -> str:
    """Words of ``text``: casefolded, NFKD without combining marks, ligatures spelt out,
    anything but letters and digits turned into one space."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(char for char in text if not unicodedata.combining(char))
    return " ".join(_NOT_WORD.sub(" ", text.translate(_LETTERS)).split())


def search_words(text: str) -> list[str]:
    """The distinct words of a search, a word contained in another one dropped."""
    words = list(dict.fromkeys(fold(text).split()))
    return [w for w in words if not any(w != other and w in other for other in words)]


def admin_search_key(name: str | None, city: str | None, postcode: str | None) -> str:
    """What ``cada admin list --search`` matches: name, city and postal code."""
    return " ".join(part for part in (fold(name), fold(city), fold(postcode)) if part)


def name_key(name: str | None) -> str:
    """The name as two directories of the same body agree on it: folded, without
    Ma Dada's trailing code, articles and prepositions. Used to recognise one body
    (with its postal code) and to find a name in ``--to-file``."""
    if not name:
        return ""
    words = fold(_DIRECTORY_CODE.sub("", name)).split()
    return " ".join(w for w in words if w not in _LINK_WORDS)


def request_search_key(reference: str | None, subject: str | None) -> str:
    """What ``cada list --search`` matches on a request itself (its documents and its
    administration have their own keys)."""
    return " ".join(part for part in (fold(reference), fold(subject)) if part)


def slug(text: str, limit: int = 60) -> str:
    """ASCII, lower case, dashes: safe in a file name (and an iCalendar UID) everywhere."""
    text = text.lower().replace("œ", "oe").replace("æ", "ae").replace("ß", "ss")
    bare = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    words = re.sub(r"[^a-z0-9]+", "-", bare).strip("-")
    return (words[:limit].rstrip("-")) or "administration"
