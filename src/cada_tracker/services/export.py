"""Which stored request letters ``cada export`` writes, in which order, under which names.

Letters are the HTML stored with each request when it was drafted (``cada new``,
edited with ``cada edit``). The selection is read as light rows (id, reference,
administration name); the HTML itself is read ``chunk`` letters at a time while
rendering, so a campaign of thousands of letters never sits in memory at once.
Both run plain SQL (``readdb.Reader``: on ``sqlite3`` when the SQLite database
needs nothing but reading, else on a SQLAlchemy Core connection): ``cada export``
never imports the ORM, its models nor pydantic, and on SQLite not even SQLAlchemy
(together ≈ 25 MB and most of its own start-up). Only an unknown reference opens
an ORM session, to name the close references.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cada_tracker.errors import InputError, NotFoundError
from cada_tracker.folding import slug
from cada_tracker.vocab import STATUSES, choice

if TYPE_CHECKING:
    from cada_tracker.readdb import Reader


@dataclass(frozen=True)
class LetterRow:
    id: int
    reference: str
    administration: str
    campaign: str | None

    def filename(self, suffix: str) -> str:
        """``2026-0042-mairie-de-saint-etienne.pdf``: sorts by reference, then name."""
        return f"{self.reference}-{slug(self.administration)}.{suffix}"


_SELECT = ("SELECT r.id, r.reference, a.name, r.campaign FROM request r "
           "JOIN administration a ON a.id = r.administration_id")
# 2026-9999 before 2026-10000: references sort by length first.
_ORDER = " ORDER BY length(r.reference), r.reference, a.name"


def select_letters(
    db: Reader, *, references: list[str], campaign: str | None, status: str | None,
    unknown: Callable[[str], NotFoundError] | None = None,
) -> list[LetterRow]:
    """The letters to export, ordered by reference (then administration).

    ``unknown(reference)``: the error for a reference that does not exist (the CLI
    names the close ones, with the ORM: only on that error path)."""
    from cada_tracker.readdb import in_list

    if not references and campaign is None and status is None:
        raise InputError("Indiquez les demandes à exporter : des références, --campaign NOM "
                         "ou --status STATUT (ex. --status draft).")
    where, params = [], {}
    if references:
        refs = list(dict.fromkeys(r.strip() for r in references))
        listed, values = in_list("ref", refs)
        found = {ref for (ref,) in db.all(
            f"SELECT reference FROM request WHERE reference IN {listed}", values)}
        missing = [r for r in refs if r not in found]
        if missing:
            if unknown is not None:
                raise unknown(missing[0])
            raise NotFoundError(f"Aucune demande de référence « {missing[0]} ».")
        where.append(f"r.reference IN {listed}")
        params.update(values)
    if campaign is not None:
        if not db.all("SELECT 1 FROM request WHERE campaign = :c LIMIT 1", {"c": campaign}):
            names = [name for (name,) in db.all(
                "SELECT DISTINCT campaign FROM request WHERE campaign IS NOT NULL "
                "ORDER BY campaign")]
            raise NotFoundError(f"Campagne inconnue : « {campaign} ». Campagnes : "
                                f"{', '.join(names) or 'aucune'}.", hint="cada campaign list")
        where.append("r.campaign = :campaign")
        params["campaign"] = campaign
    if status is not None:
        where.append("r.status = :status")
        params["status"] = choice(status, STATUSES, field="--status")
    rows = [LetterRow(*row) for row in db.all(
        _SELECT + " WHERE " + " AND ".join(where) + _ORDER, params)]
    if not rows:
        raise NotFoundError("Aucune demande ne correspond à cette sélection.")
    return rows


def letters_html(db: Reader, rows: list[LetterRow], chunk: int = 50) -> Iterator[str]:
    """The stored HTML of each row, in order, read ``chunk`` requests at a time."""
    from cada_tracker.readdb import in_list

    for start in range(0, len(rows), chunk):
        listed, values = in_list("id", [r.id for r in rows[start : start + chunk]])
        found = dict(db.all(f"SELECT id, letter_html FROM request WHERE id IN {listed}",
                            values))
        for row in rows[start : start + chunk]:
            html = found.get(row.id)
            if not html:
                raise InputError(f"La demande {row.reference} n'a pas de courrier enregistré.")
            yield html
