"""Which stored request letters ``cada export`` writes, in which order, under which names.

Letters are the HTML stored with each request when it was drafted (``cada new``,
edited with ``cada edit``). The selection is read as light rows (id, reference,
administration name); the HTML itself is read ``chunk`` letters at a time while
rendering, so a campaign of thousands of letters never sits in memory at once.
Both run plain SQL on a Core connection (``cli.common.reading``): ``cada export``
never imports the ORM, its models nor pydantic (≈ 20 MB and as long to import
as the rest of its start-up). Only an unknown reference opens an ORM session,
to name the close references.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cada_tracker.errors import InputError, NotFoundError
from cada_tracker.vocab import STATUSES, choice

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection


@dataclass(frozen=True)
class LetterRow:
    id: int
    reference: str
    administration: str
    campaign: str | None

    def filename(self, suffix: str) -> str:
        """``2026-0042-mairie-de-saint-etienne.pdf``: sorts by reference, then name."""
        return f"{self.reference}-{slug(self.administration)}.{suffix}"


def slug(text: str, limit: int = 60) -> str:
    """ASCII, lower case, dashes: safe in a file name on every system."""
    text = text.lower().replace("œ", "oe").replace("æ", "ae").replace("ß", "ss")
    bare = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    words = re.sub(r"[^a-z0-9]+", "-", bare).strip("-")
    return (words[:limit].rstrip("-")) or "administration"


_SELECT = ("SELECT r.id, r.reference, a.name, r.campaign FROM request r "
           "JOIN administration a ON a.id = r.administration_id")
# 2026-9999 before 2026-10000: references sort by length first.
_ORDER = " ORDER BY length(r.reference), r.reference, a.name"


def select_letters(
    connection: Connection, *, references: list[str], campaign: str | None,
    status: str | None,
) -> list[LetterRow]:
    """The letters to export, ordered by reference (then administration)."""
    from sqlalchemy import bindparam, text

    if not references and campaign is None and status is None:
        raise InputError("Indiquez les demandes à exporter : des références, --campaign NOM "
                         "ou --status STATUT (ex. --status draft).")
    where, params = [], {}
    if references:
        refs = list(dict.fromkeys(r.strip() for r in references))
        found = set(connection.execute(
            text("SELECT reference FROM request WHERE reference IN :refs")
            .bindparams(bindparam("refs", expanding=True)), {"refs": refs}).scalars())
        missing = [r for r in refs if r not in found]
        if missing:
            raise _unknown_reference(connection, missing[0])
        where.append("r.reference IN :refs")
        params["refs"] = refs
    if campaign is not None:
        known = connection.execute(text("SELECT 1 FROM request WHERE campaign = :c LIMIT 1"),
                                   {"c": campaign}).first()
        if known is None:
            names = connection.execute(text(
                "SELECT DISTINCT campaign FROM request WHERE campaign IS NOT NULL "
                "ORDER BY campaign")).scalars()
            raise NotFoundError(f"Campagne inconnue : « {campaign} ». Campagnes : "
                                f"{', '.join(names) or 'aucune'}.", hint="cada campaign list")
        where.append("r.campaign = :campaign")
        params["campaign"] = campaign
    if status is not None:
        where.append("r.status = :status")
        params["status"] = choice(status, STATUSES, field="--status")
    query = text(_SELECT + " WHERE " + " AND ".join(where) + _ORDER)
    if references:
        query = query.bindparams(bindparam("refs", expanding=True))
    rows = [LetterRow(*row) for row in connection.execute(query, params)]
    if not rows:
        raise NotFoundError("Aucune demande ne correspond à cette sélection.")
    return rows


def _unknown_reference(connection: Connection, reference: str) -> NotFoundError:
    """The error naming the close references (the ORM only on this error path)."""
    from sqlmodel import Session

    from cada_tracker.services.requests import get_request

    with Session(connection) as session:
        try:
            get_request(session, reference)
        except NotFoundError as exc:
            return exc
    return NotFoundError(f"Aucune demande de référence « {reference} ».")


def letters_html(connection: Connection, rows: list[LetterRow], chunk: int = 50
                 ) -> Iterator[str]:
    """The stored HTML of each row, in order, read ``chunk`` requests at a time."""
    from sqlalchemy import bindparam, text

    query = (text("SELECT id, letter_html FROM request WHERE id IN :ids")
             .bindparams(bindparam("ids", expanding=True)))
    for start in range(0, len(rows), chunk):
        ids = [r.id for r in rows[start : start + chunk]]
        found = dict(connection.execute(query, {"ids": ids}).all())
        for row in rows[start : start + chunk]:
            html = found.get(row.id)
            if not html:
                raise InputError(f"La demande {row.reference} n'a pas de courrier enregistré.")
            yield html
