"""``cada campaign list`` and ``cada campaign show`` from indexes, a page at a time.

The same report as ``services.campaigns.campaign_report``/``campaign_list`` (the
Python reference, one ``Outcome`` per request), built from what the database sums
(``outcome_query.campaign_figures``), the stored clock of the requests still waiting
(the partial index of ``cada overdue``), one row per subject for the series rule,
and only the requests of the page shown.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from cada_tracker.services.outcome_query import campaign_figures, unknown_campaign
from cada_tracker.services.outcomes import Outcome, request_row, series_choice
from cada_tracker.services.overdue import (
    HORIZON_ALL,
    Row,
    classify,
    deadline_key,
    next_deadline,
)
from cada_tracker.dates import stored_date_parser
from cada_tracker.services.series_rule import subject_key

_TOTAL_KEYS = ("requests", "sent", "answered", "answered_in_time", "refused",
               "refused_express", "refused_implicit", "referred", "obtained", "answer_rate",
               "median_response_days")


def _filter(campaign: str | None) -> tuple[str, dict]:
    if campaign is None:
        return "r.campaign IS NOT NULL", {}
    return "r.campaign = :campaign", {"campaign": campaign}


def _rows(connection, sql: str, params: dict):
    from cada_tracker.readdb import as_reader

    return as_reader(connection).rows(sql, params)


_CLOCK = """
SELECT r.campaign, r.reference, a.name, r.subject, r.next_action, r.action_from,
       r.action_due, r.implicit_refusal_on, r.cada_deadline_on, r.confirmed_refusal_on,
       r.court_deadline_on, r.action_due_legal, r.reasonable_delay_on
FROM request AS r JOIN administration AS a ON a.id = r.administration_id
WHERE r.next_action IS NOT NULL AND {where}"""


def _clock(connection, today: date, campaign: str | None) -> dict[str, dict]:
    """Per campaign: the next deadline ``cada overdue`` names first, and how many
    requests are past their safe date (as ``campaigns.totals``)."""
    where, params = _filter(campaign)
    convert = stored_date_parser()
    items = defaultdict(list)
    for name, ref, admin, subject, action, *dates in _rows(
            connection, _CLOCK.format(where=where), params):
        item = classify(Row(ref, admin, subject, name, action, *map(convert, dates)), today,
                        HORIZON_ALL)
        if item is not None:
            items[name].append(item)
    result = {}
    for name, found in items.items():
        first = next_deadline(found)
        result[name] = {
            "next_deadline": first.date if first else None,
            "next_deadline_kind": deadline_key(first) if first else None,
            "next_deadline_state": first.state if first else None,
            "overdue": sum(i.state != "safe" for i in found),
        }
    return result


_SUBJECTS = """
SELECT r.campaign, r.profile, r.subject, COUNT(DISTINCT r.administration_id),
       COUNT(DISTINCT CASE WHEN r.sent_on IS NOT NULL THEN r.administration_id END),
       MIN(r.reference)
FROM request AS r WHERE {where} GROUP BY r.campaign, r.profile, r.subject"""
_PAIRS = """
SELECT r.profile, r.subject, r.administration_id, MIN(r.reference),
       MAX(CASE WHEN r.sent_on IS NOT NULL THEN 1 ELSE 0 END)
FROM request AS r WHERE r.campaign = :campaign
GROUP BY r.profile, r.subject, r.administration_id"""
_GROUPED = """
SELECT r.campaign, MIN(e."on") FROM event AS e JOIN request AS r ON r.id = e.request_id
WHERE e.kind = 'referred' AND e.outcome = 'series' AND {where}
  AND NOT EXISTS (SELECT 1 FROM event AS c WHERE c.request_id = e.request_id
                  AND c.kind = 'cancel' AND c.cancels_id = e.id)
GROUP BY r.campaign"""


def _series(connection, campaign: str | None) -> dict[str, dict]:
    """Per campaign, ``campaigns.series_of``: one row per subject, or per subject and
    administration for a campaign whose subjects differ only in case or spaces."""
    where, params = _filter(campaign)
    convert = stored_date_parser()
    referred = {name: convert(on) for name, on in
                _rows(connection, _GROUPED.format(where=where), params)}
    by_campaign: dict[str, dict] = defaultdict(dict)
    spellings: dict[tuple, int] = defaultdict(int)
    for name, profile, subject, planned, sent, first in _rows(
            connection, _SUBJECTS.format(where=where), params):
        key = (profile, subject_key(subject))
        spellings[(name, *key)] += 1
        by_campaign[name][key] = (first, subject, sent, planned)
    mixed = {name for name, *_key in (k for k, n in spellings.items() if n > 1)}
    result = {}
    for name, groups in by_campaign.items():
        ordered = sorted(groups.values()) if name not in mixed else _pairs(connection, name)
        result[name] = series_choice([g[1:] for g in ordered], referred.get(name))
    return result


def _pairs(connection, name: str) -> list[tuple]:
    firsts: dict[tuple, tuple] = {}
    planned: dict[tuple, set] = defaultdict(set)
    sent: dict[tuple, set] = defaultdict(set)
    for profile, subject, admin, first, was_sent in _rows(connection, _PAIRS,
                                                          {"campaign": name}):
        key = (profile, subject_key(subject))
        firsts[key] = min(firsts.get(key, (first, subject)), (first, subject))
        planned[key].add(admin)
        if was_sent:
            sent[key].add(admin)
    return sorted((*firsts[k], len(sent[k]), len(planned[k])) for k in firsts)


def _totals(figures: dict, clock: dict | None) -> dict:
    return {**{k: figures[k] for k in _TOTAL_KEYS},
            **(clock or {"next_deadline": None, "next_deadline_kind": None,
                         "next_deadline_state": None, "overdue": 0})}


def campaign_list(connection, today: date) -> list[dict]:
    """``outcomes.campaign_list``: every campaign's totals and whether it is a series."""
    figures = campaign_figures(connection, today)
    clock = _clock(connection, today, None)
    series = _series(connection, None)
    return [{"campaign": name, **_totals(figures[name], clock.get(name)),
             "series": series[name]["is_series"]} for name in sorted(figures)]


