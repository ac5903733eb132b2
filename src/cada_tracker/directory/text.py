"""Text cleaning shared by every format, and the matching form of names."""

from __future__ import annotations

import re
import unicodedata

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'"})
_C1 = re.compile("[\x80-\x9f]")


def _repair_c1(match: re.Match[str]) -> str:
    # A Windows-1252 byte decoded as Latin-1 somewhere upstream: \x92 was "’".
    try:
        return bytes([ord(match.group())]).decode("cp1252")
    except UnicodeDecodeError:
        return ""


def clean_line(value: str | None) -> str:
    """One line: C1 repaired, NFC, whitespace collapsed, stripped."""
    if not value:
        return ""
    value = _C1.sub(_repair_c1, value)
    return " ".join(unicodedata.normalize("NFC", value).split())


def clean_lines(value: str | None) -> list[str]:
    """Non-empty cleaned lines of a multi-line value."""
    if not value:
        return []
    value = _C1.sub(_repair_c1, value)  # before splitlines: \x85 is "…", not a newline
    return [line for line in (clean_line(part) for part in value.splitlines()) if line]


def clean_name(value: str | None) -> str:
    return "\n".join(clean_lines(value))


def optional(value: str) -> str | None:
    return value or None


def normalise_name(text: str) -> str:
    """Matching form of a name: casefolded, accents stripped, one kind of apostrophe,
    whitespace collapsed. Used in keys, so it must never change."""
    text = unicodedata.normalize("NFKD", clean_line(text).casefold().translate(_APOSTROPHES))
    text = "".join(char for char in text if not unicodedata.combining(char))
    return " ".join(text.split())
