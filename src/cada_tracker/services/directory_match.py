"""One body, one row: how an imported record finds the administration it describes,
and how two descriptions of one body are merged.

A record is matched, in order, by:

1. its key: the row's ``source_key`` or one of its aliases (another directory's key
   merged into it, ``administration_alias``): a re-import updates;
2. a hand-typed row (no key) with the same normalised name and postal code: adopted;
3. *another directory's* row of the same body: same name key
   (:func:`cada_tracker.folding.name_key`: "Préfecture de l'Ain" and "Préfecture -
   Ain", "Mairie de Bagneux" and "Mairie - Bagneux 92007-01") and the same postal
   code, holding no key of the record's directory. Exactly one such row: the record
   is merged into it (its key becomes an alias); several: the record is created.
   Rows of one directory are never merged together: Ma Dada lists two "Point
   information jeunesse - Saint-Étienne" at one address, and they stay two.

A row matched by its own key alone takes the file's values (``_replaced``: an empty
cell never erases). A row that describes one body from several directories keeps the
*richer* value of each field (:func:`richer`), so that re-importing either directory
in any order changes nothing:

* name: the one without Ma Dada's trailing code, then the longer;
* address (street lines, postal code and city, kept together): the one with a postal
  code, then more street lines, then the longer;
* kind: a known kind over "autre"; otherwise the stored one;
* e-mail or web form (one contact): the stored one, else the file's (``cada mail``
  writes to the PRADA's e-mail first anyway);
* PRADA name and e-mail: the file's when it gives one (only the PRADA knows them);
* every other field: the stored value, else the file's. Tags are only added.
"""

from __future__ import annotations

import re

FIELDS: tuple[str, ...] = (
    "name", "kind", "addressee", "street", "postcode", "city", "email", "web_form",
    "prada_name", "prada_email", "department",
)
# Columns that are NOT NULL with "" for "unknown" (the others are NULL when unknown).
_EMPTY_STRING = {"street", "postcode", "city"}
_CODE_TAIL = re.compile(r"\s[0-9][0-9AB]\d{3}-\d{2}\s*$")
_ADDRESS = ("street", "postcode", "city")


def source_of(key: str) -> str:
    """The directory a key comes from: ``prada``, ``alaveteli``, ``cada``…"""
    return key.split(":", 1)[0]


def stored(column: str, value: str | None) -> str | None:
    """A value as the column stores it ("" for the NOT NULL text columns)."""
    if column in _EMPTY_STRING:
        return value or ""
    return value or None


def replaced(old: dict, new: dict) -> dict:
    """Stored values after an import of the row's own directory: the file's, unless it
    says nothing. The e-mail and the web form are one contact (the cada format has one
    column for both): when the file gives either, it replaces both."""
    merged = {}
    for column in FIELDS:
        value = new[column]
        if column in ("email", "web_form"):
            keep = not (new["email"] or new["web_form"])
        elif column == "kind":
            keep = not value or (value == "autre" and bool(old[column]))
        else:
            keep = not value
        merged[column] = old[column] if keep else stored(column, value)
    return merged


def _name_score(name: str | None) -> tuple:
    return (bool(name), not _CODE_TAIL.search(name or ""), len(name or ""))


def _address_score(values: dict) -> tuple:
    lines = [line for line in (values["street"] or "").splitlines() if line]
    return (bool(values["postcode"]), len(lines), sum(map(len, lines)))


def richer(old: dict, new: dict) -> dict:
    """Stored values when ``new`` describes the body ``old`` holds (module docstring)."""
    merged = {c: old[c] if old[c] else stored(c, new[c]) for c in FIELDS}
    if _name_score(new["name"]) > _name_score(old["name"]):
        merged["name"] = new["name"]
    if _address_score(new) > _address_score(old):
        merged.update({c: stored(c, new[c]) for c in _ADDRESS})
    if old["kind"] in (None, "", "autre") and new["kind"] and new["kind"] != "autre":
        merged["kind"] = new["kind"]
    for column in ("prada_name", "prada_email"):
        if new[column]:
            merged[column] = new[column]
    if old["email"] or old["web_form"]:  # one contact (see replaced)
        merged["email"], merged["web_form"] = old["email"], old["web_form"]
    else:
        merged["email"], merged["web_form"] = new["email"], new["web_form"]
    return merged
