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

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from cada_tracker.escape import csv_cell, unquote_csv_cell
from cada_tracker.vocab import ADMIN_KIND_ALIASES, ADMIN_KINDS

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

# Format key -> French label, in the order they are tried and listed.
FORMATS: dict[str, str] = {
    "prada": "annuaire des PRADA de la CADA",
    "alaveteli": "export Alaveteli (Ma Dada)",
    "cada": "export de cada",
}

PRADA_COLUMNS: tuple[str, ...] = (
    "Département de l'autorité",
    "Nom de l'administration",
    "Prénom PRADA",
    "Nom PRADA",
    "Courriel 1 PRADA",
    "Adresse PRADA",
    "Code postal/Ville de l'autorité",
)
ALAVETELI_REQUIRED: tuple[str, ...] = ("#id", "name", "request_email")
ALAVETELI_OPTIONAL: tuple[str, ...] = ("notes", "home_page", "tag_string")


# ---------------------------------------------------------------------------
# Public data types


class DirectoryError(Exception):
    """A directory file cannot be read at all. ``message`` is French and names the file."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line


@dataclass(frozen=True)
class RowError:
    """A problem on one row: ``line`` where the row starts, the ``field`` concerned."""

    line: int
    field: str
    message: str


@dataclass(frozen=True)
class AdminRecord:
    """One administration read from a directory.

    ``key`` is stable per source so that a re-import updates instead of duplicating.
    ``line`` (where the row starts in its file) is not part of equality.
    """

    key: str
    name: str
    kind: str = "autre"
    addressee: str | None = None
    street_lines: tuple[str, ...] = ()
    postcode: str | None = None
    city: str | None = None
    email: str | None = None
    web_form: str | None = None
    prada_name: str | None = None
    prada_email: str | None = None
    department: str | None = None
    tags: tuple[str, ...] = ()
    line: int = field(default=0, compare=False)

    @property
    def postal_lines(self) -> tuple[str, ...]:
        """Street lines then "POSTCODE CITY", ready for an envelope (no name, no addressee)."""
        last = " ".join(part for part in (self.postcode, self.city) if part)
        return self.street_lines + ((last,) if last else ())


@dataclass
class ParseResult:
    """What one file gave: the kept records and why the other rows were not kept."""

    source: str
    format: str
    records: list[AdminRecord] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)  # rows rejected
    warnings: list[RowError] = field(default_factory=list)  # rows kept, a value changed
    duplicates: list[tuple[int, int, str]] = field(default_factory=list)
    rows_read: int = 0  # non-blank data rows
    encoding: str = "utf-8"
    delimiter: str = ","

    @property
    def format_label(self) -> str:
        return FORMATS[self.format]


# ---------------------------------------------------------------------------
# Text normalisation

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'"})
_C1 = re.compile("[\x80-\x9f]")


def _repair_c1(match: re.Match[str]) -> str:
    # A Windows-1252 byte decoded as Latin-1 somewhere upstream: \x92 was "’".
    try:
        return bytes([ord(match.group())]).decode("cp1252")
    except UnicodeDecodeError:
        return ""


def _clean_line(value: str | None) -> str:
    """One line: C1 repaired, NFC, whitespace collapsed, stripped."""
    if not value:
        return ""
    value = _C1.sub(_repair_c1, value)
    return " ".join(unicodedata.normalize("NFC", value).split())


def _clean_lines(value: str | None) -> list[str]:
    """Non-empty cleaned lines of a multi-line value."""
    if not value:
        return []
    value = _C1.sub(_repair_c1, value)  # before splitlines: \x85 is "…", not a newline
    return [line for line in (_clean_line(part) for part in value.splitlines()) if line]


def _clean_name(value: str | None) -> str:
    return "\n".join(_clean_lines(value))


def _optional(value: str) -> str | None:
    return value or None


def normalise_name(text: str) -> str:
    """Matching form of a name: casefolded, accents stripped, one kind of apostrophe,
    whitespace collapsed. Used in keys, so it must never change."""
    text = unicodedata.normalize("NFKD", _clean_line(text).casefold().translate(_APOSTROPHES))
    text = "".join(char for char in text if not unicodedata.combining(char))
    return " ".join(text.split())


# ---------------------------------------------------------------------------
# Kinds

_KIND_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ministere", (r"^ministere\b",)),
    ("prefecture", (r"^(sous-)?prefecture\b", r"^haut-commissariat\b")),
    (
        "etablissement_public",
        (
            r"^etablissement (public|national)\b",
            r"^centre hospitalier\b",
            r"^chu\b",
            r"^hopita(l|ux)\b",
            r"^universite\b",
            r"^office (public|national)\b",
            r"^agence (regionale de sante|nationale)\b",
            r"^centre (interdepartemental |departemental )?de gestion\b",
            r"^service (departemental )?d'incendie\b",
            r"^sdis\b",
            r"^syndicat\b",
            r"^centre communal d'action sociale?\b",
            r"^(assistance publique|groupe hospitalier|etablissement hospitalier)\b",
            r"^ecole (nationale|normale|polytechnique)\b",
            r"^agence de l'eau\b",
            r"^(port autonome|grand port maritime)\b",
            r"^ccas\b",
            r"^chambre (de commerce|d'agriculture|de metiers|des metiers)\b",
            r"^(centre|institut) national\b",
        ),
    ),
    ("departement", (r"^conseil (departemental|general)\b", r"^departement (de|du|des|d')")),
    ("region", (r"^conseil regional\b", r"^region\b")),
    ("commune", (r"^mairie\b", r"^(commune|ville) (de|du|des|d')")),
    (
        "intercommunalite",
        (
            r"\bcommunaute\b",
            r"metropole\b",  # also "Eurométropole de Strasbourg"
            r"\bagglomeration\b",
            r"^intercom\b",
            r"^epci\b",
        ),
    ),
)
_KIND_PATTERNS = tuple(
    (kind, re.compile("|".join(f"(?:{p})" for p in patterns))) for kind, patterns in _KIND_RULES
)
# Alaveteli tags, used only when the name says nothing.
_TAG_KINDS = {
    "mairie": "commune",
    "commune": "commune",
    "epci": "intercommunalite",
    "communaute_communes": "intercommunalite",
    "communaute_agglomerations": "intercommunalite",
    "communaute_urbaine": "intercommunalite",
    "metropole": "intercommunalite",
    "cg": "departement",
    "cr": "region",
    "prefecture": "prefecture",
    "sous_pref": "prefecture",
    "ministere": "ministere",
}


def infer_kind(name: str, tags: Iterable[str] = ()) -> str:
    """Kind of administration guessed from its name (then its tags); "autre" if unsure."""
    key = normalise_name(name)
    for kind, pattern in _KIND_PATTERNS:
        if pattern.search(key):
            return kind
    for tag in tags:
        kind = _TAG_KINDS.get(tag.casefold())
        if kind:
            return kind
    return "autre"


def _kind_key(value: str) -> str | None:
    """A stored kind key from what a user typed ("Intercommunalité" -> "intercommunalite")."""
    text = _clean_line(value).casefold()
    if text in ADMIN_KINDS:
        return text
    if text in ADMIN_KIND_ALIASES:
        return ADMIN_KIND_ALIASES[text]
    return None


# ---------------------------------------------------------------------------
# Departments and postal codes

_OVERSEAS_DEPARTMENTS = {"971", "972", "973", "974", "975", "976", "977", "978"}
_OVERSEAS_COLLECTIVITIES = {"984", "986", "987", "988"}
_VALID_3_DIGITS = _OVERSEAS_DEPARTMENTS | _OVERSEAS_COLLECTIVITIES


def normalise_department(value: str | None) -> str | None:
    """Canonical department code: "1" -> "01", "2a" -> "2A", "971" kept.

    Returns None for an empty value; raises ValueError (French message) for a code that
    is no French department or overseas collectivity. "20" (Corsica before 1976, still
    used by the CADA's directory) is accepted.
    """
    text = _clean_line(value).upper()
    if not text:
        return None
    if text in ("2A", "2B"):
        return text
    if text.isdigit():
        if len(text) <= 2 and 1 <= int(text) <= 95:
            return text.zfill(2)
        if text in _VALID_3_DIGITS:
            return text
    raise ValueError(f"département « {text} » inconnu")


def department_from_postcode(postcode: str | None) -> str | None:
    """Department of a 5-digit French postal code, None when it cannot be told.

    Corsica: 200xx, 201xx and 203xx (Ajaccio CEDEX) are 2A; 202xx and 204xx–206xx are
    2B. Overseas: Saint-Barthélemy (97133) is 977, Saint-Martin (97150) is 978, while the
    977xx and 978xx ranges are La Réunion's CEDEX codes (974).
    """
    if not postcode or len(postcode) != 5 or not postcode.isdigit():
        return None
    if postcode == "97133":
        return "977"
    if postcode == "97150":
        return "978"
    prefix3 = postcode[:3]
    if prefix3 in ("977", "978"):
        return "974"
    if prefix3 in _VALID_3_DIGITS:
        return prefix3
    if prefix3 in ("200", "201", "203"):
        return "2A"
    if prefix3 in ("202", "204", "205", "206"):
        return "2B"
    prefix2 = postcode[:2]
    if prefix2 != "20" and 1 <= int(prefix2) <= 95:
        return prefix2
    return None


class _RowReject(Exception):
    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.message = message


class _Row:
    """Collects the warnings of one row while its fields are parsed."""

    def __init__(self, line: int) -> None:
        self.line = line
        self.warnings: list[RowError] = []

    def warn(self, field_name: str, message: str) -> None:
        self.warnings.append(RowError(self.line, field_name, message))

    def postcode(self, raw: str, field_name: str = "postcode") -> str:
        text = "".join(_clean_line(raw).split())
        if re.fullmatch(r"\d{5}", text):
            return text
        if re.fullmatch(r"\d{4}", text):
            padded = "0" + text
            self.warn(
                field_name,
                f"code postal « {text} » complété en « {padded} » (zéro initial perdu)",
            )
            return padded
        raise _RowReject(
            field_name, f"code postal « {_clean_line(raw)} » invalide (5 chiffres attendus)"
        )

    def department(self, raw: str, field_name: str = "department") -> str | None:
        try:
            return normalise_department(raw)
        except ValueError as exc:
            self.warn(field_name, f"{exc}, ignoré")
            return None

    def email_or_url(self, raw: str, field_name: str) -> tuple[str | None, str | None]:
        """(email, web_form) from a cell holding an e-mail address or a web form URL."""
        text = _clean_line(raw)
        if not text:
            return None, None
        if re.match(r"(?i)(https?://|www\.)\S+$", text):
            return None, text
        email = self.email(text, field_name)
        return email, None

    def email(self, raw: str, field_name: str) -> str | None:
        text = _clean_line(raw)
        if text.casefold().startswith("mailto:"):
            text = text[len("mailto:") :]
        if not text:
            return None
        if _valid_email(text):
            return text
        squeezed = "".join(text.split())
        if squeezed != text and _valid_email(squeezed):
            self.warn(
                field_name, f"courriel « {text} » corrigé en « {squeezed} » (espaces retirés)"
            )
            return squeezed
        self.warn(field_name, f"courriel « {text} » invalide, ignoré")
        return None


_EMAIL = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}"
)


def _valid_email(text: str) -> bool:
    local = text.split("@", 1)[0]
    return bool(_EMAIL.fullmatch(text)) and not (
        local.startswith(".") or local.endswith(".") or ".." in local
    )


# ---------------------------------------------------------------------------
# Reading files


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
        row = _Row(line)
        values = {column: cells[index] for column, index in columns.items()}
        if fmt == "cada":  # cada's export makes formula-like cells inert with a "'"
            values = {column: unquote_csv_cell(v) for column, v in values.items()}
        try:
            record = parse_row(values, row)
        except _RowReject as exc:
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
    names = [_clean_line(cell) for cell in header]
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
        for fmt, (required, _optional, _signature) in specs.items()
    )
    raise DirectoryError(
        f"« {source_name} » : format d'annuaire non reconnu (ligne {line} : « {shown} »). "
        f"Formats reconnus : {known}.",
        path=source_name,
        line=line,
    )


# ---------------------------------------------------------------------------
# One row per format

# "Monsieur le maire", "Madame la présidente", "Le directeur", "M. le préfet"…
_ADDRESSEE = re.compile(
    r"(?i)^(?:monsieur|madame|mademoiselle|mme\.?|mlle\.?|m\.|messieurs|mesdames|le|la|les)"
    r"(?=\s|$)|^l['’]"
)
_GLUED_ARTICLE = re.compile(r"^(Monsieur|Madame)(la|le)\b")  # "Madamela directrice…"
_CONTACT_LINE = re.compile(
    r"(?i)^(t[ée]l[ée]?(phone)?|fax|t[ée]l[ée]copie|mail|e-mail|courriel)\b\.?\s*:"
)
_POSTAL_LINE = re.compile(r"^(?P<postcode>[^/]*?)\s*/\s*(?P<city>.*)$")


def _parse_prada(values: dict[str, str], row: _Row) -> AdminRecord:
    name = _clean_name(values["Nom de l'administration"])
    if not name:
        raise _RowReject("Nom de l'administration", "nom de l'administration manquant")

    postcode = city = None
    postal = _clean_line(values["Code postal/Ville de l'autorité"])
    if postal:
        match = _POSTAL_LINE.match(postal)
        if not match:
            raise _RowReject(
                "Code postal/Ville de l'autorité",
                f"code postal/ville « {postal} » illisible (attendu : « 06364 / NICE CEDEX 4 »)",
            )
        postcode = row.postcode(match["postcode"], "Code postal/Ville de l'autorité")
        city = match["city"]
        if not city:
            raise _RowReject(
                "Code postal/Ville de l'autorité",
                f"ville manquante après le code postal « {postcode} »",
            )

    lines = _clean_lines(values["Adresse PRADA"])
    addressee = None
    if lines:
        first = _GLUED_ARTICLE.sub(r"\1 \2", lines[0])
        if _ADDRESSEE.match(first):
            addressee = first
            lines = lines[1:]
    street: list[str] = []
    for line in lines:
        if _CONTACT_LINE.match(line):
            row.warn(
                "Adresse PRADA",
                f"ligne d'adresse « {line} » retirée (téléphone, fax ou courriel)",
            )
        else:
            street.append(line)

    # The CADA's department column is the postal code's first two (three overseas)
    # digits. The key keeps it as written, so keys never depend on the refinement below.
    raw_department = _clean_line(values["Département de l'autorité"]).upper()
    key_department = raw_department.zfill(2) if raw_department.isdigit() else raw_department
    department = row.department(raw_department, "Département de l'autorité")
    derived = department_from_postcode(postcode)
    if department is None:
        department = derived
    elif (
        derived
        and derived != department
        and postcode
        and (department == "20" or department == postcode[:3])
    ):
        # "20" for Corsica, "977"/"978" for La Réunion's CEDEX codes: a prefix, not a
        # department. The postal code tells the real one (holiday calendars differ).
        row.warn(
            "Département de l'autorité",
            f"département « {department} » remplacé par « {derived} » "
            f"d'après le code postal « {postcode} »",
        )
        department = derived

    email, web_form = row.email_or_url(values["Courriel 1 PRADA"], "Courriel 1 PRADA")
    prada_name = _clean_line(f"{values['Prénom PRADA']} {values['Nom PRADA']}")
    return AdminRecord(
        key=f"prada:{key_department}:{normalise_name(name)}",
        name=name,
        kind=infer_kind(name),
        addressee=addressee,
        street_lines=tuple(street),
        postcode=postcode,
        city=city,
        # The PRADA's address is the one the CADA publishes for access requests.
        email=email,
        web_form=web_form,
        prada_name=_optional(prada_name),
        prada_email=email,
        department=department,
        line=row.line,
    )


def _parse_alaveteli(values: dict[str, str], row: _Row) -> AdminRecord:
    identifier = _clean_line(values["#id"])
    name = _clean_name(values["name"])
    if not name:
        raise _RowReject("name", "nom de l'administration manquant")
    if not identifier:
        raise _RowReject("#id", "identifiant « #id » manquant")

    street: tuple[str, ...] = ()
    postcode = city = None
    for segment in (values.get("notes") or "").split("|"):
        label, _, address = segment.partition(":")
        if normalise_name(label) != "adresse":
            continue
        address = _clean_line(address)
        if not address:
            break
        parts = [part.strip() for part in address.rsplit(",", 2)]
        if len(parts) != 3 or not parts[1]:
            raise _RowReject(
                "notes",
                f"adresse « {address} » illisible (attendu : « rue,code postal,ville »)",
            )
        street = (parts[0],) if parts[0] else ()
        postcode = row.postcode(parts[1], "notes")
        city = parts[2]
        if not city:
            raise _RowReject("notes", f"ville manquante après le code postal « {postcode} »")
        break

    tags = tuple(dict.fromkeys(_clean_line(values.get("tag_string")).split()))
    email, web_form = row.email_or_url(values["request_email"], "request_email")
    return AdminRecord(
        key=f"alaveteli:{identifier}",
        name=name,
        kind=infer_kind(name, tags),
        street_lines=street,
        postcode=postcode,
        city=city,
        email=email,
        web_form=web_form,
        department=department_from_postcode(postcode),
        tags=tags,
        line=row.line,
    )


def _parse_cada(values: dict[str, str], row: _Row) -> AdminRecord:
    name = _clean_name(values["name"])
    if not name:
        raise _RowReject("name", "nom de l'administration manquant")

    postcode = None
    raw_postcode = _clean_line(values["postcode"])
    city = _clean_line(values["city"]) or None
    if raw_postcode:
        postcode = row.postcode(raw_postcode)
        if not city:
            raise _RowReject("city", f"ville manquante pour le code postal « {postcode} »")
    elif city:
        raise _RowReject("postcode", f"code postal manquant pour la ville « {city} »")

    raw_kind = _clean_line(values["kind"])
    kind = _kind_key(raw_kind) if raw_kind else None
    if kind is None:
        kind = infer_kind(name)
        if raw_kind:
            row.warn("kind", f"type « {raw_kind} » inconnu, déduit du nom : « {kind} »")

    department = row.department(values["department"]) or department_from_postcode(postcode)

    email, web_form = row.email_or_url(values["email"], "email")
    street = tuple(line for part in values["street"].split("|") for line in _clean_lines(part))
    tags = tuple(
        dict.fromkeys(
            tag for tag in (_clean_line(t) for t in values["tags"].split(TAG_SEPARATOR)) if tag
        )
    )
    key = _clean_line(values["key"]) or f"cada:{normalise_name(name)}:{postcode or ''}"
    return AdminRecord(
        key=key,
        name=name,
        kind=kind,
        addressee=_clean_line(values["addressee"]) or None,
        street_lines=street,
        postcode=postcode,
        city=city,
        email=email,
        web_form=web_form,
        prada_name=_clean_line(values["prada_name"]) or None,
        prada_email=row.email(values["prada_email"], "prada_email"),
        department=department,
        tags=tags,
        line=row.line,
    )


_ROW_PARSERS = {"prada": _parse_prada, "alaveteli": _parse_alaveteli, "cada": _parse_cada}


# ---------------------------------------------------------------------------
# Writing cada's own format


def write_cada_csv(records: Iterable[AdminRecord], fh: TextIO, *, raw: bool = False) -> int:
    """Write records as cada's CSV (header :data:`CADA_COLUMNS`); returns the row count.

    ``fh`` should be opened with ``newline=""``. Unless ``raw``, a cell a spreadsheet
    would run as a formula gets a leading ``'``, which the cada format's parser removes. The single ``email`` column carries the
    e-mail address, or else the web form URL (the parser sends a URL back to
    ``web_form``). Raises ValueError for a record the format cannot hold: both an e-mail
    and a web form, a street line containing "|" or a line break, a tag containing ",".
    """
    writer = csv.writer(fh, lineterminator="\r\n")
    writer.writerow(CADA_COLUMNS)
    count = 0
    for record in records:
        writer.writerow([csv_cell(cell, raw=raw) for cell in _cada_row(record)])
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
