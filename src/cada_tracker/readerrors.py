"""Why a file could not be read, in French: the parsers' own messages are English.

Each function takes the exception a standard parser raised and says what is wrong
and where (line, column, byte), as a user can act on it.

>>> import json
>>> try:
...     json.loads('{"a": 1,\\n}')
... except json.JSONDecodeError as exc:
...     print(json_reason(exc))
JSON invalide à la ligne 2, colonne 1
"""

from __future__ import annotations

import re

from cada_tracker.faults import reason

_TOML_WHERE = re.compile(r"\(at line (\d+), column (\d+)\)")

_CSV = (  # (part of the csv module's message, French)
    ("field larger than field limit", "champ trop long"),
    ("line contains nul", "caractère NUL dans la ligne"),
    ("new-line character seen in unquoted field", "retour à la ligne hors guillemets"),
    ("unexpected end of data", "guillemet non refermé en fin de fichier"),
    ("expected after '\"'", "texte collé après un guillemet fermant"),
)


def json_reason(exc) -> str:
    """A ``json.JSONDecodeError`` in French."""
    return f"JSON invalide à la ligne {exc.lineno}, colonne {exc.colno}"


def toml_reason(exc) -> str:
    """A ``tomllib.TOMLDecodeError`` in French (its position is only in its text)."""
    where = _TOML_WHERE.search(str(exc))
    if where:
        return f"syntaxe TOML invalide à la ligne {where[1]}, colonne {where[2]}"
    return "syntaxe TOML invalide en fin de fichier"


def csv_reason(exc) -> str:
    """A ``csv.Error`` in French."""
    text = str(exc).casefold()
    return next((fr for en, fr in _CSV if en in text), "format CSV illisible")


def decode_reason(exc: UnicodeDecodeError) -> str:
    """A ``UnicodeDecodeError`` in French, with the offending byte's position."""
    return f"le fichier n'est pas en UTF-8 (octet n° {exc.start + 1})"


def read_reason(exc: Exception) -> str:
    """Any of the above, or an ``OSError``, in French."""
    import json

    if isinstance(exc, UnicodeDecodeError):
        return decode_reason(exc)
    if isinstance(exc, json.JSONDecodeError):
        return json_reason(exc)
    if isinstance(exc, OSError):
        return reason(exc)
    return type(exc).__name__