_IDS = "SELECT r.id FROM request AS r WHERE r.campaign = :campaign ORDER BY r.reference"
_DETAILS = """
SELECT r.id, r.reference, r.campaign, r.subject, r.profile, r.status, r.administration_id,
       a.name, a.kind, a.department, r.sent_on, r.received_on, r.answered_on,
       r.express_refusal, r.referred_on, r.closed_on, r.closed_reason,
       r.next_action, r.action_from, r.action_due, r.implicit_refusal_on, r.cada_deadline_on,
       r.confirmed_refusal_on, r.court_deadline_on, r.action_due_legal, r.reasonable_delay_on
FROM request AS r JOIN administration AS a ON a.id = r.administration_id
WHERE {where} ORDER BY r.reference"""
_DOCUMENTS = """
SELECT d.request_id, d.outcome, COUNT(*) FROM requested_document AS d
WHERE {where} GROUP BY d.request_id, d.outcome"""


def _outcomes(connection, campaign: str, ids: list[int] | None) -> list[Outcome]:
    """The requests of ``ids`` (None: the whole campaign) as ``campaigns.Outcome``."""
    from cada_tracker.readdb import in_list

    if ids is None:
        where, params = "r.campaign = :campaign", {"campaign": campaign}
        docs_where = "d.request_id IN (SELECT r.id FROM request AS r WHERE r.campaign = :campaign)"
    else:
        listed, params = in_list("id", ids)
        where, docs_where = f"r.id IN {listed}", f"d.request_id IN {listed}"

    def query(sql):
        return _rows(connection, sql, params)

    documents: dict[int, dict[str, int]] = defaultdict(dict)
    for request_id, outcome, count in query(_DOCUMENTS.format(where=docs_where)):
        documents[request_id][outcome] = count
    convert = stored_date_parser()
    out = []
    for (request_id, reference, name, subject, profile, status, admin_id, admin, kind,
         department, *rest) in query(_DETAILS.format(where=where)):
        (sent_on, received_on, answered_on, express, referred_on, closed_on, reason,
         action, *clock) = rest
        docs = documents.get(request_id, {})
        out.append(Outcome(
            id=request_id, reference=reference, campaign=name, subject=subject,
            profile=profile, status=status, administration_id=admin_id,
            administration=admin, kind=kind, department=department,
            sent_on=convert(sent_on), received_on=convert(received_on),
            first_answer_on=convert(answered_on), express_refusal=bool(express),
            referred=referred_on is not None, closed_on=convert(closed_on),
            closed_reason=reason, documents=sum(docs.values()),
            documents_obtained=docs.get("obtained", 0),
            documents_refused=docs.get("refused", 0), next_action=action,
            **dict(zip(("action_from", "action_due", "implicit_refusal_on",
                        "cada_deadline_on", "confirmed_refusal_on", "court_deadline_on",
                        "action_due_legal", "reasonable_delay_on"),
                       map(convert, clock), strict=True))))
    return out


def campaign_report(connection, name: str, today: date, *, page: int = 1,
                    per_page: int | None = None) -> dict:
    """``campaigns.campaign_report`` with the requests of one page (``per_page`` None:
    all of them); ``shown_from`` numbers the first one. NotFoundError for a campaign
    without requests, naming the known ones."""
    figures = campaign_figures(connection, today, name).get(name)
    if figures is None:
        raise unknown_campaign(connection, name)
    ids = None
    if per_page is not None:
        sql = _IDS + " LIMIT :limit OFFSET :offset"
        ids = [i for (i,) in _rows(connection, sql, {
            "campaign": name, "limit": per_page, "offset": (page - 1) * per_page})]
    outcomes = _outcomes(connection, name, ids) if ids != [] else []
    return {
        "campaign": name,
        "today": today,
        "totals": _totals(figures, _clock(connection, today, name).get(name)),
        "series": _series(connection, name)[name],
        "requests": [request_row(o, today) for o in outcomes],
    }


def has_fields(connection, name: str) -> bool:
    """Whether the campaign records fields (cada campaign field add)."""
    from cada_tracker.readdb import as_reader

    return as_reader(connection).first(
        "SELECT 1 FROM campaign_field WHERE campaign = :c LIMIT 1", {"c": name}) is not None
