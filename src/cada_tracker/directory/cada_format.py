"""cada's own CSV: read back exactly what :func:`write_cada_csv` writes."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from typing import TextIO

from cada_tracker.directory.kinds import infer_kind, kind_key
from cada_tracker.directory.places import department_from_postcode
from cada_tracker.directory.records import AdminRecord
from cada_tracker.directory.rows import Row, RowReject
from cada_tracker.directory.text import clean_line, clean_lines, clean_name, normalise_name
from cada_tracker.escape import csv_cell, terminal

CADA_COLUMNS: tuple[str, ...] = (
    "key",
    "name",
    "kind",
    "addressee",
    "street",
    "postcode",
    "city",
    "email",
    "prada_name",
    "prada_email",
    "department",
    "tags",
)
STREET_SEPARATOR = " | "
TAG_SEPARATOR = ","


def parse_cada(values: dict[str, str], row: Row) -> AdminRecord:
    name = clean_name(values["name"])
    if not name:
        raise RowReject("name", "nom de l'administration manquant")

    postcode = None
    raw_postcode = clean_line(values["postcode"])
    city = clean_line(values["city"]) or None
    if raw_postcode:
        postcode = row.postcode(raw_postcode)
        if not city:
            raise RowReject("city", f"ville manquante pour le code postal « {postcode} »")
    elif city:
        raise RowReject("postcode", f"code postal manquant pour la ville « {city} »")

    raw_kind = clean_line(values["kind"])
    kind = kind_key(raw_kind) if raw_kind else None
    if kind is None:
        kind = infer_kind(name)
        if raw_kind:
            row.warn("kind", f"type « {raw_kind} » inconnu, déduit du nom : « {kind} »")

    department = row.department(values["department"]) or department_from_postcode(postcode)

    email, web_form = row.email_or_url(values["email"], "email")
    street = tuple(line for part in values["street"].split("|") for line in clean_lines(part))
    tags = tuple(
        dict.fromkeys(
            tag for tag in (clean_line(t) for t in values["tags"].split(TAG_SEPARATOR)) if tag
        )
    )
    key = clean_line(values["key"]) or f"cada:{normalise_name(name)}:{postcode or ''}"
    return AdminRecord(
        key=key,
        name=name,
        kind=kind,
        addressee=clean_line(values["addressee"]) or None,
        street_lines=street,
        postcode=postcode,
        city=city,
        email=email,
        web_form=web_form,
        prada_name=clean_line(values["prada_name"]) or None,
        prada_email=row.email(values["prada_email"], "prada_email"),
        department=department,
        tags=tags,
        line=row.line,
    )


def write_cada_csv(records: Iterable[AdminRecord], fh: TextIO, *, raw: bool = False,
                   on_terminal: bool = False) -> int:
    """Write records as cada's CSV (header :data:`CADA_COLUMNS`); returns the row count.

    ``fh`` should be opened with ``newline=""``. Unless ``raw``, a cell a spreadsheet
    would run as a formula gets a leading ``'``, which the cada format's parser
    removes. The single ``email`` column carries the
    e-mail address, or else the web form URL (the parser sends a URL back to
    ``web_form``). Raises ValueError for a record the format cannot hold: both an e-mail
    and a web form, a street line containing "|" or a line break, a tag containing ",".
    ``on_terminal``: the rows are shown, not saved: control characters as escapes.
    """
    writer = csv.writer(fh, lineterminator="\r\n")
    writer.writerow(CADA_COLUMNS)
    count = 0
    for record in records:
        cells = [csv_cell(cell, raw=raw) for cell in _cada_row(record)]
        writer.writerow([terminal(c) for c in cells] if on_terminal else cells)
        count += 1
    return count


def _cada_row(record: AdminRecord) -> Sequence[str]:
    if record.email and record.web_form:
        raise ValueError(
            f"« {record.name} » : un courriel et un formulaire web, le format cada n'a "
            "qu'une colonne email"
        )
    for line in record.street_lines:
        if "|" in line or "\n" in line or "\r" in line:
            raise ValueError(f"« {record.name} » : ligne d'adresse « {line} » non exportable")
    for tag in record.tags:
        if TAG_SEPARATOR in tag:
            raise ValueError(f"« {record.name} » : étiquette « {tag} » non exportable")
    return (
        record.key,
        record.name,
        record.kind,
        record.addressee or "",
        STREET_SEPARATOR.join(record.street_lines),
        record.postcode or "",
        record.city or "",
        record.email or record.web_form or "",
        record.prada_name or "",
        record.prada_email or "",
        record.department or "",
        TAG_SEPARATOR.join(record.tags),
    )
