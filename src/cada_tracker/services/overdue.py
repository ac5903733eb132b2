"""The weekly check: what needs action now, what falls due soon (pure classification).

Rows come from the stored clock columns (an indexed range query); each is
classified against ``today`` without recomputing the legal chain.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from cada_tracker.dates import format_fr


@dataclass(frozen=True)
class Row:
    reference: str
    administration: str
    subject: str
    campaign: str | None
    next_action: str
    action_from: date | None
    action_due: date | None
    implicit_refusal_on: date | None
    cada_deadline_on: date | None
    confirmed_refusal_on: date | None
    court_deadline_on: date | None


@dataclass(frozen=True)
class Item:
    reference: str
    administration: str
    subject: str
    category: str  # refer | cada_late | cada_expired | court | court_expired | opinion_late | not_followed | upcoming
    now: bool  # needs action now
    date: date | None  # the date that matters (deadline, or when it becomes due)
    days: int | None  # days left (negative: days late)
    message: str


def classify(row: Row, today: date, within: int) -> Item | None:
    horizon = today + timedelta(days=within)

    def item(category, now, when, message):
        days = None if when is None else (when - today).days
        return Item(row.reference, row.administration, row.subject, category, now, when,
                    days, message)

    if row.next_action == "refer":
        start, due = row.action_from, row.action_due
        if start is not None and today < start:
            if start <= horizon:
                return item("upcoming", False, start,
                            f"refus implicite le {format_fr(row.implicit_refusal_on)} ; "
                            f"saisine de la CADA possible dès le {format_fr(start)}, "
                            f"au plus tard le {format_fr(due)}")
            return None
        if due is not None and today > due:
            return item("cada_expired", True, due,
                        f"délai de saisine de la CADA expiré le {format_fr(due)} : "
                        "vérifiez si les délais étaient opposables (accusé de réception "
                        "sans les mentions : délai d'un an)")
        return item("refer", True, due,
                    f"refus acquis : relancer, ou saisir la CADA au plus tard le "
                    f"{format_fr(due)}")
    if row.next_action in ("cada", "compliance"):
        confirmed, due = row.confirmed_refusal_on, row.action_due
        if confirmed is not None and today > confirmed:
            if due is not None and today > due:
                return item("court_expired", True, due,
                            f"délai de recours au tribunal administratif expiré le "
                            f"{format_fr(due)}")
            return item("court", True, due,
                        f"refus confirmé le {format_fr(confirmed)} : déposer le recours au "
                        f"tribunal administratif au plus tard le {format_fr(due)}")
        start = row.action_from
        if start is not None and today > start:
            category = "not_followed" if row.next_action == "compliance" else "opinion_late"
            detail = ("avis favorable non suivi : l'administration devait répondre au plus "
                      "tard le " if category == "not_followed"
                      else "avis de la CADA en retard, attendu le ")
            return item(category, True, confirmed,
                        f"{detail}{format_fr(start)} ; refus confirmé le "
                        f"{format_fr(confirmed)}, recours au plus tard le {format_fr(due)}")
        when = min(d for d in (start, confirmed) if d is not None) if (start or confirmed) \
            else None
        if when is not None and when <= horizon:
            return item("upcoming", False, when,
                        f"avis de la CADA attendu le {format_fr(start)} ; refus confirmé le "
                        f"{format_fr(confirmed)}")
    return None


def sort_key(it: Item):
    # Action needed first; then the nearest date (overdue ones first).
    return (not it.now, it.date or date.max, it.reference)
