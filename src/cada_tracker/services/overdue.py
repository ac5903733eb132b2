"""The weekly check: what needs action now, what falls due soon (pure classification).

Rows come from the stored clock columns (an indexed range query); each is
classified against ``today`` without recomputing the legal chain.

Every item has a ``state`` (RULES.md §12bis-6): ``safe`` up to the safe date,
``past_safe`` between the safe date and the legal last day ("date prudente
dépassée, dernier jour légal le X": still possible), ``expired`` only after the
legal last day, when no action is suggested any more.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import NamedTuple

from cada_tracker.dates import format_fr

STATES = ("safe", "past_safe", "expired")


class Row(NamedTuple):
    reference: str
    administration: str
    subject: str
    campaign: str | None
    next_action: str
    action_from: date | None
    action_due: date | None  # the safe date of the pending step
    implicit_refusal_on: date | None
    cada_deadline_on: date | None
    confirmed_refusal_on: date | None
    court_deadline_on: date | None
    action_due_legal: date | None = None  # its legal last day
    reasonable_delay_on: date | None = None  # the one-year bound, when not opposable

    @property
    def legal_due(self) -> date | None:
        return self.action_due_legal or self.action_due


class Item(NamedTuple):
    reference: str
    administration: str
    subject: str
    category: str  # refer | cada_expired | court | court_expired | opinion_late | not_followed | upcoming
    now: bool  # needs action now
    date: date | None  # the date that matters (deadline, or when it becomes due)
    days: int | None  # days left (negative: days late)
    row: Row
    state: str = "safe"  # safe | past_safe | expired
    legal_date: date | None = None  # the legal last day of the step

    @property
    def message(self) -> str:
        """What to do, in one French sentence (built only for the items shown)."""
        return describe(self.category, self.row, self.state)


def classify(row: Row, today: date, within: int) -> Item | None:
    """The item ``row`` gives on ``today`` (None: nothing now nor within the horizon)."""
    horizon = today + timedelta(days=within)
    legal = row.legal_due

    def item(category, now, when, state="safe"):
        days = None if when is None else (when - today).days
        return Item(row.reference, row.administration, row.subject, category, now, when,
                    days, row, state, legal)

    def deadline(category, expired_category):
        due = row.action_due
        if due is None or today <= due:
            return item(category, True, due)
        if legal is not None and today <= legal:
            return item(category, True, legal, "past_safe")
        return item(expired_category, True, legal, "expired")

    if row.next_action == "refer":
        start = row.action_from
        if start is not None and today < start:
            return item("upcoming", False, start) if start <= horizon else None
        return deadline("refer", "cada_expired")
    if row.next_action in ("cada", "compliance"):
        confirmed = row.confirmed_refusal_on
        if confirmed is not None and today > confirmed:
            return deadline("court", "court_expired")
        start = row.action_from
        if start is not None and today > start:
            category = "not_followed" if row.next_action == "compliance" else "opinion_late"
            return item(category, True, confirmed)
        when = min((d for d in (start, confirmed) if d is not None), default=None)
        if when is not None and when <= horizon:
            return item("upcoming", False, when)
    return None


def _legal_part(row: Row) -> str:
    if row.action_due_legal and row.action_due_legal != row.action_due:
        return f" (date prudente ; dernier jour légal le {format_fr(row.action_due_legal)})"
    return ""


def _after_expiry(row: Row, what: str) -> str:
    f = format_fr
    text = f"{what} expiré le {f(row.legal_due)} (dernier jour légal)"
    if row.reasonable_delay_on and row.reasonable_delay_on > row.legal_due:
        return text + (" ; délais inopposables (voir cada show) : borne extrême d'un an le "
                       f"{f(row.reasonable_delay_on)}, sans garantie")
    return text + " : une action maintenant serait tardive"


def describe(category: str, row: Row, state: str = "safe") -> str:
    f = format_fr
    if category == "upcoming" and row.next_action == "refer":
        return (f"refus implicite le {f(row.implicit_refusal_on)} ; saisine de la CADA "
                f"possible dès le {f(row.action_from)}, au plus tard le {f(row.action_due)}"
                f"{_legal_part(row)}")
    if category == "cada_expired":
        return _after_expiry(row, "délai de saisine de la CADA")
    if category == "court_expired":
        return _after_expiry(row, "délai de recours au tribunal administratif")
    if state == "past_safe":
        act = ("saisir la CADA" if category == "refer"
               else "déposer le recours au tribunal administratif")
        return (f"date prudente dépassée ({f(row.action_due)}) — dernier jour légal le "
                f"{f(row.legal_due)} (encore possible) : {act} sans attendre")
    if category == "refer":
        return (f"refus acquis : relancer, ou saisir la CADA au plus tard le "
                f"{f(row.action_due)}{_legal_part(row)}")
    if category == "court":
        return (f"refus confirmé le {f(row.confirmed_refusal_on)} : déposer le recours au "
                f"tribunal administratif au plus tard le {f(row.action_due)}{_legal_part(row)}")
    if category in ("not_followed", "opinion_late"):
        detail = ("avis favorable non suivi : l'administration devait répondre au plus tard le "
                  if category == "not_followed" else "avis de la CADA en retard, attendu le ")
        return (f"{detail}{f(row.action_from)} ; refus confirmé le "
                f"{f(row.confirmed_refusal_on)}, recours au plus tard le {f(row.action_due)}")
    if category == "upcoming":
        confirmed = row.confirmed_refusal_on
        then = (f"refus confirmé le {f(confirmed)}, recours possible dès le "
                f"{f(confirmed + timedelta(days=1))}")
        if row.next_action == "compliance":
            return (f"avis favorable : réponse de l'administration attendue le "
                    f"{f(row.action_from)} (R343-3) ; {then}")
        if row.action_from is None:
            return f"avis de la CADA rendu ; {then}"
        return f"avis de la CADA attendu le {f(row.action_from)} ; {then}"
    raise ValueError(f"unknown overdue category {category!r}")


def sort_key(it: Item):
    # Action needed first; then the nearest date (overdue ones first).
    return (not it.now, it.date or date.max, it.reference)
