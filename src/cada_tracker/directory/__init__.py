"""Pure parsers for directories of administrations (no database).

Three CSV formats are recognised from their header row:

``prada``
    The CADA's directory of PRADA (personne responsable de l'accès aux documents
    administratifs): ``Département de l'autorité``, ``Nom de l'administration``,
    ``Prénom PRADA``, ``Nom PRADA``, ``Courriel 1 PRADA``, ``Adresse PRADA`` (multi-line,
    the first line usually names the addressee) and ``Code postal/Ville de l'autorité``
    (``"85021 / LA ROCHE-SUR-YON CEDEX"``).
``alaveteli``
    The public-body CSV of Alaveteli (Ma Dada, WhatDoTheyKnow):
    ``#id,name,request_email,notes,home_page,tag_string``; the postal address sits in
    ``notes`` (``"Adresse : 1 Impasse …,97180,Sainte-Anne | Tél : … | Fax : …"``).
``cada``
    cada's own export, exactly :data:`CADA_COLUMNS`, written by :func:`write_cada_csv`
    so that export then import gives back equal records.

Decisions, in one place:

* Decoding: UTF-16 when the file starts with its BOM, else strict UTF-8 (a BOM is
  dropped), else Windows-1252, else Latin-1. The delimiter (``,``, ``;`` or tab) is
  sniffed on the header line only.
* A row is *rejected* (an entry in ``errors``) when it has no name, a wrong number of
  cells, or a postal code/city that is present but unreadable: a record whose address
  is silently lost would produce letters without an address. A row without any postal
  information is kept with ``postcode``/``city`` set to None.
* A row is *kept with a warning* (an entry in ``warnings``) when a secondary value is
  dropped or corrected: an invalid e-mail, a 4-digit postal code whose leading zero a
  spreadsheet ate (``6910`` becomes ``06910``), a department code refined from the
  postal code, a phone/fax line removed from a postal address.
* Structural problems (missing or unreadable file, empty file, unknown or duplicated
  header, unterminated quote) raise :class:`DirectoryError` naming the file and line.
* Within one file a key seen twice keeps the first row; later ones are listed in
  ``duplicates`` as ``(line, first_line, key)``.
* Keys: ``prada:<department column as written, zero-padded>:<normalised name>``,
  ``alaveteli:<#id>``, and for cada its ``key`` column, or when empty
  ``cada:<normalised name>:<postcode>``.
* PRADA: the CADA's department column is only the postal code's prefix, so "20"
  (Corsica) becomes 2A/2B and "977"/"978" on La Réunion's CEDEX codes becomes 974,
  with a warning; the key keeps the column as written. The PRADA's e-mail is both
  ``prada_email`` and ``email`` (the address the CADA publishes for requests).
* Departments come from the postal code when a format has no department column
  (Alaveteli) or the cell is empty (cada).

Text is cleaned the same way everywhere: C1 control characters left by a Windows-1252
file read as Latin-1 are repaired (``\\x92`` becomes ``’``), Unicode is NFC, whitespace
runs collapse to one space. Names keep their line breaks (each line cleaned); every
other value is a single line.
"""

from __future__ import annotations

from cada_tracker.directory.cada_format import CADA_COLUMNS, write_cada_csv
from cada_tracker.directory.kinds import infer_kind
from cada_tracker.directory.places import department_from_postcode, normalise_department
from cada_tracker.directory.reader import parse_bytes, parse_directory, parse_text
from cada_tracker.directory.records import (
    FORMATS,
    AdminRecord,
    DirectoryError,
    ParseResult,
    RowError,
)
from cada_tracker.directory.text import normalise_name

__all__ = [
    "CADA_COLUMNS",
    "FORMATS",
    "AdminRecord",
    "DirectoryError",
    "ParseResult",
    "RowError",
    "department_from_postcode",
    "infer_kind",
    "normalise_department",
    "normalise_name",
    "parse_bytes",
    "parse_directory",
    "parse_text",
    "write_cada_csv",
]
