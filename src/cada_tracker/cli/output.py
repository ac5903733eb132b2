"""Where things are printed: data on stdout, messages on stderr; JSON and CSV rendering."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from datetime import date, datetime
from functools import lru_cache

from cada_tracker.escape import csv_cell, json_safe, one_line, rich_text, terminal


@lru_cache(maxsize=1)
def _consoles():
    from rich.console import Console

    # NO_COLOR (no-color.org): no colour, and no bold nor underline either: plain text.
    system = None if os.environ.get("NO_COLOR") else "auto"
    width = _absurd_width_fallback()
    return (Console(file=sys.stdout, highlight=False, color_system=system, width=width),
            Console(file=sys.stderr, highlight=False, color_system=system, width=width))


MIN_COLUMNS = 20  # below, Rich prints an empty table, or its borders only


def _absurd_width_fallback() -> int | None:
    """80 columns when COLUMNS asks for fewer than a table can hold (``COLUMNS=0`` made
    every table vanish, exit 0); None lets Rich read the terminal and COLUMNS."""
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isdigit() and int(columns) < MIN_COLUMNS:
        return 80
    return None


def reset() -> None:
    """Forget the consoles (tests capture a new sys.stdout for every run)."""
    _consoles.cache_clear()


def out():
    return _consoles()[0]


def err():
    return _consoles()[1]


# Every message may quote what a user or an administration wrote: it is printed as
# text (escape.py), never as Rich markup or terminal codes.


# Messages go to stderr as plain text (no Rich: importing it would double the start-up
# of ``cada deadlines``), their prefix coloured on a terminal as Rich would colour it.
_COLOURS = {"green": "32", "yellow": "33", "red": "31"}


def _colour_on(stream) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("TERM", "") in ("dumb", "unknown"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _message(prefix: str, colour: str | None, message: str) -> None:
    stream = sys.stderr
    if prefix and colour and _colour_on(stream):
        prefix = f"\x1b[{_COLOURS[colour]}m{prefix}\x1b[0m"
    stream.write(f"{prefix} {terminal(message)}\n" if prefix else f"{terminal(message)}\n")
    stream.flush()


def info(message: str) -> None:
    _message("", None, message)


def success(message: str) -> None:
    _message("✓", "green", message)


def warn(message: str) -> None:
    _message("Attention :", "yellow", message)


MESSAGE_MAX = 2000  # a message quoting a 100 000-character value stays readable


def error(message: str, hint: str | None = None) -> None:
    if len(message) > MESSAGE_MAX:
        message = message[:MESSAGE_MAX] + " […]"
    _message("Erreur :", "red", message)
    if hint:
        info(hint)


def echo(text: str = "", *, nl: bool = True) -> None:
    """Plain output on stdout (``cada show``, ``admin show``…), control codes shown."""
    sys.stdout.write(terminal(text) + ("\n" if nl else ""))


def _default(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def to_json(data) -> str:
    import json  # not at the top: --help and plain commands need neither json nor csv

    return json_safe(json.dumps(data, ensure_ascii=False, indent=2, default=_default))


def print_json(data) -> None:
    sys.stdout.write(to_json(data) + "\n")
    sys.stdout.flush()


def print_json_rows(rows: Iterable[dict]) -> None:
    """A JSON array written an element at a time: the same text as ``print_json`` of
    the list, without holding the list."""
    write, opening = sys.stdout.write, "[\n  "
    for row in rows:
        write(opening + to_json(row).replace("\n", "\n  "))
        opening = ",\n  "
    write("[]\n" if opening.startswith("[") else "\n]\n")
    sys.stdout.flush()


def write_csv(header: list[str], rows: Iterable[Iterable], *, raw: bool = False,
              ready: bool = False) -> None:
    """Stream rows as CSV on stdout (no table: about 1 µs a row).

    Cells a spreadsheet would run as formulas get a leading ``'`` unless ``raw``;
    ``ready`` rows were made so already (by the database: see
    ``services.request_list``) and hold only text, numbers, dates and None, written
    as they are. Written to a terminal rather than a file, control characters are
    shown escaped.
    """
    import csv

    writer = csv.writer(sys.stdout)  # RFC 4180: CRLF, and a cell holding \r is quoted
    writer.writerow(header)
    on_terminal = sys.stdout.isatty()
    if ready and not on_terminal:
        writer.writerows(rows)  # in C: the export of 100k requests costs no more
        sys.stdout.flush()
        return
    for row in rows:
        cells = [csv_cell(v, raw=raw or ready) for v in row]
        if on_terminal:
            cells = [terminal(c) if isinstance(c, str) else c for c in cells]
        writer.writerow(cells)
    sys.stdout.flush()


SHORT_CELL = 10  # a date (01/12/2026): never wrapped
TEXT_MIN = 6  # the narrowest a wrapping column gets


def table(title: str | None, columns: list[str], rows: Iterable[Iterable], *, caption=None,
          keep: tuple[int, ...] = ()):
    """A Rich table that fits the terminal. The columns at the positions in ``keep`` (a
    reference, a campaign name: what the next command needs) are never cut nor
    wrapped, even at 80 columns; nor are short values (dates, numbers). The other
    columns share the rest of the width: they wrap, and shorten a word too long."""
    from rich.table import Table

    cells = [[rich_text(v) for v in row] for row in rows]
    widths = _fit(columns, cells, keep, out().width)
    t = Table(title=None if title is None else rich_text(one_line(title)),
              caption=None if caption is None else rich_text(caption),
              header_style="bold", title_justify="left")
    for position, col in enumerate(columns):
        t.add_column(col, width=widths[position], no_wrap=position in keep)
    for row in cells:
        t.add_row(*row)
    out().print(t)


def _fit(columns: list[str], cells: list[list], keep: tuple[int, ...], total: int
         ) -> list[int | None]:
    """Each column's width: None (Rich decides) when the table fits as it is."""
    natural = [max([len(col), *(r[i].cell_len for r in cells)]) for i, col in enumerate(columns)]
    overhead = 3 * len(columns) + 1  # borders and padding
    if sum(natural) + overhead <= total:
        return [None] * len(columns)
    fixed: dict[int, int] = {}
    for i, col in enumerate(columns):
        widest = max((r[i].cell_len for r in cells), default=0)
        if i in keep or widest <= SHORT_CELL:  # the header may wrap, on its words
            header = max((len(w) for w in col.split()), default=0)
            fixed[i] = max(widest, header if i not in keep else len(col))
    text = [i for i in range(len(columns)) if i not in fixed]
    spare = total - overhead - sum(fixed.values())
    if not text:
        return [fixed[i] for i in range(len(columns))]
    widths: dict[int, int] = {}
    left = list(text)
    while left:  # the narrow columns keep their width when under an equal share
        equal = max(TEXT_MIN, (spare - sum(widths.values())) // len(left))
        narrow = [i for i in left if natural[i] <= equal]
        if not narrow:
            for i in left:
                widths[i] = equal
            break
        for i in narrow:
            widths[i] = natural[i]
            left.remove(i)
    excess = sum(widths.values()) - spare
    while excess > 0:  # the minimums took more than their share: narrow the widest
        widest = max(text, key=widths.get)
        if widths[widest] <= TEXT_MIN:
            break
        widths[widest] -= 1
        excess -= 1
    return [fixed.get(i, widths.get(i)) for i in range(len(columns))]


def excerpt(text: str, *, start: str = "\x02", stop: str = "\x03", indent: str = "    "):
    """A search excerpt as a Rich ``Text``: its matches, between the FTS markers
    ``start`` and ``stop``, in bold yellow; the rest as text, control codes shown. The
    text is split on the markers first, which terminal() would show as escapes."""
    from rich.text import Text

    shown = Text(indent)
    for n, part in enumerate(text.replace(stop, start).split(start)):
        shown.append(terminal(part), style="bold yellow" if n % 2 else "")
    return shown


def plain_table(title: str | None, columns: list[str], rows: Iterable[Iterable]) -> None:
    """A table whose cells are shown as they are: text from documents and administrations
    is never read as Rich markup (``[/]`` stays ``[/]``), control codes are shown as
    escapes."""
    from rich.table import Table

    t = Table(title=None if title is None else rich_text(one_line(title)),
              header_style="bold", title_justify="left")
    for col in columns:
        t.add_column(col)
    for row in rows:
        t.add_row(*[rich_text(v) for v in row])
    out().print(t)
