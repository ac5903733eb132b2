"""``cada new --to-file``: a line of a file to the one administration it names.

A line is tried, in order, as: an administration number (five digits are also a
postal code: when both exist, the line is ambiguous); a directory identifier (the
key an import stored, with or without its ``alaveteli:``/``prada:``/``cada:``
prefix: ``mairie-42218-01``); a name followed by a postal code ("Mairie de Bagneux
92220"); a name (the one written exactly so, accents and case aside, when its name
key matches several). Names match by their folded name key
(:func:`cada_tracker.folding.name_key`: accents, case, punctuation, articles and
Ma Dada's trailing code ignored), through the ``(name_key, postcode)`` index.

A line that names nothing, or several administrations, is an error listing every
such line; an unknown name comes with the closest names of the directory (the words
of the line in any order first, then difflib's closest spellings).
"""

from __future__ import annotations

import difflib
import re

from sqlmodel import Session, select

from cada_tracker.errors import InputError, NotFoundError
from cada_tracker.folding import fold, name_key
from cada_tracker.models import Administration
from cada_tracker.services.like import every_word, key_like

KEY_PREFIXES = ("alaveteli", "prada", "cada")
SUGGESTIONS = 3
LISTED = 10  # problem lines listed in the error
_TRAILING_POSTCODE = re.compile(r"^(?P<name>.*\S)[\s,;]+(?P<postcode>\d{5})$")


def ids_from_file(session: Session, entries: list[tuple[int, str]]) -> list[int]:
    """The administration of each ``(line, text)``; raises listing every bad line."""
    ids: list[int] = []
    unknown: list[str] = []
    ambiguous: list[str] = []
    for line, entry in entries:
        found = _match(session, entry)
        if len(found) == 1:
            ids.append(found[0][0])
        elif not found:
            unknown.append(f"ligne {line} : administration inconnue « {entry} »"
                           + _suggest(session, entry))
        else:
            shown = ", ".join(_label(row) for row in found[:5])
            more = " …" if len(found) > 5 else ""
            ambiguous.append(f"ligne {line} : « {entry} » désigne {len(found)} "
                             f"administrations ({shown}{more})")
    problems = unknown + ambiguous
    if problems:
        text = "\n  ".join(problems[:LISTED])
        if len(problems) > LISTED:
            text += f"\n  … et {len(problems) - LISTED} autre(s) ligne(s)"
        error = NotFoundError if unknown else InputError
        raise error(f"--to-file : {len(problems)} ligne(s) sans administration unique :\n"
                    f"  {text}",
                    hint="Donnez le numéro (cada admin list --search MOTS), ou le nom suivi "
                         "du code postal.")
    return ids


def _label(row) -> str:
    return f"n° {row[0]} « {row[1]} » {row[2] or ''}".rstrip()


def _rows(session: Session, *conditions, limit: int = 50) -> list[tuple]:
    query = select(Administration.id, Administration.name, Administration.postcode)
    return [tuple(r) for r in session.exec(
        query.where(*conditions).order_by(Administration.name, Administration.id).limit(limit))]


def _match(session: Session, entry: str) -> list[tuple]:
    text = entry.strip()
    postcode = re.fullmatch(r"\d{5}", text) is not None
    if text.isascii() and text.isdigit() and len(text) <= 10:
        by_id = _rows(session, Administration.id == int(text))
        if not postcode:
            return by_id
        # Five digits: a number or a postal code; both existing is ambiguous.
        return by_id + [r for r in _rows(session, Administration.postcode == text)
                        if r not in by_id]
    keys = [text, *(f"{prefix}:{text}" for prefix in KEY_PREFIXES)]
    found = _rows(session, Administration.source_key.in_(keys))
    if found:
        return found
    named = _TRAILING_POSTCODE.match(text)
    if named:
        found = _rows(session, Administration.name_key == name_key(named["name"]),
                      Administration.postcode == named["postcode"])
        if found:
            return found
    key = name_key(text)
    if key:
        found = _rows(session, Administration.name_key == key)
        exact = [row for row in found if fold(row[1]) == fold(text)]
        if found:
            return exact if len(exact) == 1 else found
    return []


def suggestions(session: Session, text: str) -> list[tuple]:
    """Up to :data:`SUGGESTIONS` administrations close to ``text``: those holding all
    its words, else the closest names (difflib, over the folded name keys)."""
    try:
        found = _rows(session, every_word(text, key_like(Administration.search_key)),
                      limit=SUGGESTIONS)
    except InputError:  # too long to be a search: difflib alone
        found = []
    if len(found) < SUGGESTIONS:
        by_key: dict[str, tuple] = {}
        for row in session.exec(select(Administration.name_key, Administration.id,
                                       Administration.name, Administration.postcode)
                                .order_by(Administration.id)):
            by_key.setdefault(row[0], tuple(row[1:]))
        close = difflib.get_close_matches(name_key(text), list(by_key), n=SUGGESTIONS,
                                          cutoff=0.6)
        found += [by_key[k] for k in close if by_key[k] not in found]
    return found[:SUGGESTIONS]


def _suggest(session: Session, entry: str) -> str:
    close = suggestions(session, entry)
    return f" ; la plus proche : {', '.join(_label(r) for r in close)}" if close else ""
