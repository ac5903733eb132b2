"""The per-request overrides of a campaign step (``--from-file``): a small CSV.

What a group gets back from the post office is a list of references with the
tracking number of each registered letter, sometimes with the date each was
posted or received. One line per request::

    reference;tracking;date
    2026-0003;1A12345678901;07/09/2026
    2026-0004;1A12345678902;

A header line is optional (without one, the columns are reference, tracking number,
date, in that order); the separator is ``,``, ``;`` or a tab; blank lines and lines
starting with ``#`` are skipped. Every error names the file, the line and the column.
Pure: reads the file, never the database.

>>> rows = parse_overrides("reference,tracking\\n2026-0003,1A1\\n", name="f.csv")
>>> rows[0].line, rows[0].reference, rows[0].tracking, rows[0].on
(2, '2026-0003', '1A1', None)
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from cada_tracker.errors import CadaError, InputError

TRACKING_MAX = 40  # a La Poste number has 13 characters; a foreign one a few more

COLUMNS = {
    "reference": ("reference", "ref", "ref.", "demande"),
    "tracking": ("tracking", "suivi", "numero", "numero de suivi", "recommande",
                 "numero du recommande", "n° de recommande", "lrar"),
    "date": ("date", "on", "le"),
}
POSITIONAL = ("reference", "tracking", "date")
COLUMN_LABELS = {"reference": "référence", "tracking": "numéro de suivi", "date": "date"}


@dataclass(frozen=True)
class Override:
    line: int
    reference: str
    tracking: str | None = None
    on: date | None = None

    def where(self, name: str) -> str:
        return f"{name}, ligne {self.line}"


#: Largest --from-file read: a reference and a tracking number or a date a line, so
#: 20 MB is several hundred thousand requests.
FROM_FILE_MAX = 20_000_000


def read_overrides(path: Path) -> list[Override]:
    """The overrides in ``path``; InputError naming the file, line and column."""
    from cada_tracker.fileio import read_option_file

    data = read_option_file(path, "--from-file", FROM_FILE_MAX, "une demande par ligne attendue")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    return parse_overrides(text, name=str(path))


def _key(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.strip().casefold())
    return "".join(c for c in folded if not unicodedata.combining(c))


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (";", "\t", ",")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _header(cells: list[str]) -> list[str] | None:
    """Column names of a header line, or None when the line is data."""
    names = []
    for cell in cells:
        key = _key(cell)
        name = next((n for n, aliases in COLUMNS.items() if key in aliases), None)
        names.append(name)
    if names and names[0] is None and not any(names):
        return None
    return names  # may hold None: an unknown column, reported by the caller


def parse_overrides(text: str, *, name: str) -> list[Override]:
    lines = [line for line in text.splitlines() if line.strip()
             and not line.lstrip().startswith("#")]
    if not lines:
        raise InputError(f"--from-file : {name} ne contient aucune demande.")
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(lines[0]))
    columns: list[str] | None = None
    result: list[Override] = []
    seen: dict[str, int] = {}
    for row in _rows(reader, name):
        number = reader.line_num
        if not any(c.strip() for c in row) or row[0].lstrip().startswith("#"):
            continue
        if columns is None:
            header = _header(row)
            if header is not None:
                for position, (cell, col) in enumerate(zip(row, header, strict=True), 1):
                    if col is None:
                        raise InputError(
                            f"--from-file : {name}, ligne {number}, colonne {position} : "
                            f"en-tête « {cell.strip()} » inconnu (colonnes attendues : "
                            "reference, tracking, date).")
                if "reference" not in header:
                    raise InputError(f"--from-file : {name}, ligne {number} : l'en-tête n'a "
                                     "pas de colonne « reference ».")
                columns = header
                continue
            columns = list(POSITIONAL)
        result.append(_override(row, columns, number, name, seen))
    if not result:
        raise InputError(f"--from-file : {name} ne contient aucune demande.")
    return result


def _rows(reader, name: str):
    """The reader's rows; a line the csv module refuses (a field past its 128 KiB
    limit) is named, in French (readerrors.csv_reason)."""
    from cada_tracker.readerrors import csv_reason

    try:
        yield from reader
    except csv.Error as exc:
        why = csv_reason(exc)
        if "field larger" in str(exc):
            why += f" (plus de {csv.field_size_limit() // 1024} Kio)"
        raise InputError(f"--from-file : {name}, ligne {reader.line_num} : {why}.") from None


def _override(row: list[str], columns: list[str], number: int, name: str,
              seen: dict[str, int]) -> Override:
    from cada_tracker.dates import parse_date

    if len(row) > len(columns) and any(c.strip() for c in row[len(columns):]):
        raise InputError(f"--from-file : {name}, ligne {number} : {len(row)} colonnes, "
                         f"{len(columns)} au plus ({', '.join(columns)}).")
    values: dict[str, str] = {}
    for position, (col, cell) in enumerate(zip(columns, row, strict=False), start=1):
        values[col] = cell.strip()
        where = (f"--from-file : {name}, ligne {number}, colonne {position} "
                 f"({COLUMN_LABELS[col]})")
        if any(unicodedata.category(c).startswith("C") for c in values[col]):
            raise InputError(f"{where} : caractère de contrôle dans la valeur.")
        if col == "tracking" and len(values[col]) > TRACKING_MAX:
            raise InputError(f"{where} : numéro de {len(values[col])} caractères, "
                             f"{TRACKING_MAX} au plus.")
        if col == "tracking":
            values[col] = "".join(values[col].split())
    reference = values.get("reference", "")
    if not reference:
        position = columns.index("reference") + 1
        raise InputError(f"--from-file : {name}, ligne {number}, colonne {position} "
                         "(référence) : référence de la demande manquante.")
    if reference in seen:
        raise InputError(f"--from-file : {name}, ligne {number} : la demande {reference} "
                         f"figure déjà ligne {seen[reference]}.")
    seen[reference] = number
    on = None
    if values.get("date"):
        try:
            on = parse_date(values["date"], field="date")
        except CadaError as exc:
            position = columns.index("date") + 1
            raise InputError(f"--from-file : {name}, ligne {number}, colonne {position} "
                             f"(date) : {exc.message.removeprefix('date : ')}") from None
    return Override(line=number, reference=reference,
                    tracking=values.get("tracking") or None, on=on)
