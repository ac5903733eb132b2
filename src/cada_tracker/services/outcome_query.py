"""How the administrations answered, summed by the database (``cada stats``,
``cada campaign list`` and ``cada campaign show``).

The definitions are those of ``services.campaigns`` (its docstring), which computes
the same figures in Python from one ``Outcome`` per request and its events. Here
the database sums what each request stores of its events (migration 0014,
``lifecycle.derive_summary``: first answer, express refusal, referral, obtained),
read from the covering index ``ix_request_outcome``: memory stays flat with the
archive and no event is read. Medians come from window functions (``ROW_NUMBER``
and ``COUNT`` over each group: its one or two middle values). The statements are
the same on SQLite and PostgreSQL but for the difference of two dates
(:data:`_DAYS`); dates come back as ISO text from SQLite, ``date`` from PostgreSQL.
"""

from __future__ import annotations

from datetime import date

from cada_tracker.services.outcomes import Stats, median, missing_campaign, rate

# One row per request: the flags the figures count (0 or 1), and the response time.
_FLAGS = """
WITH flags AS MATERIALIZED (
  SELECT r.administration_id, r.campaign,
    CASE WHEN r.sent_on IS NOT NULL THEN 1 ELSE 0 END AS sent,
    CASE WHEN r.sent_on IS NOT NULL AND r.answered_on IS NOT NULL THEN 1 ELSE 0 END
      AS answered,
    CASE WHEN r.sent_on IS NOT NULL AND r.answered_on IS NOT NULL
              AND r.implicit_refusal_on IS NOT NULL AND r.answered_on <= r.implicit_refusal_on
         THEN 1 ELSE 0 END AS in_time,
    CASE WHEN r.sent_on IS NOT NULL AND r.express_refusal THEN 1 ELSE 0 END
      AS refused_express,
    CASE WHEN r.sent_on IS NOT NULL AND r.answered_on IS NULL AND NOT r.obtained
              AND r.implicit_refusal_on IS NOT NULL AND r.implicit_refusal_on < :today
         THEN 1 ELSE 0 END AS refused_implicit,
    CASE WHEN r.sent_on IS NOT NULL AND r.referred_on IS NOT NULL THEN 1 ELSE 0 END
      AS referred,
    CASE WHEN r.sent_on IS NOT NULL AND r.obtained THEN 1 ELSE 0 END AS obtained,
    CASE WHEN r.sent_on IS NOT NULL AND r.answered_on IS NOT NULL THEN {days} END AS days
  FROM request AS r {where}
)"""

#: The difference of two dates in days: the one thing the two back ends spell apart.
_DAYS = {"sqlite": "CAST(julianday(r.answered_on) - julianday(COALESCE(r.received_on, "
                   "r.sent_on)) AS INTEGER)",
         "postgresql": "(r.answered_on - COALESCE(r.received_on, r.sent_on))"}

_COUNT_NAMES = ("requests", "sent", "answered", "answered_in_time", "refused_express",
                "refused_implicit", "refused", "referred", "obtained")
_COUNTS = """COUNT(*), SUM(sent), SUM(answered), SUM(in_time), SUM(refused_express),
  SUM(refused_implicit),
  SUM(CASE WHEN refused_express = 1 OR refused_implicit = 1 THEN 1 ELSE 0 END),
  SUM(referred), SUM(obtained)"""
_NO_COUNTS = ", ".join(["CAST(NULL AS INTEGER)"] * len(_COUNT_NAMES))


def _keys(key: str) -> str:
    """The two key columns every branch returns: an integer one and a text one."""
    if key == "administration_id":
        return "administration_id, CAST(NULL AS VARCHAR)"
    if key == "0":
        return "CAST(NULL AS INTEGER), CAST(NULL AS VARCHAR)"
    return f"CAST(NULL AS INTEGER), {key}"


def _counts_branch(part: str, key: str) -> str:
    return (f"SELECT '{part}', {_keys(key)}, {_COUNTS}, CAST(NULL AS INTEGER), "
            f"CAST(NULL AS INTEGER) FROM flags GROUP BY {key}")


def _median_branch(part: str, key: str, source: str = "flags") -> str:
    """The middle value(s) of ``days`` in each group of ``key`` ("0": all requests)."""
    over = "" if key == "0" else f"PARTITION BY {key}"
    return f"""SELECT '{part}', {_keys(key)}, {_NO_COUNTS}, MIN(days), MAX(days)
FROM (SELECT {'0 AS k' if key == '0' else key}, days,
             ROW_NUMBER() OVER ({over} ORDER BY days) AS n, COUNT(*) OVER ({over}) AS total
      FROM {source} WHERE days IS NOT NULL) AS m
WHERE n IN ((total + 1) / 2, (total + 2) / 2) {'' if key == '0' else f'GROUP BY {key}'}"""


