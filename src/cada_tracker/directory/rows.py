"""One row being parsed: its warnings, and the values every format checks the same way."""

from __future__ import annotations

import re

from cada_tracker.directory.places import normalise_department
from cada_tracker.directory.records import AdminRecord, RowError
from cada_tracker.directory.text import clean_line
from cada_tracker.emails import valid_email as _valid_email


class RowReject(Exception):
    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.message = message


class Row:
    """Collects the warnings of one row while its fields are parsed."""

    def __init__(self, line: int) -> None:
        self.line = line
        self.warnings: list[RowError] = []

    def warn(self, field_name: str, message: str) -> None:
        self.warnings.append(RowError(self.line, field_name, message))

    def postcode(self, raw: str, field_name: str = "postcode") -> str:
        text = "".join(clean_line(raw).split())
        if re.fullmatch(r"\d{5}", text):
            return text
        if re.fullmatch(r"\d{4}", text):
            padded = "0" + text
            self.warn(
                field_name,
                f"code postal « {text} » complété en « {padded} » (zéro initial perdu)",
            )
            return padded
        raise RowReject(
            field_name, f"code postal « {clean_line(raw)} » invalide (5 chiffres attendus)"
        )

    def department(self, raw: str, field_name: str = "department") -> str | None:
        try:
            return normalise_department(raw)
        except ValueError as exc:
            self.warn(field_name, f"{exc}, ignoré")
            return None

    def email_or_url(self, raw: str, field_name: str) -> tuple[str | None, str | None]:
        """(email, web_form) from a cell holding an e-mail address or a web form URL."""
        text = clean_line(raw)
        if not text:
            return None, None
        if re.match(r"(?i)(https?://|www\.)\S+$", text):
            return None, text
        email = self.email(text, field_name)
        return email, None

    def email(self, raw: str, field_name: str) -> str | None:
        text = clean_line(raw)
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


def within_limits(record: AdminRecord) -> AdminRecord:
    """``record``, or RowReject if a text its indexes hold is too long for them."""
    from cada_tracker import textlimits as tl

    for name, value, limit in (("name", record.name, tl.NAME_MAX),
                               ("city", record.city or "", tl.CITY_MAX),
                               ("key", record.key, tl.KEY_MAX),
                               *(("tags", tag, tl.TAG_MAX) for tag in record.tags)):
        why = tl.problem(value, limit)
        if why is not None:
            raise RowReject(name, f"« {value[:40]}… » : {why}")
    return record
