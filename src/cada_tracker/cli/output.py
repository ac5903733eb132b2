"""Where things are printed: data on stdout, messages on stderr; JSON and CSV rendering."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable
from datetime import date, datetime
from functools import lru_cache


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


def info(message: str) -> None:
    err().print(message, markup=False, soft_wrap=True)


def success(message: str) -> None:
    err().print(f"[green]✓[/green] {_escape(message)}", soft_wrap=True)


def warn(message: str) -> None:
    err().print(f"[yellow]Attention :[/yellow] {_escape(message)}", soft_wrap=True)


def error(message: str, hint: str | None = None) -> None:
    err().print(f"[red]Erreur :[/red] {_escape(message)}", soft_wrap=True)
    if hint:
        err().print(hint, markup=False, soft_wrap=True)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def _default(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def to_json(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=_default)


def print_json(data) -> None:
    sys.stdout.write(to_json(data) + "\n")
    sys.stdout.flush()


def write_csv(header: list[str], rows: Iterable[Iterable]) -> None:
    """Stream rows as CSV on stdout (no table: about 1 µs a row)."""
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v.isoformat() if isinstance(v, date) else v
                         for v in row])
    sys.stdout.flush()


def table(title: str | None, columns: list[str], rows: Iterable[Iterable], *, caption=None):
    from rich.table import Table

    t = Table(title=title, caption=caption, header_style="bold", title_justify="left")
    for col in columns:
        t.add_column(col)
    for row in rows:
        t.add_row(*["" if v is None else str(v) for v in row])
    out().print(t)
