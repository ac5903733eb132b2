"""What counts as an e-mail address, for a directory row and for a sender's profile."""

from __future__ import annotations

import re

_EMAIL = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}"
)


def valid_email(text: str) -> bool:
    """An address a mail server accepts: ``local@domain.tld``, no space, no ".." in the
    local part, which neither starts nor ends with a dot."""
    local = text.split("@", 1)[0]
    return bool(_EMAIL.fullmatch(text)) and not (
        local.startswith(".") or local.endswith(".") or ".." in local
    )
