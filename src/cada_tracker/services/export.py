"""Which stored request letters ``cada export`` writes, in which order, under which names.

Letters are the HTML stored with each request when it was drafted (``cada new``,
edited with ``cada edit``). The selection is read as light rows (id, reference,
administration name); the HTML itself is read ``chunk`` letters at a time while
rendering, so a campaign of thousands of letters never sits in memory at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlmodel import Session, func, select

from cada_tracker.errors import InputError, NotFoundError
from cada_tracker.folding import slug
from cada_tracker.models import Administration, Request
from cada_tracker.vocab import STATUSES, choice


@dataclass(frozen=True)
class LetterRow:
    id: int
    reference: str
    administration: str
    campaign: str | None

    def filename(self, suffix: str) -> str:
        """``2026-0042-mairie-de-saint-etienne.pdf``: sorts by reference, then name."""
        return f"{self.reference}-{slug(self.administration)}.{suffix}"


def select_letters(
    session: Session, *, references: list[str], campaign: str | None, status: str | None
) -> list[LetterRow]:
    """The letters to export, ordered by reference (then administration)."""
    from cada_tracker.services.requests import get_request

    if not references and campaign is None and status is None:
        raise InputError("Indiquez les demandes à exporter : des références, --campaign NOM "
                         "ou --status STATUT (ex. --status draft).")
    query = (
        select(Request.id, Request.reference, Administration.name, Request.campaign)
        .join(Administration, Administration.id == Request.administration_id)
        # 2026-9999 before 2026-10000: references sort by length first.
        .order_by(func.length(Request.reference), Request.reference, Administration.name)
    )
    if references:
        ids = []
        for ref in dict.fromkeys(r.strip() for r in references):
            ids.append(get_request(session, ref).id)  # NotFoundError with close matches
        query = query.where(Request.id.in_(ids))
    if campaign is not None:
        known = session.exec(
            select(Request.id).where(Request.campaign == campaign).limit(1)
        ).first()
        if known is None:
            from cada_tracker.services.campaigns import campaign_names

            names = ", ".join(campaign_names(session)) or "aucune"
            raise NotFoundError(f"Campagne inconnue : « {campaign} ». Campagnes : {names}.",
                                hint="cada campaign list")
        query = query.where(Request.campaign == campaign)
    if status is not None:
        query = query.where(Request.status == choice(status, STATUSES, field="--status"))
    rows = [LetterRow(*row) for row in session.exec(query)]
    if not rows:
        raise NotFoundError("Aucune demande ne correspond à cette sélection.")
    return rows


def letters_html(session: Session, rows: list[LetterRow], chunk: int = 50) -> Iterator[str]:
    """The stored HTML of each row, in order, read ``chunk`` requests at a time."""
    for start in range(0, len(rows), chunk):
        ids = [r.id for r in rows[start : start + chunk]]
        found = dict(session.exec(select(Request.id, Request.letter_html)
                                  .where(Request.id.in_(ids))).all())
        for row in rows[start : start + chunk]:
            html = found.get(row.id)
            if not html:
                raise InputError(f"La demande {row.reference} n'a pas de courrier enregistré.")
            yield html
