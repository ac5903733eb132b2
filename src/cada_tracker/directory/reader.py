"""Reading a file: decoding, delimiter, CSV rows, format detection, one parser per row.

A file is read as a stream (:func:`open_directory`): one pass over its bytes tells the
encoding, then each pass over its rows yields one record at a time, so memory does not
grow with the file. :func:`parse_directory` collects a whole ParseResult.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import stat
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TextIO

from cada_tracker.directory.alaveteli import (
    ALAVETELI_OPTIONAL,
    ALAVETELI_REQUIRED,
    parse_alaveteli,
)
from cada_tracker.directory.cada_format import CADA_COLUMNS, parse_cada
from cada_tracker.directory.prada import PRADA_COLUMNS, parse_prada
from cada_tracker.directory.records import (
    FORMATS,
    AdminRecord,
    DirectoryError,
    ParseResult,
    RowError,
)
from cada_tracker.directory.rows import Row, RowReject, within_limits
from cada_tracker.directory.text import clean_line, normalise_name
from cada_tracker.escape import unquote_csv_cell
from cada_tracker.faults import reason

_ROW_PARSERS = {"prada": parse_prada, "alaveteli": parse_alaveteli, "cada": parse_cada}

#: Largest directory file read (the whole national service-public.fr export is ≈ 20 MB).
DIRECTORY_FILE_MAX = 200_000_000


def parse_directory(path: Path) -> ParseResult:
    """Read one directory file whole, whatever its format; raises DirectoryError."""
    return open_directory(path).collect()


def open_directory(path: Path) -> DirectoryStream:
    """A directory file to read row by row (:class:`DirectoryStream`), its size checked
    and its encoding told by one pass over its bytes; raises DirectoryError."""
    path = Path(path)
    name = str(path)
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode) and not stat.S_ISDIR(info.st_mode):
            raise DirectoryError(
                f"« {name} » n'est pas un fichier ordinaire (un périphérique ou un tube) : "
                "l'import le lit plusieurs fois ; enregistrez-le d'abord dans un fichier",
                path=name)
        if info.st_size > DIRECTORY_FILE_MAX:
            raise DirectoryError(
                f"« {name} » fait plus de {DIRECTORY_FILE_MAX // 1_000_000} Mo : découpez-le "
                "(un annuaire national complet en fait une vingtaine)", path=name)
        encoding, text = _file_encoding(path)
    except FileNotFoundError:
        raise DirectoryError(f"fichier introuvable : {name}", path=name) from None
    except IsADirectoryError:
        raise DirectoryError(f"« {name} » est un dossier, pas un fichier", path=name) from None
    except PermissionError:
        raise DirectoryError(
            f"lecture de « {name} » refusée (droits insuffisants)", path=name
        ) from None
    except OSError as exc:
        raise DirectoryError(
            f"impossible de lire « {name} » : {reason(exc)}", path=name
        ) from None
    if not text:
        raise DirectoryError(f"« {name} » n'est pas un fichier texte (CSV attendu)", path=name)
    python_encoding = "utf-8-sig" if encoding == "utf-8" else encoding
    return DirectoryStream(name, lambda: path.open(encoding=python_encoding, newline=""),
                           encoding)


def parse_bytes(data: bytes, *, source_name: str) -> ParseResult:
    """Decode (UTF-8 with or without BOM, else Windows-1252, else Latin-1) then parse.

    A file starting with a UTF-16 byte order mark is read as UTF-16."""
    text, encoding = _decode(data)
    result = parse_text(text, source_name=source_name)
    result.encoding = encoding
    return result


def _candidates(start: bytes) -> list[str]:
    utf16 = ["utf-16"] if start.startswith((b"\xff\xfe", b"\xfe\xff")) else []
    return [*utf16, "utf-8-sig", "cp1252", "latin-1"]


def _decode(data: bytes) -> tuple[str, str]:
    for encoding in _candidates(data[:2])[:-1]:
        try:
            return data.decode(encoding), encoding.removesuffix("-sig")
        except UnicodeDecodeError:
            pass
    return data.decode("latin-1"), "latin-1"


def _file_encoding(path: Path, chunk: int = 1 << 20) -> tuple[str, bool]:
    """The first encoding of :func:`_decode`'s order that decodes the whole file, read a
    megabyte at a time (memory flat whatever the size), and whether the file is text
    (no NUL character)."""
    with path.open("rb") as fh:
        candidates = _candidates(fh.read(2))
        for encoding in candidates:
            fh.seek(0)
            decoder = codecs.getincrementaldecoder(encoding)()
            text = True
            try:
                while block := fh.read(chunk):
                    text = text and "\x00" not in decoder.decode(block)
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                continue
            return encoding.removesuffix("-sig"), text
    raise AssertionError("latin-1 decodes any byte")


def parse_text(text: str, *, source_name: str) -> ParseResult:
    """Parse an already decoded directory; ``source_name`` names it in messages."""
    if text.strip() and "\x00" in text:
        raise DirectoryError(
            f"« {source_name} » n'est pas un fichier texte (CSV attendu)", path=source_name
        )
    return DirectoryStream(source_name, lambda: io.StringIO(text, newline=""), "utf-8").collect()


class DirectoryStream:
    """One directory read row by row: each call of :meth:`records` is a new pass over
    the file, from its first line, that fills :attr:`result` (format, delimiter, rows
    read, errors, warnings, duplicates; not the records, which it yields). Memory holds
    one row at a time, plus the keys seen (to report a key given twice)."""

    def __init__(self, source_name: str, open_text: Callable[[], TextIO], encoding: str):
        self.source = source_name
        self._open = open_text
        self.encoding = encoding
        self.result = ParseResult(source=source_name, format="cada", encoding=encoding)

    def collect(self) -> ParseResult:
        """Every record in one ParseResult (what :func:`parse_directory` returns)."""
        records = list(self.records())
        self.result.records = records
        return self.result

    def records(self) -> Iterator[AdminRecord]:
        with self._open() as fh:
            yield from self._parse(fh)

    def _parse(self, fh: TextIO) -> Iterator[AdminRecord]:
        source_name = self.source
        lines = iter(fh)
        blank: list[str] = []
        for first in lines:
            if first.strip():
                break
            blank.append(first)
        else:
            raise DirectoryError(f"le fichier « {source_name} » est vide", path=source_name)
        first = first.removeprefix("\ufeff") if not blank else first
        delimiter = _sniff_delimiter(first)
        rows = _csv_rows(itertools.chain(blank, [first], lines), delimiter, source_name)
        header_line, header = next(rows)
        fmt, columns, ignored = _detect_format(header, header_line, source_name)
        result = self.result = ParseResult(source=source_name, format=fmt,
                                           delimiter=delimiter, encoding=self.encoding)
        for name in ignored:
            result.warnings.append(RowError(header_line, name, f"colonne « {name} » ignorée"))
        parse_row = _ROW_PARSERS[fmt]
        first_line_of_key: dict[str, int] = {}
        width = len(header)
        for line, cells in rows:
            if not any(cell.strip() for cell in cells):
                continue  # a blank row, often left at the end of a spreadsheet export
            result.rows_read += 1
            if len(cells) > width and not any(cell.strip() for cell in cells[width:]):
                cells = cells[:width]
            if len(cells) != width:
                message = f"{len(cells)} colonnes au lieu de {width}"
                if any("\n" in cell or "\r" in cell for cell in cells):
                    message += " (un guillemet mal placé regroupe peut-être plusieurs lignes)"
                result.errors.append(RowError(line, "", message))
                continue
            row = Row(line)
            values = {column: cells[index] for column, index in columns.items()}
            if fmt == "cada":  # cada's export makes formula-like cells inert with a "'"
                values = {column: unquote_csv_cell(v) for column, v in values.items()}
            try:
                record = within_limits(parse_row(values, row))
            except RowReject as exc:
                result.errors.append(RowError(line, exc.field, exc.message))
                continue
            first_line = first_line_of_key.get(record.key)
            if first_line is not None:
                result.duplicates.append((line, first_line, record.key))
                continue
            first_line_of_key[record.key] = line
            result.warnings.extend(row.warnings)
            yield record


def _sniff_delimiter(header: str) -> str:
    """The delimiter of the header line: the most frequent of , ; and tab outside quotes."""
    counts = {",": 0, ";": 0, "\t": 0}
    quoted = False
    for char in header:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(counts, key=lambda char: counts[char])
    return best if counts[best] else ","


def _csv_rows(lines: Iterable[str], delimiter: str, source_name: str
              ) -> Iterator[tuple[int, list[str]]]:
    """(line where the row starts, cells) for every row; broken quotes raise."""
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    previous_end = 0
    while True:
        start = previous_end + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            end = reader.line_num
            if "unexpected end of data" in str(exc):
                message = (
                    f"« {source_name} », ligne {start} : guillemet non fermé "
                    f"(le champ ouvert ligne {start} court jusqu'à la fin du fichier, "
                    f"ligne {end})"
                )
            else:
                message = (
                    f"« {source_name} », ligne {start} : guillemet mal placé ou non fermé "
                    f"(erreur détectée ligne {end})"
                )
            raise DirectoryError(message, path=source_name, line=start) from None
        previous_end = reader.line_num
        if not cells:
            continue
        yield start, cells


def _detect_format(
    header: list[str], line: int, source_name: str
) -> tuple[str, dict[str, int], list[str]]:
    """Format of a header row and, for each known column, its index."""
    names = [clean_line(cell) for cell in header]
    keys = [normalise_name(name) for name in names]
    seen: dict[str, int] = {}
    for index, key in enumerate(keys):
        if not key:
            continue
        if key in seen:
            raise DirectoryError(
                f"« {source_name} », ligne {line} : la colonne « {names[index]} » apparaît "
                f"deux fois (colonnes {seen[key] + 1} et {index + 1})",
                path=source_name,
                line=line,
            )
        seen[key] = index

    specs = {
        "prada": (PRADA_COLUMNS, (), ("nom de l'administration", "adresse prada")),
        "alaveteli": (ALAVETELI_REQUIRED, ALAVETELI_OPTIONAL, ("#id", "request_email")),
        "cada": (CADA_COLUMNS, (), ("key", "kind")),
    }
    for fmt, (required, optional, signature) in specs.items():
        if not all(column in seen for column in signature):
            continue
        missing = [column for column in required if normalise_name(column) not in seen]
        if missing:
            listed = ", ".join(f"« {column} »" for column in missing)
            raise DirectoryError(
                f"« {source_name} », ligne {line} : colonne(s) manquante(s) pour le format "
                f"{FORMATS[fmt]} : {listed}",
                path=source_name,
                line=line,
            )
        columns = {
            column: seen[normalise_name(column)]
            for column in (*required, *optional)
            if normalise_name(column) in seen
        }
        used = set(columns.values())
        ignored = [names[i] for i in range(len(names)) if names[i] and i not in used]
        return fmt, columns, ignored

    shown = ", ".join(names)
    if len(shown) > 120:
        shown = shown[:117] + "…"
    known = " ; ".join(
        f"{FORMATS[fmt]} (colonnes {', '.join(f'« {c} »' for c in required[:3])}, …)"
        for fmt, (required, optional, _signature) in specs.items()
    )
    raise DirectoryError(
        f"« {source_name} » : format d'annuaire non reconnu (ligne {line} : « {shown} »). "
        f"Formats reconnus : {known}.",
        path=source_name,
        line=line,
    )