_WITH_KIND = "(SELECT f.*, a.kind FROM flags AS f JOIN administration AS a ON a.id = f.administration_id) AS fk"

_STATS = " UNION ALL ".join([
    _counts_branch("admin", "administration_id"),
    _median_branch("admin_median", "administration_id"),
    _median_branch("kind_median", "kind", _WITH_KIND),
    _median_branch("all_median", "0"),
])
_CAMPAIGNS = " UNION ALL ".join([
    _counts_branch("campaign", "campaign"),
    _median_branch("campaign_median", "campaign"),
])


def _where(campaign: str | None, campaigns_only: bool) -> tuple[str, dict]:
    if campaign is not None:
        return "WHERE r.campaign = :campaign", {"campaign": campaign}
    if campaigns_only:
        return "WHERE r.campaign IS NOT NULL", {}
    return "", {}


def _execute(connection, branches: str, today: date, where: str, params: dict):
    from sqlalchemy import text

    dialect = connection.dialect.name
    sql = _FLAGS.format(days=_DAYS.get(dialect, _DAYS["postgresql"]), where=where) + branches
    values = {**params, "today": today.isoformat() if dialect == "sqlite" else today}
    return connection.execute(text(sql), values)


def _figures(counts: dict, median_days) -> dict:
    return {**counts,
            "answer_rate": rate(counts["answered"], counts["sent"]),
            "in_time_rate": rate(counts["answered_in_time"], counts["sent"]),
            "median_response_days": median_days}


def _middle(lo, hi):
    return None if lo is None else median((lo, hi))


_GROUP_KEYS = ("requests", "sent", "answered", "answered_in_time", "refused", "referred",
               "obtained", "answer_rate", "in_time_rate", "median_response_days")


def _group(counts: dict, median_days) -> dict:
    """A group's figures in the order and with the names of ``campaigns.stats``."""
    figures = _figures(counts, median_days)
    return {k: figures[k] for k in _GROUP_KEYS}


def unknown_campaign(connection, name: str):
    """``campaigns.unknown_campaign`` over a plain connection."""
    from sqlalchemy import text

    names = [n for (n,) in connection.execute(text(
        "SELECT DISTINCT campaign FROM request WHERE campaign IS NOT NULL ORDER BY campaign"))]
    return missing_campaign(name, names)


def stats(connection, today: date, campaign: str | None = None) -> Stats:
    """``services.campaigns.stats``, summed by the database (a plain connection)."""
    from sqlalchemy import bindparam, text

    where, params = _where(campaign, False)
    counts: dict[int, dict] = {}
    medians: dict[tuple, float | int | None] = {}
    for part, id_key, text_key, *values in _execute(connection, _STATS, today, where,
                                                    params):
        if part == "admin":
            counts[id_key] = dict(zip(_COUNT_NAMES, values[:-2], strict=True))
        else:
            key = id_key if part == "admin_median" else text_key
            medians[(part, key)] = _middle(*values[-2:])
    admins = {}
    if counts:
        query = text("SELECT id, name, kind, department FROM administration "
                     "WHERE id IN :ids").bindparams(bindparam("ids", expanding=True))
        admins = {row[0]: row[1:] for row in connection.execute(query, {"ids": list(counts)})}
    by_kind: dict[str, dict] = {}
    overall = dict.fromkeys(_COUNT_NAMES, 0)
    rows = []
    for admin_id, c in counts.items():
        name, kind, department = admins[admin_id]
        rows.append({"administration_id": admin_id, "administration": name, "kind": kind,
                     "department": department,
                     **_group(c, medians.get(("admin_median", admin_id)))})
        total = by_kind.setdefault(kind, dict.fromkeys(_COUNT_NAMES, 0))
        for k in _COUNT_NAMES:
            total[k] += c[k]
            overall[k] += c[k]
    kinds = [{"kind": kind, **_group(c, medians.get(("kind_median", kind)))}
             for kind, c in by_kind.items()]
    kinds.sort(key=lambda r: (-r["sent"], r["kind"]))
    rows.sort(key=lambda r: (-r["sent"], r["administration"], r["administration_id"]))
    return Stats(overall=_group(overall, medians.get(("all_median", None))), by_kind=kinds,
                 by_administration=rows)


def campaign_figures(connection, today: date, campaign: str | None = None
                     ) -> dict[str, dict]:
    """Per campaign (or one), the counts and the median of ``campaigns.totals``."""
    where, params = _where(campaign, True)
    counts: dict[str, dict] = {}
    medians: dict[str, float | int | None] = {}
    for part, _id, name, *values in _execute(connection, _CAMPAIGNS, today,
                                             where, params):
        if part == "campaign":
            counts[name] = dict(zip(_COUNT_NAMES, values[:-2], strict=True))
        else:
            medians[name] = _middle(*values[-2:])
    return {name: _figures(c, medians.get(name)) for name, c in counts.items()}
