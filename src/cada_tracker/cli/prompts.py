"""Questions asked on a terminal when an option is missing.

Each answer is checked as soon as it is typed and asked again when it is wrong, so a
typo on the third question does not throw away the first two. Questions go to
stderr (stdout stays for ``--json``), with French typography (a space before the
colon) and user text shown as typed, never as markup or terminal codes.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import TypeVar

from cada_tracker.errors import CadaError, InputError
from cada_tracker.escape import terminal

T = TypeVar("T")

#: Choices listed by number before asking to narrow the search.
SHOWN_CHOICES = 12


def say(message: str) -> None:
    sys.stderr.write(terminal(message) + "\n")
    sys.stderr.flush()


def _read(label: str, default: str | None, *, show_default: bool = True) -> str:
    shown = f" [{terminal(default)}]" if default and show_default else ""
    sys.stderr.write(f"{terminal(label)}{shown} : ")
    sys.stderr.flush()
    try:
        line = sys.stdin.readline()
    except UnicodeDecodeError:
        say("Texte illisible : tapez-le en UTF-8.")
        return _read(label, default, show_default=show_default)
    if not line:  # Ctrl-D: the user leaves, as with Ctrl-C
        raise EOFError
    text = line.rstrip("\r\n").strip()
    if any("\ud800" <= char <= "\udfff" for char in text):
        say("Texte illisible : tapez-le en UTF-8.")
        return _read(label, default, show_default=show_default)
    return text


def ask_value(label: str, *, default: str | None = None,
              check: Callable[[str], T] | None = None, optional: bool = False,
              show_default: bool = True) -> T | str:
    """One answer, checked by ``check`` (which raises a CadaError to have it asked again).
    An empty line takes ``default``; ``optional`` accepts an empty answer as ""."""
    while True:
        answer = _read(label, default, show_default=show_default)
        if not answer:
            if default is not None:
                answer = default
            elif optional:
                return ""
            else:
                say("Une réponse est nécessaire.")
                continue
        if check is None:
            return answer
        try:
            return check(answer)
        except CadaError as exc:
            say(exc.message)


def ask_lines(label: str, *, item: str = "ligne") -> list[str]:
    """Several answers, one per line; an empty line ends (after at least one)."""
    say(f"{label} : une réponse par ligne, ligne vide pour terminer.")
    lines: list[str] = []
    while True:
        answer = _read(f"  {item} n° {len(lines) + 1}", None)
        if answer:
            lines.append(answer)
        elif lines:
            return lines
        else:
            say("Il faut au moins une réponse.")


def ask_choice(label: str, options: Sequence[tuple[str, str]], *,
               default: str | None = None) -> str:
    """One of ``options`` ((value, description) pairs), by its number or its value."""
    for number, (value, description) in enumerate(options, 1):
        say(f"  {number:>2}. {value}" + (f" — {description}" if description else ""))
    values = [value for value, _ in options]

    def check(answer: str) -> str:
        if answer.isascii() and answer.isdigit() and 1 <= int(answer) <= len(options):
            return values[int(answer) - 1]
        if answer in values:
            return answer
        raise InputError(f"« {answer} » ne fait pas partie de la liste : tapez un numéro "
                         f"de 1 à {len(options)}.")

    return ask_value(label, default=default, check=check)


def ask_yes_no(label: str, *, default: bool = False) -> bool:
    """A yes/no question in French (o, oui, n, non); an empty line takes ``default``."""
    def check(answer: str) -> bool:
        word = answer.strip().lower()
        if word in ("o", "oui"):
            return True
        if word in ("n", "non"):
            return False
        raise InputError(f"« {answer} » : répondez o (oui) ou n (non).")

    return ask_value(f"{label} [{'O/n' if default else 'o/N'}]",
                     default="o" if default else "n", check=check, show_default=False)
