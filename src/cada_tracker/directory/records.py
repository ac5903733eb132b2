"""The data types a directory parse produces, and the formats it knows."""

from __future__ import annotations

from dataclasses import dataclass, field

# Format key -> French label, in the order they are tried and listed.
FORMATS: dict[str, str] = {
    "prada": "annuaire des PRADA de la CADA",
    "alaveteli": "export Alaveteli (Ma Dada)",
    "cada": "export de cada",
}


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
