"""Department codes, and the department of a postal code."""

from __future__ import annotations

from cada_tracker.directory.text import clean_line

_OVERSEAS_DEPARTMENTS = {"971", "972", "973", "974", "975", "976", "977", "978"}
_OVERSEAS_COLLECTIVITIES = {"984", "986", "987", "988"}
_VALID_3_DIGITS = _OVERSEAS_DEPARTMENTS | _OVERSEAS_COLLECTIVITIES


def normalise_department(value: str | None) -> str | None:
    """Canonical department code: "1" -> "01", "2a" -> "2A", "971" kept.

    Returns None for an empty value; raises ValueError (French message) for a code that
    is no French department or overseas collectivity. "20" (Corsica before 1976, still
    used by the CADA's directory) is accepted.
    """
    text = clean_line(value).upper()
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
