"""The figures of ``cada stats`` and ``cada campaign``, from one :class:`Outcome` per
request (pure: no database; definitions in ``services.campaigns``).

>>> from datetime import date
>>> o = Outcome(id=1, reference="2026-0001", sent_on=date(2026, 1, 5),
...             received_on=date(2026, 1, 7), first_answer_on=date(2026, 1, 27))
>>> o.response_days, o.days_waited(date(2026, 3, 1))
(20, 20)
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from cada_tracker.services.overdue import (
    DEADLINE_LABELS,  # noqa: F401 - the labels of next_deadline_kind, for the CLI
    HORIZON_ALL,
    Item,
    Row,
    classify,
    deadline_key,
    next_deadline,
)
from cada_tracker.services.series_rule import SERIES_THRESHOLD, subject_key


@dataclass(frozen=True)
class Outcome:
    """One request as the statistics see it (no sender data but the profile key)."""

    id: int
    reference: str
    campaign: str | None = None
    subject: str = ""
    profile: str = ""
    status: str = "draft"
    administration_id: int = 0
    administration: str = ""
    kind: str = "autre"
    department: str | None = None
    sent_on: date | None = None
    received_on: date | None = None
    first_answer_on: date | None = None
    express_refusal: bool = False
    referred: bool = False
    closed_on: date | None = None
    closed_reason: str | None = None
    documents: int = 0
    documents_obtained: int = 0
    documents_refused: int = 0
    next_action: str | None = None
    action_from: date | None = None
    action_due: date | None = None
    implicit_refusal_on: date | None = None
    cada_deadline_on: date | None = None
    confirmed_refusal_on: date | None = None
    court_deadline_on: date | None = None
    action_due_legal: date | None = None
    reasonable_delay_on: date | None = None
    grouped_referral_on: date | None = None  # the series' grouped referral (cada refer --campaign)

    @property
    def sent(self) -> bool:
        return self.sent_on is not None

    @property
    def answered(self) -> bool:
        return self.first_answer_on is not None

    @property
    def start(self) -> date | None:
        """When the administration's delay started: receipt, else sending."""
        return self.received_on or self.sent_on

    @property
    def obtained(self) -> bool:
        return self.documents_obtained > 0 or self.closed_reason == "obtained"

    @property
    def answered_in_time(self) -> bool:
        return (self.first_answer_on is not None and self.implicit_refusal_on is not None
                and self.first_answer_on <= self.implicit_refusal_on)

    def implicit_refusal(self, today: date) -> bool:
        return (self.sent and not self.answered and not self.obtained
                and self.implicit_refusal_on is not None and today > self.implicit_refusal_on)

    def refused(self, today: date) -> bool:
        return self.express_refusal or self.implicit_refusal(today)

    @property
    def response_days(self) -> int | None:
        if self.start is None or self.first_answer_on is None:
            return None
        return (self.first_answer_on - self.start).days

    def days_waited(self, today: date) -> int | None:
        if self.start is None:
            return None
        end = self.first_answer_on or self.closed_on or today
        return max(0, (end - self.start).days)

    def clock_item(self, today: date) -> Item | None:
        """The item ``cada overdue`` gives this request, whatever its horizon."""
        if self.next_action is None:
            return None
        row = Row(self.reference, self.administration, self.subject, self.campaign,
                  self.next_action, self.action_from, self.action_due,
                  self.implicit_refusal_on, self.cada_deadline_on, self.confirmed_refusal_on,
                  self.court_deadline_on, self.action_due_legal, self.reasonable_delay_on)
        return classify(row, today, HORIZON_ALL)

    def next_deadline(self, today: date) -> tuple[date, str] | None:
        """(date, key of DEADLINE_LABELS): the date ``cada overdue`` shows for this
        request (a past one too: its legal last day once the safe date has passed)."""
        item = self.clock_item(today)
        if item is None or item.date is None:
            return None
        return item.date, deadline_key(item)


