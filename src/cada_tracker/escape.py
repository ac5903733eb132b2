"""Where text written by users and administrations meets an output format.

Names, subjects, notes and (later) e-mail headers are data. Each output format has
one escaper here, so no format ever reads such text as markup, a formula or a
terminal command:

- ``terminal``: control characters (C0 but newline and tab, DEL, C1 such as the
  one-byte CSI ``\\x9b``) and the bidirectional overrides that can reorder what the
  reader sees are shown as ``\\x1b``-style escapes. ``"a\\x1b[31mb"`` prints as
  ``a\\x1b[31mb`` literally, never in red.
- ``rich_text``: a Rich ``Text`` of the terminal-safe text, so ``[/]`` or
  ``[link=…]`` is printed as typed instead of being parsed as Rich markup.
- ``csv_cell``: OWASP's rule against formula injection: a text cell that begins
  with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading ``'``
  (spreadsheets show the text; scripts can ask for ``--raw-csv``).
- ``markdown``: inside a line of Markdown (the README of a publication), the
  characters that make links, images, HTML, emphasis or table cells are
  backslash-escaped.
- ``json_safe``: JSON already escapes C0 controls; the C1 controls and bidi
  overrides are escaped as ``\\u….`` too, so ``cada … --json`` on a terminal is inert
  while ``json.loads`` still gives the original string back.

HTML is autoescaped by the letters' Jinja environment; ICS text is made
terminal-safe here, then escaped and folded by ``cada_tracker.ics``.
"""

from __future__ import annotations

import re

# C0 except \t and \n, DEL, C1; bidi embeddings, overrides and isolates; LRM/RLM/ALM.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# Same set minus C0 (that json.dumps escapes already).
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _visible(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal(text: str) -> str:
    """``text`` with every control character shown as an escape, never interpreted."""
    if _CONTROL.search(text) is None:
        return text
    return _CONTROL.sub(_visible, text)


def one_line(text: str) -> str:
    """For a table cell or a message of one line: newlines and tabs become spaces."""
    return terminal(text).replace("\r", " ").replace("\n", " ").replace("\t", " ")


def rich_text(value, *, style: str = ""):
    """A Rich ``Text`` that shows ``value`` as it is (no markup, no control codes)."""
    from rich.text import Text

    return Text("" if value is None else terminal(str(value)), style=style)


def csv_cell(value, *, raw: bool = False):
    """A CSV cell; text that a spreadsheet would run as a formula is made inert."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return value.isoformat() if hasattr(value, "isoformat") else value
    if not raw and value.startswith(FORMULA_START):
        return "'" + value
    return value


def unquote_csv_cell(value: str) -> str:
    """Undo :func:`csv_cell` when reading back a file cada wrote."""
    if value.startswith("'") and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value


def json_safe(encoded: str) -> str:
    """Escape, in already encoded JSON, what ``json.dumps`` leaves raw but a terminal obeys."""
    if _JSON_UNSAFE.search(encoded) is None:
        return encoded
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", encoded)


# What Markdown (CommonMark, GitHub's tables) reads as markup inside a line: emphasis,
# links and images, code, raw HTML and entities, table cells, strikethrough.
_MARKDOWN = re.compile(r"([\\`*_\[\]()<>&|~!])")


def markdown(text: str) -> str:
    """``text`` inside a line of Markdown, shown as typed (no link, image, HTML or
    emphasis of its own): each character Markdown reads is backslash-escaped, which
    CommonMark allows for any ASCII punctuation. On one line, control codes shown."""
    return _MARKDOWN.sub(r"\\\1", one_line(text))

