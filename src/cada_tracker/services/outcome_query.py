"""How the administrations answered, summed by the database (``cada stats``,
``cada campaign list`` and ``cada campaign show``).

The definitions are those of ``services.campaigns`` (its docstring), which computes
the same figures in Python from one ``Outcome`` per request and its events. Here
the database sums what each request stores of its events (migrations 0014 and
0020, ``lifecycle.derive_summary``: first answer, express refusal, referral,
obtained, response time), per administration or per campaign, reading only a
covering index whose first column is the group, in its order (no sort, no table
row, no event): ``ix_request_stats`` (migrations 0017 and 0020) for the whole
archive, ``ix_request_outcome`` for the campaigns. Two plain aggregates, no CTE and no window:

- the number of requests of each group;
- over its sent requests, in one pass: the sums, each ``COUNT`` of a column (not
  null) or with a ``FILTER`` (true), so that each figure is one short test; and
  the response times of the answered ones, as one text per group (2,000 rows
  rather than 680,000 at a million requests), from which Python takes the medians
  of each group, each kind of administration and the whole.

The statements are the same on SQLite and PostgreSQL but for the name of the
aggregate that joins texts (:data:`_LIST`).
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from cada_tracker.services.outcomes import Stats, missing_campaign, rate

_COUNT_NAMES = ("requests", "sent", "answered", "answered_in_time", "refused_express",
                "refused_implicit", "refused", "referred", "obtained")

# What a sent request counts for, in the order of _COUNT_NAMES after "requests": each
# figure is one short test, COUNT of a column (not null) or an aggregate's FILTER
# (SQLite 3.30, PostgreSQL 9.4), which SQLite evaluates faster than a CASE inside
# COUNT (0.43 s rather than 0.55 s at a million requests).
_IMPLICIT = ("r.answered_on IS NULL AND NOT r.obtained "
             "AND r.implicit_refusal_on < :today")
_SENT_COUNTS = ", ".join((
    "COUNT(*)",  # sent
    "COUNT(r.answered_on)",
    "COUNT(*) FILTER (WHERE r.answered_on <= r.implicit_refusal_on)",  # answered in time
    "COUNT(*) FILTER (WHERE r.express_refusal)",
    f"COUNT(*) FILTER (WHERE {_IMPLICIT})",
    f"COUNT(*) FILTER (WHERE r.express_refusal OR ({_IMPLICIT}))",  # refused
    "COUNT(r.referred_on)",
    "COUNT(*) FILTER (WHERE r.obtained)",
))

#: What the two back ends spell apart: the response times of a group as one text,
#: separated by commas (SQLite 3.44 added string_agg). Each is stored with the request
#: (``response_days``, migration 0020): computing it here from the dates took 0.17 s
#: at a million requests (two ``julianday`` parses a row).
_LIST = {"sqlite": "group_concat(r.response_days) FILTER (WHERE r.answered_on IS NOT NULL)",
         "postgresql": "string_agg(CAST(r.response_days AS VARCHAR), ',') "
                       "FILTER (WHERE r.answered_on IS NOT NULL)"}

# "NOT (… IS NULL)": spelled so that SQLite does not take the partial index of the
# sent requests (ix_request_series_subject, 0015 and 0019), which lacks the columns
# summed here: over the campaigns, it read each row from the table (7 times slower
# at 100,000 requests).
_SENT_ONLY = "NOT (r.sent_on IS NULL)"
_REQUESTS = "SELECT {key}, COUNT(*) FROM request AS r WHERE {where} GROUP BY {key}"
# The sums of the sent requests and their response times in one pass over the index
# (two passes took 0.2 s more at a million requests).
_SENT = ("SELECT {key}, " + _SENT_COUNTS + ", {days} FROM request AS r "
         f"WHERE {_SENT_ONLY} AND {{where}} GROUP BY {{key}}")


def _where(campaign: str | None, campaigns_only: bool) -> tuple[str, dict]:
    if campaign is not None:
        return "r.campaign = :campaign", {"campaign": campaign}
    if campaigns_only:
        return "r.campaign IS NOT NULL", {}
    return "1 = 1", {}


def _sums(connection, key: str, today: date, campaign: str | None, campaigns_only: bool
          ) -> tuple[dict, dict[object, list[int]]]:
    """Per value of ``key``: the counts of _COUNT_NAMES, and the response times."""
    from cada_tracker.readdb import as_reader

    db = as_reader(connection)
    where, params = _where(campaign, campaigns_only)
    dialect = db.dialect
    values = {**params, "today": today.isoformat() if dialect == "sqlite" else today}

    days_list = _LIST[dialect if dialect in _LIST else "postgresql"]

    def rows(sql: str):
        return db.rows(sql.format(key=key, where=where, days=days_list), values)

    counts = {group: [requests, *[0] * (len(_COUNT_NAMES) - 1)]
              for group, requests in rows(_REQUESTS)}
    days = {}
    for group, *sent, listed in rows(_SENT):
        counts[group][1:] = sent
        # A histogram per group (days → requests): at a million requests, 680,000
        # response times, counted in C rather than turned into as many Python ints.
        if listed:
            days[group] = Counter(listed.split(","))
    return {group: dict(zip(_COUNT_NAMES, c, strict=True)) for group, c in counts.items()}, days


def _figures(counts: dict, median_days) -> dict:
    return {**counts,
            "answer_rate": rate(counts["answered"], counts["sent"]),
            "in_time_rate": rate(counts["answered_in_time"], counts["sent"]),
            "median_response_days": median_days}


_GROUP_KEYS = ("requests", "sent", "answered", "answered_in_time", "refused", "referred",
               "obtained", "answer_rate", "in_time_rate", "median_response_days")


def _group(counts: dict, median_days) -> dict:
    """A group's figures in the order and with the names of ``campaigns.stats``."""
    figures = _figures(counts, median_days)
    return {k: figures[k] for k in _GROUP_KEYS}


