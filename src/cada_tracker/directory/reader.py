"""Reading a file: decoding, delimiter, CSV rows, format detection, one parser per row."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from cada_tracker.directory.alaveteli import (
    ALAVETELI_OPTIONAL,
    ALAVETELI_REQUIRED,
    parse_alaveteli,
)
from cada_tracker.directory.cada_format import CADA_COLUMNS, parse_cada
from cada_tracker.directory.prada import PRADA_COLUMNS, parse_prada
from cada_tracker.directory.records import FORMATS, DirectoryError, ParseResult, RowError
from cada_tracker.directory.rows import Row, RowReject
from cada_tracker.directory.text import clean_line, normalise_name
from cada_tracker.escape import unquote_csv_cell

_ROW_PARSERS = {"prada": parse_prada, "alaveteli": parse_alaveteli, "cada": parse_cada}

#: Largest directory file read (the whole national service-public.fr export is ≈ 20 MB).
DIRECTORY_FILE_MAX = 200_000_000


def parse_directory(path: Path) -> ParseResult:
    """Read one directory file, whatever its format; raises DirectoryError."""
    path = Path(path)
    name = str(path)
    try:
        if path.stat().st_size > DIRECTORY_FILE_MAX:
            raise DirectoryError(
                f"« {name} » fait plus de {DIRECTORY_FILE_MAX // 1_000_000} Mo : découpez-le "
                "(un annuaire national complet en fait une vingtaine)", path=name)
        data = path.read_bytes()
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
            f"impossible de lire « {name} » : {exc.strerror or exc}", path=name
        ) from None
    return parse_bytes(data, source_name=name)


def parse_bytes(data: bytes, *, source_name: str) -> ParseResult:
    """Decode (UTF-8 with or without BOM, else Windows-1252, else Latin-1) then parse.

    A file starting with a UTF-16 byte order mark is read as UTF-16."""
    text, encoding = _decode(data)
    result = parse_text(text, source_name=source_name)
    result.encoding = encoding
    return result


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # a spreadsheet's "Unicode text"
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def parse_text(text: str, *, source_name: str) -> ParseResult:
    """Parse an already decoded directory; ``source_name`` names it in messages."""
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise DirectoryError(f"le fichier « {source_name} » est vide", path=source_name)
    if "\x00" in text:
        raise DirectoryError(
            f"« {source_name} » n'est pas un fichier texte (CSV attendu)", path=source_name
        )
    delimiter = _sniff_delimiter(text)
    rows = _csv_rows(text, delimiter, source_name)
    header_line, header = next(rows)
    fmt, columns, ignored = _detect_format(header, header_line, source_name)
    result = ParseResult(source=source_name, format=fmt, delimiter=delimiter)
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
            record = parse_row(values, row)
        except RowReject as exc:
            result.errors.append(RowError(line, exc.field, exc.message))
            continue
        first = first_line_of_key.get(record.key)
        if first is not None:
            result.duplicates.append((line, first, record.key))
            continue
        first_line_of_key[record.key] = line
        result.warnings.extend(row.warnings)
        result.records.append(record)
    return result


def _sniff_delimiter(text: str) -> str:
    """The delimiter of the header line: the most frequent of , ; and tab outside quotes."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = {",": 0, ";": 0, "\t": 0}
    quoted = False
    for char in header:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(counts, key=lambda char: counts[char])
    return best if counts[best] else ","


def _csv_rows(text: str, delimiter: str, source_name: str) -> Iterator[tuple[int, list[str]]]:
    """(line where the row starts, cells) for every row; broken quotes raise."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
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
