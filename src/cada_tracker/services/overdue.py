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
    series: str | None = None  # a series' grouped row: its campaign (see group_series)
    members: tuple[str, ...] = ()  # and the references it stands for

    @property
    def message(self) -> str:
        """What to do, in one French sentence (built only for the items shown)."""
        if self.series is not None:
            return describe_series(self)
        return describe(self.category, self.row, self.state)

    @property
    def label(self) -> str:
        """The reference, or "série NAME" for a series' grouped row."""
        return f"série {self.series}" if self.series is not None else self.reference


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
        # The safe first day is the day after the refusal, plus one; later only when the
        # receipt is unknown (counted from the latest plausible receipt, RULES.md §12bis-9).
        late = (row.implicit_refusal_on is not None and row.action_from is not None
                and row.action_from > row.implicit_refusal_on + timedelta(days=2))
        why = (" (date prudente : réception non enregistrée, refus implicite peut-être plus "
               "tardif ; voir cada show)" if late else "")
        return (f"refus implicite le {f(row.implicit_refusal_on)} ; saisine de la CADA "
                f"possible dès le {f(row.action_from)}{why}, au plus tard le "
                f"{f(row.action_due)}{_legal_part(row)}")
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


HORIZON_ALL = 365 * 30  # days: "within" that sees every stored deadline


def next_deadline(items) -> Item | None:
    """The most urgent actionable item: the first in ``cada overdue``'s order whose
    legal last day has not passed. ``cada overdue`` and ``cada campaign show`` both
    print this one (one truth per screen)."""
    live = [i for i in items if i.state != "expired" and i.date is not None]
    return min(live, key=sort_key) if live else None


#: What a next deadline is, by key (``next_deadline_kind`` in JSON).
DEADLINE_LABELS = {
    "cada_earliest": "saisine de la CADA possible dès",
    "cada_deadline": "saisine de la CADA au plus tard",
    "cada_opinion_due": "avis de la CADA attendu",
    "compliance_due": "suite à l'avis de la CADA attendue",
    "confirmed_refusal": "refus confirmé, recours possible le lendemain",
    "court_deadline": "recours au tribunal au plus tard",
}
_KEYS = {"refer": "cada_deadline", "cada_expired": "cada_deadline", "court": "court_deadline",
         "court_expired": "court_deadline", "opinion_late": "confirmed_refusal",
         "not_followed": "confirmed_refusal"}


def deadline_key(it: Item) -> str:
    """The key of DEADLINE_LABELS that names the date of clock item ``it``."""
    if it.category in _KEYS:
        return _KEYS[it.category]
    action = it.row.next_action
    if action == "refer":
        return "cada_earliest"
    if it.date == it.row.action_from:
        return "compliance_due" if action == "compliance" else "cada_opinion_due"
    return "confirmed_refusal"


def deadline_label(key: str, state: str = "safe") -> str:
    """A few words for a next deadline: "saisine de la CADA au plus tard", and
    "dernier jour légal" once its safe date has passed."""
    label = DEADLINE_LABELS[key]
    if state == "past_safe":
        return f"{label.removesuffix(' au plus tard')} : date prudente dépassée, dernier jour légal"
    if state == "expired":
        return f"{label.removesuffix(' au plus tard')} : délai expiré"
    return label


def group_series(items: list[Item], series: dict[str, set[str]]) -> list[Item]:
    """One row per series instead of one "refer to the CADA" row per member.

    ``series`` maps a campaign that forms a series (L342-1 al. 2: it can be referred
    only once, by ``cada refer --campaign``) to its members' references. The members'
    referral items (due now, or coming) become one item: the most urgent member's
    date and state, carrying the series and the members. Everything else is kept.
    """
    groups: dict[str, list[Item]] = {}
    kept: list[Item] = []
    for it in items:
        campaign = getattr(it.row, "campaign", None) if isinstance(it.row, Row) else None
        if (campaign in series and it.reference in series[campaign]
                and it.row.next_action == "refer" and it.category in ("refer", "upcoming")):
            groups.setdefault(campaign, []).append(it)
        else:
            kept.append(it)
    for campaign, members in groups.items():
        if len(members) == 1:
            kept.append(members[0])
            continue
        first = min((m for m in members if m.now), key=sort_key, default=None) \
            or min(members, key=sort_key)
        kept.append(first._replace(
            administration=f"{len(members)} administrations", series=campaign,
            members=tuple(sorted(m.reference for m in members))))
    return sorted(kept, key=sort_key)


def describe_series(it: Item) -> str:
    import shlex

    f = format_fr
    command = f"cada refer --campaign {shlex.quote(it.series)}"
    who = f"série {it.series}"
    row = it.row
    if it.category == "upcoming":
        return (f"{who} : saisine groupée de la CADA ({command}) possible dès le "
                f"{f(row.action_from)}, au plus tard le {f(row.action_due)}{_legal_part(row)}")
    if it.state == "past_safe":
        return (f"{who} : date prudente dépassée ({f(row.action_due)}) — dernier jour légal "
                f"le {f(row.legal_due)} (encore possible) : saisir la CADA ({command}) sans "
                "attendre")
    return (f"{who} : saisir la CADA ({command}) au plus tard le {f(row.action_due)}"
            f"{_legal_part(row)}")