def unknown_campaign(connection, name: str):
    """``campaigns.unknown_campaign`` over a plain connection."""
    from cada_tracker.readdb import as_reader

    names = [n for (n,) in as_reader(connection).rows(
        "SELECT DISTINCT campaign FROM request WHERE campaign IS NOT NULL ORDER BY campaign")]
    return missing_campaign(name, names)


def stats(connection, today: date, campaign: str | None = None) -> Stats:
    """``services.campaigns.stats``, summed by the database (a plain connection)."""
    from cada_tracker.readdb import as_reader, in_list

    db = as_reader(connection)
    counts, days = _sums(db, "r.administration_id", today, campaign, False)
    admins = {}
    if counts:
        listed, ids = in_list("id", list(counts))
        admins = {row[0]: row[1:] for row in db.rows(
            f"SELECT id, name, kind, department FROM administration WHERE id IN {listed}", ids)}
    by_kind: dict[str, dict] = {}
    kind_days: dict[str, Counter] = {}
    overall = dict.fromkeys(_COUNT_NAMES, 0)
    rows = []
    for admin_id, c in counts.items():
        name, kind, department = admins[admin_id]
        own = days.get(admin_id, Counter())
        rows.append({"administration_id": admin_id, "administration": name, "kind": kind,
                     "department": department, **_group(c, histogram_median(own))})
        total = by_kind.setdefault(kind, dict.fromkeys(_COUNT_NAMES, 0))
        kind_days.setdefault(kind, Counter()).update(own)
        for k in _COUNT_NAMES:
            total[k] += c[k]
            overall[k] += c[k]
    kinds = [{"kind": kind, **_group(c, histogram_median(kind_days[kind]))}
             for kind, c in by_kind.items()]
    kinds.sort(key=lambda r: (-r["sent"], r["kind"]))
    rows.sort(key=lambda r: (-r["sent"], r["administration"], r["administration_id"]))
    everything = Counter()
    for own in kind_days.values():
        everything.update(own)
    return Stats(overall=_group(overall, histogram_median(everything)), by_kind=kinds,
                 by_administration=rows)


def campaign_figures(connection, today: date, campaign: str | None = None
                     ) -> dict[str, dict]:
    """Per campaign (or one), the counts and the median of ``campaigns.totals``."""
    counts, days = _sums(connection, "r.campaign", today, campaign, True)
    return {name: _figures(c, histogram_median(days.get(name, Counter())))
            for name, c in counts.items()}


def histogram_median(histogram: Counter) -> float | int | None:
    """``outcomes.median`` of the values a histogram counts (keys: numbers, or their
    text as SQL joined them): the middle value, or the mean of the two middle ones."""
    n = sum(histogram.values())
    if n == 0:
        return None
    low, high = (n - 1) // 2, n // 2  # the middle positions, 0-based, in sorted order
    seen, a = 0, None
    for value, count in sorted((int(v), c) for v, c in histogram.items()):
        if a is None and seen + count > low:
            a = value
        if seen + count > high:
            m = (a + value) / 2
            return int(m) if m.is_integer() else round(m, 1)
        seen += count
    raise AssertionError("unreachable: the counts add up to n")
