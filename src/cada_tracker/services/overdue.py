"""The weekly check: what needs action now, what falls due soon (pure classification).

Rows come from the stored clock columns (an indexed range query); each is
classified against ``today`` without recomputing the legal chain.
"""

from __future__ import annotations

from typing import NamedTuple
from datetime import date, timedelta

from cada_tracker.dates import format_fr


class Row(NamedTuple):
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


class Item(NamedTuple):
    reference: str
    administration: str
    subject: str
    category: str  # refer | cada_expired | court | court_expired | opinion_late | not_followed | upcoming
    now: bool  # needs action now
    date: date | None  # the date that matters (deadline, or when it becomes due)
    days: int | None  # days left (negative: days late)
    row: Row

    @property
    def message(self) -> str:
        """What to do, in one French sentence (built only for the items shown)."""
        return describe(self.category, self.row)


def classify(row: Row, today: date, within: int) -> Item | None:
    """The item ``row`` gives on ``today`` (None: nothing now nor within the horizon)."""
    horizon = today + timedelta(days=within)

    def item(category, now, when):
        days = None if when is None else (when - today).days
        return Item(row.reference, row.administration, row.subject, category, now, when,
                    days, row)

    if row.next_action == "refer":
        start, due = row.action_from, row.action_due
        if start is not None and today < start:
            return item("upcoming", False, start) if start <= horizon else None
        if due is not None and today > due:
            return item("cada_expired", True, due)
        return item("refer", True, due)
    if row.next_action in ("cada", "compliance"):
        confirmed, due = row.confirmed_refusal_on, row.action_due
        if confirmed is not None and today > confirmed:
            if due is not None and today > due:
                return item("court_expired", True, due)
            return item("court", True, due)
        start = row.action_from
        if start is not None and today > start:
            category = "not_followed" if row.next_action == "compliance" else "opinion_late"
            return item(category, True, confirmed)
        when = min(d for d in (start, confirmed) if d is not None) if (start or confirmed) \
            else None
        if when is not None and when <= horizon:
            return item("upcoming", False, when)
    return None


def describe(category: str, row: Row) -> str:
    f = format_fr
    if category == "upcoming" and row.next_action == "refer":
        return (f"refus implicite le {f(row.implicit_refusal_on)} ; saisine de la CADA "
                f"possible dès le {f(row.action_from)}, au plus tard le {f(row.action_due)}")
    if category == "cada_expired":
        return (f"délai de saisine de la CADA expiré le {f(row.action_due)} : vérifiez si les "
                "délais étaient opposables (accusé de réception sans les mentions : délai "
                "d'un an)")
    if category == "refer":
        return (f"refus acquis : relancer, ou saisir la CADA au plus tard le "
                f"{f(row.action_due)}")
    if category == "court_expired":
        return f"délai de recours au tribunal administratif expiré le {f(row.action_due)}"
    if category == "court":
        return (f"refus confirmé le {f(row.confirmed_refusal_on)} : déposer le recours au "
                f"tribunal administratif au plus tard le {f(row.action_due)}")
    if category in ("not_followed", "opinion_late"):
        detail = ("avis favorable non suivi : l'administration devait répondre au plus tard le "
                  if category == "not_followed" else "avis de la CADA en retard, attendu le ")
        return (f"{detail}{f(row.action_from)} ; refus confirmé le "
                f"{f(row.confirmed_refusal_on)}, recours au plus tard le {f(row.action_due)}")
    if category == "upcoming":
        return (f"avis de la CADA attendu le {f(row.action_from)} ; refus confirmé le "
                f"{f(row.confirmed_refusal_on)}")
    raise ValueError(f"unknown overdue category {category!r}")


def sort_key(it: Item):
    # Action needed first; then the nearest date (overdue ones first).
    return (not it.now, it.date or date.max, it.reference)
