"""Streaming the published CSV of the CADA's opinions, one record at a time.

The file is UTF-8, comma-separated, quoted with ``"`` (etalab/cada ``cada/csv.py``);
its header is exactly :data:`cada_tracker.avis.COLUMNS` (a BOM is dropped, ``;`` is
accepted too). ``Séance`` is ``JJ/MM/AAAA``, ``Année`` the year; ``Sens et
motivation`` lists ``Sens/Motivation`` elements separated by ", " (``Favorable/Sauf vie
privée, Défavorable/Document inexistant``); ``Avis`` is the opinion's text. A row that
cannot be read is returned as a :class:`RowProblem` with its line; the next rows are
still read.

>>> import io
>>> rows = list(read_rows(io.BytesIO(",".join(COLUMNS).encode() + b"\\n1,Mairie,Avis,2024,"
...                                 b"05/12/2024,Objet,,,Favorable,III,Texte\\n")))
>>> rows[0].number, rows[0].session.isoformat(), rows[0].favorable
('1', '2024-12-05', True)
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import BinaryIO

from cada_tracker.avis import COLUMNS
from cada_tracker.readerrors import csv_reason

#: The longest cell read (an opinion's text is a few pages; csv's default is 128 KiB).
FIELD_MAX = 16 * 1024 * 1024
MEANINGS = ("Favorable", "Défavorable", "Irrecevable", "Sans objet", "Incompétence")
NO_ANSWER = re.compile(r"en l['’]absence de r[ée]ponse", re.I)


class CsvFileError(Exception):
    """The file cannot be read at all (French ``message``)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Opinion:
    number: str
    administration: str
    type: str
    year: int | None
    session: date | None
    subject: str
    topics: str
    keywords: str
    meaning: str
    part: str
    text: str
    line: int = 0

    @property
    def favorable(self) -> bool:
        """Favourable, at least in part (``Favorable/Sauf vie privée`` counts)."""
        return any(m.strip().startswith("Favorable") for m in self.meaning.split(","))

    @property
    def no_answer(self) -> bool:
        """The CADA noted that the administration did not answer it."""
        return bool(NO_ANSWER.search(self.text))


@dataclass(frozen=True)
class RowProblem:
    line: int
    message: str


def _lines(fh: BinaryIO, progress) -> Iterator[str]:
    first = True
    for raw in fh:
        if progress is not None:
            progress(len(raw))
        if first:
            raw = raw.removeprefix(b"\xef\xbb\xbf")
            first = False
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError:
            yield raw.decode("cp1252", "replace")


def _clean(value: str) -> str:
    # \x02 and \x03 mark the matches of a search (store.MATCH_START/STOP): never text.
    return (value.replace("&quot;", '"').replace("&amp;", "&").replace("\x02", " ")
            .replace("\x03", " ").strip())


def _record(cells: list[str], line: int) -> Opinion | RowProblem:
    if len(cells) != len(COLUMNS):
        return RowProblem(line, f"{len(cells)} colonne(s) au lieu de {len(COLUMNS)}")
    number = cells[0].strip()
    if not re.fullmatch(r"[0-9A-Za-z./-]{1,40}", number):
        return RowProblem(line, f"« Numéro de dossier » illisible : « {number[:40]} »")
    year_text = cells[3].strip()
    year = int(year_text) if re.fullmatch(r"(19|20)[0-9]{2}", year_text) else None
    if year_text and year is None:
        return RowProblem(line, f"« Année » illisible : « {year_text[:20]} »")
    session = None
    if cells[4].strip():
        match = re.fullmatch(r"([0-9]{1,2})/([0-9]{1,2})/((?:19|20)[0-9]{2})", cells[4].strip())
        try:
            session = date(int(match.group(3)), int(match.group(2)), int(match.group(1))) \
                if match else None
        except ValueError:
            session = None
        if session is None:
            return RowProblem(line, f"« Séance » illisible : « {cells[4].strip()[:20]} » "
                                    "(JJ/MM/AAAA attendu)")
    return Opinion(
        number=number, administration=_clean(cells[1]), type=_clean(cells[2]), year=year,
        session=session, subject=_clean(cells[5]), topics=_clean(cells[6]),
        keywords=_clean(cells[7]), meaning=_clean(cells[8]), part=cells[9].strip(),
        text=_clean(cells[10]), line=line,
    )


def read_rows(fh: BinaryIO, progress=None) -> Iterator[Opinion | RowProblem]:
    """Every row of the file, in order; ``progress(n)`` is told each block of bytes read.

    The csv module's field limit is process-wide: it is raised for an opinion's text
    while this file is read, then given back, so that no other CSV read in the same
    process (a test suite's, a later command's) silently accepts fields this long."""
    previous = csv.field_size_limit(FIELD_MAX)
    try:
        yield from _read_rows(fh, progress)
    finally:
        csv.field_size_limit(previous)


def _read_rows(fh: BinaryIO, progress) -> Iterator[Opinion | RowProblem]:
    lines = _lines(fh, progress)
    try:
        header_line = next(lines)
    except StopIteration:
        raise CsvFileError("fichier vide (aucune ligne d'en-tête).") from None
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    header = [h.strip() for h in next(csv.reader([header_line], delimiter=delimiter))]
    if tuple(header) != COLUMNS:
        missing = [c for c in COLUMNS if c not in header]
        detail = (f"colonne(s) absente(s) : {', '.join(missing)}" if missing
                  else "colonnes dans un autre ordre ou en trop")
        raise CsvFileError(
            f"ce n'est pas le fichier des avis de la CADA ({detail}). Colonnes attendues : "
            f"{', '.join(COLUMNS)}.")
    reader = csv.reader(lines, delimiter=delimiter, quotechar='"', strict=True)
    start = 2
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield RowProblem(start, f"ligne illisible ({csv_reason(exc)}) ; la lecture s'arrête là")
            return
        line, start = start, reader.line_num + 2
        if not any(cell.strip() for cell in cells):
            continue
        yield _record(cells, line)
