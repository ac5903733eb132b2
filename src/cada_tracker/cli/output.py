"""Where things are printed: data on stdout, messages on stderr; JSON and CSV rendering."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable
from datetime import date, datetime
from functools import lru_cache

from cada_tracker.escape import csv_cell, json_safe, one_line, rich_markup, rich_text, terminal


@lru_cache(maxsize=1)
def _consoles():
    from rich.console import Console

    return Console(file=sys.stdout, highlight=False), Console(file=sys.stderr, highlight=False)


def reset() -> None:
    """Forget the consoles (tests capture a new sys.stdout for every run)."""
    _consoles.cache_clear()


def out():
    return _consoles()[0]


def err():
    return _consoles()[1]


# Every message may quote what a user or an administration wrote: it is printed as
# text (escape.py), never as Rich markup or terminal codes.


def info(message: str) -> None:
    err().print(terminal(message), markup=False, soft_wrap=True, highlight=False)


def success(message: str) -> None:
    err().print(f"[green]✓[/green] {rich_markup(message)}", soft_wrap=True)


def warn(message: str) -> None:
    err().print(f"[yellow]Attention :[/yellow] {rich_markup(message)}", soft_wrap=True)


MESSAGE_MAX = 2000  # a message quoting a 100 000-character value stays readable


def error(message: str, hint: str | None = None) -> None:
    if len(message) > MESSAGE_MAX:
        message = message[:MESSAGE_MAX] + " […]"
    err().print(f"[red]Erreur :[/red] {rich_markup(message)}", soft_wrap=True)
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
    return json_safe(json.dumps(data, ensure_ascii=False, indent=2, default=_default))


def print_json(data) -> None:
    sys.stdout.write(to_json(data) + "\n")
    sys.stdout.flush()


def write_csv(header: list[str], rows: Iterable[Iterable], *, raw: bool = False) -> None:
    """Stream rows as CSV on stdout (no table: about 1 µs a row).

    Cells a spreadsheet would run as formulas get a leading ``'`` unless ``raw``.
    Written to a terminal rather than a file, control characters are shown escaped.
    """
    writer = csv.writer(sys.stdout)  # RFC 4180: CRLF, and a cell holding \r is quoted
    writer.writerow(header)
    on_terminal = sys.stdout.isatty()
    for row in rows:
        cells = [csv_cell(v, raw=raw) for v in row]
        if on_terminal:
            cells = [terminal(c) if isinstance(c, str) else c for c in cells]
        writer.writerow(cells)
    sys.stdout.flush()


def table(title: str | None, columns: list[str], rows: Iterable[Iterable], *, caption=None):
    from rich.table import Table

    t = Table(title=None if title is None else rich_text(one_line(title)),
              caption=None if caption is None else rich_text(caption),
              header_style="bold", title_justify="left")
    for col in columns:
        t.add_column(col)
    for row in rows:
        t.add_row(*[rich_text(v) for v in row])
    out().print(t)


def plain_table(title: str | None, columns: list[str], rows: Iterable[Iterable]) -> None:
    """A table whose cells are shown as they are: text from documents and administrations
    is never read as Rich markup (``[/]`` stays ``[/]``)."""
    from rich.table import Table
    from rich.text import Text

    t = Table(title=title, header_style="bold", title_justify="left")
    for col in columns:
        t.add_column(col)
    for row in rows:
        t.add_row(*[Text("" if v is None else str(v)) for v in row])
    out().print(t)