# ---------------------------------------------------------------------------
# Pure summaries


def median(values: Iterable[int]) -> float | int | None:
    values = list(values)
    if not values:
        return None
    m = statistics.median(values)
    return int(m) if float(m).is_integer() else round(float(m), 1)


def rate(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(part / whole, 3)


def totals(outcomes: list[Outcome], today: date) -> dict:
    sent = [o for o in outcomes if o.sent]
    answered = [o for o in sent if o.answered]
    items = [i for o in outcomes if (i := o.clock_item(today)) is not None]
    first = next_deadline(items)  # the one cada overdue names first
    next_one = (first.date, deadline_key(first), first.state) if first else None
    overdue = [i for i in items if i.state != "safe"]
    return {
        "requests": len(outcomes),
        "sent": len(sent),
        "answered": len(answered),
        "answered_in_time": sum(o.answered_in_time for o in answered),
        "refused": sum(o.refused(today) for o in sent),
        "refused_express": sum(o.express_refusal for o in sent),
        "refused_implicit": sum(o.implicit_refusal(today) for o in sent),
        "referred": sum(o.referred for o in sent),
        "obtained": sum(o.obtained for o in sent),
        "answer_rate": rate(len(answered), len(sent)),
        "median_response_days": median(o.response_days for o in answered
                                       if o.response_days is not None),
        "next_deadline": next_one[0] if next_one else None,
        "next_deadline_kind": next_one[1] if next_one else None,
        "next_deadline_state": next_one[2] if next_one else None,
        "overdue": len(overdue),
    }


_subject_key = subject_key


def missing_campaign(name: str, names: list[str]):
    """The error for a campaign that has no request, naming the known ones."""
    import difflib

    from cada_tracker.errors import NotFoundError

    close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
    if close:
        hint = f" Vouliez-vous dire : {', '.join(f'« {n} »' for n in close)} ?"
    elif names:
        shown = ", ".join(f"« {n} »" for n in names[:10])
        hint = f" Campagnes : {shown}{' …' if len(names) > 10 else ''}."
    else:
        hint = " Aucune campagne pour l'instant (cada new --campaign NOM)."
    return NotFoundError(f"Aucune campagne « {name} ».{hint}")


def series_of(outcomes: list[Outcome]) -> dict:
    """The largest group of same-subject requests from one sender to different
    administrations; a series once :data:`SERIES_THRESHOLD` of them are sent."""
    sent: dict[tuple[str, str], set[int]] = defaultdict(set)
    planned: dict[tuple[str, str], set[int]] = defaultdict(set)
    subjects: dict[tuple[str, str], str] = {}
    for o in outcomes:
        key = (o.profile, _subject_key(o.subject))
        subjects.setdefault(key, o.subject)
        planned[key].add(o.administration_id)
        if o.sent:
            sent[key].add(o.administration_id)
    referred = [o.grouped_referral_on for o in outcomes if o.grouped_referral_on]
    groups = [(subjects[k], len(sent.get(k, ())), len(planned[k])) for k in planned]
    return series_choice(groups, min(referred) if referred else None)


def series_choice(groups: list[tuple[str, int, int]], referred_on: date | None) -> dict:
    """The series of a campaign among its ``groups`` of same-subject requests, in the
    order their first request comes (subject, administrations sent to, planned)."""
    if not groups:
        return {"is_series": False, "subject": None, "administrations": 0,
                "with_drafts": 0, "threshold": SERIES_THRESHOLD, "referred_on": None}
    subject, count, planned = max(groups, key=lambda g: (g[1], g[2]))
    return {
        "is_series": count >= SERIES_THRESHOLD,
        "subject": subject,
        "administrations": count,
        "with_drafts": planned,
        "threshold": SERIES_THRESHOLD,
        "referred_on": referred_on,  # the grouped referral, once made
    }


REQUEST_COLUMNS = [
    "reference", "administration_id", "administration", "kind", "department", "subject",
    "status", "sent_on", "received_on", "answered_on", "days_waited", "documents",
    "documents_obtained", "documents_refused", "refused", "referred", "next_deadline",
    "next_deadline_kind", "next_deadline_state",
]


def request_row(o: Outcome, today: date) -> dict:
    """One request of a campaign, fit for publishing (no sender data)."""
    item = o.clock_item(today)
    deadline = (item.date, deadline_key(item), item.state) if item and item.date else None
    refused = "express" if o.express_refusal else "implicit" if o.implicit_refusal(today) \
        else None
    return {
        "reference": o.reference,
        "administration_id": o.administration_id,
        "administration": o.administration,
        "kind": o.kind,
        "department": o.department,
        "subject": o.subject,
        "status": o.status,
        "sent_on": o.sent_on,
        "received_on": o.received_on,
        "answered_on": o.first_answer_on,
        "days_waited": o.days_waited(today),
        "documents": o.documents,
        "documents_obtained": o.documents_obtained,
        "documents_refused": o.documents_refused,
        "refused": refused,
        "referred": o.referred,
        "next_deadline": deadline[0] if deadline else None,
        "next_deadline_kind": deadline[1] if deadline else None,
        "next_deadline_state": deadline[2] if deadline else None,
    }


def campaign_report(name: str, outcomes: list[Outcome], today: date) -> dict:
    return {
        "campaign": name,
        "today": today,
        "totals": totals(outcomes, today),
        "series": series_of(outcomes),
        "requests": [request_row(o, today) for o in outcomes],
    }


def campaign_list(outcomes: list[Outcome], today: date) -> list[dict]:
    by_campaign: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        if o.campaign is not None:
            by_campaign[o.campaign].append(o)
    return [
        {"campaign": name, **totals(group, today), "series": series_of(group)["is_series"]}
        for name, group in sorted(by_campaign.items())
    ]


def _group_stats(group: list[Outcome], today: date) -> dict:
    sent = [o for o in group if o.sent]
    answered = [o for o in sent if o.answered]
    return {
        "requests": len(group),
        "sent": len(sent),
        "answered": len(answered),
        "answered_in_time": sum(o.answered_in_time for o in answered),
        "refused": sum(o.refused(today) for o in sent),
        "referred": sum(o.referred for o in sent),
        "obtained": sum(o.obtained for o in sent),
        "answer_rate": rate(len(answered), len(sent)),
        "in_time_rate": rate(sum(o.answered_in_time for o in answered), len(sent)),
        "median_response_days": median(o.response_days for o in answered
                                       if o.response_days is not None),
    }


@dataclass
class Stats:
    overall: dict
    by_kind: list[dict] = field(default_factory=list)
    by_administration: list[dict] = field(default_factory=list)

    def as_dict(self, today: date) -> dict:
        return {"today": today, "overall": self.overall, "by_kind": self.by_kind,
                "by_administration": self.by_administration}


def stats(outcomes: list[Outcome], today: date) -> Stats:
    """Answer rates and median delays per kind and per administration (most sent first)."""
    by_kind: dict[str, list[Outcome]] = defaultdict(list)
    by_admin: dict[int, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        by_kind[o.kind].append(o)
        by_admin[o.administration_id].append(o)
    kinds = [{"kind": kind, **_group_stats(group, today)} for kind, group in by_kind.items()]
    kinds.sort(key=lambda r: (-r["sent"], r["kind"]))
    admins = []
    for admin_id, group in by_admin.items():
        first = group[0]
        admins.append({"administration_id": admin_id, "administration": first.administration,
                       "kind": first.kind, "department": first.department,
                       **_group_stats(group, today)})
    admins.sort(key=lambda r: (-r["sent"], r["administration"], r["administration_id"]))
    return Stats(overall=_group_stats(outcomes, today), by_kind=kinds, by_administration=admins)
