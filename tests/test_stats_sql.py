"""cada stats and cada campaign sum in SQL what the Python reference computes from
every event (services.campaigns.load_outcomes + services.outcomes): the same
figures on a varied archive, on SQLite and PostgreSQL, on several days."""

from __future__ import annotations

from datetime import date

import pytest

from cada_tracker import paths, storage
from cada_tracker.services import campaign_query, campaigns, outcome_query

pytestmark = pytest.mark.usefixtures("backend")

DAYS = [date(2026, 3, 10), date(2026, 4, 21), date(2026, 9, 1)]


def _admin(cli, name, postcode, kind):
    return cli("admin", "add", name, "--kind", kind, "--postcode", postcode, "--city", "V",
               "--json", ok=True).json()["id"]


def _new(cli, admin, subject, campaign=None, docs=("A", "B"), regime="general"):
    args = ["new", "--to", admin, "--subject", subject, "--regime", regime, "--json"]
    for d in docs:
        args += ["--doc", d]
    if campaign:
        args += ["--campaign", campaign]
    return cli(*args, ok=True).json()["reference"]


def _archive(cli):
    """Requests in every state the figures distinguish."""
    cli("init", "--name", "G", "--address", r"1 rue X\n38000 Grenoble", "--email",
        "g@example.org", "--city", "Grenoble", ok=True)
    kinds = ["commune", "commune", "prefecture", "departement", "commune", "region"]
    admins = [_admin(cli, f"Administration {i}", f"380{i:02d}", k) for i, k in enumerate(kinds)]
    refs = []
    for i, admin in enumerate(admins):  # a series of six, one in another spelling
        subject = "Vidéosurveillance" if i != 3 else "vidéosurveillance "
        refs.append(_new(cli, admin, subject, "vsa"))
    refs += [_new(cli, admins[0], "Drones", "drones"), _new(cli, admins[1], "Drones", "drones"),
             _new(cli, admins[2], "Budget"), _new(cli, admins[4], "Air", regime="environment"),
             _new(cli, admins[5], "Archives", regime="archives"), _new(cli, admins[0], "Brouillon")]
    for n, ref in enumerate(refs[:-1]):
        cli("sent", ref, "--on", f"2026-02-{2 + n:02d}", "--via", "lrar", ok=True)
        if n % 3 != 2:  # some receipts unknown
            cli("received", ref, "--on", f"2026-02-{4 + n:02d}", ok=True)
    r = refs
    cli("answer", r[0], "--on", "2026-02-20", "--outcome", "full", ok=True)
    cli("answer", r[1], "--on", "2026-03-01", "--outcome", "partial", "--got", "1",
        "--refused", "2", ok=True)
    cli("answer", r[2], "--on", "2026-03-03", "--outcome", "refusal", ok=True)
    cli("refer", r[2], "--on", "2026-03-20", "--hors-serie", "--no-letter", ok=True)
    cli("answer", r[3], "--on", "2026-02-25", "--outcome", "fees", ok=True)
    cli("answer", r[4], "--on", "2026-03-02", "--outcome", "full", ok=True)
    shown = cli("show", r[4], "--json", ok=True).json()
    answer = next(e for e in shown["events"] if e["kind"] == "answer")
    cli("cancel", r[4], answer["number"], "--why", "erreur", ok=True)  # no longer counts
    cli("answer", r[6], "--on", "2026-04-01", "--outcome", "full", ok=True)  # late
    cli("close", r[7], "--on", "2026-03-15", "--reason", "obtained", ok=True)
    cli("answer", r[9], "--on", "2026-02-20", "--outcome", "extension", ok=True)
    cli("answer", r[10], "--on", "2026-03-20", "--outcome", "partial", "--got", "1", ok=True)
    return refs


def test_sql_figures_are_the_python_reference(cli):
    _archive(cli)
    engine = storage.open_db(paths.resolve())
    with storage.session_scope(engine) as s:
        everything = campaigns.load_outcomes(s)
        by_name = {n: campaigns.campaign_outcomes(s, n) for n in ("vsa", "drones")}
        connection = s.connection()
        for today in DAYS:
            for campaign, outcomes in [(None, everything), *by_name.items()]:
                sql = outcome_query.stats(connection, today, campaign)
                python = campaigns.stats(outcomes, today)
                assert sql.as_dict(today) == python.as_dict(today), (today, campaign)
            assert campaign_query.campaign_list(connection, today) == campaigns.campaign_list(
                campaigns.load_outcomes(s, campaigns_only=True), today)
            for name, outcomes in by_name.items():
                whole = campaign_query.campaign_report(connection, name, today)
                assert whole == campaigns.campaign_report(name, outcomes, today)
                pages = [campaign_query.campaign_report(connection, name, today, page=p,
                                                        per_page=4)["requests"]
                         for p in (1, 2, 3)]
                assert [row for page in pages for row in page] == whole["requests"]
    assert sql.overall["requests"] == 2 and python.by_kind  # the loop ran
    vsa = campaigns.campaign_report("vsa", by_name["vsa"], DAYS[1])
    assert vsa["series"]["is_series"] and vsa["totals"]["refused_express"] == 2


def test_a_campaign_without_requests_is_named(cli, profile):
    engine = storage.open_db(paths.resolve())
    with storage.read_scope(engine) as connection:
        with pytest.raises(Exception, match="Aucune campagne « x »"):
            campaign_query.campaign_report(connection, "x", DAYS[0])
    result = cli("stats", "--campaign", "x")
    assert result.exit_code == 3 and "Aucune campagne « x »" in result.stderr


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)  # SQLite only
@pytest.mark.parametrize("key, campaign, only, index", [
    ("r.administration_id", None, False, "ix_request_stats"),
    ("r.administration_id", "vsa", False, "ix_request_outcome"),
    ("r.campaign", None, True, "ix_request_outcome"),
    ("r.campaign", "vsa", True, "ix_request_outcome")])
def test_stats_read_an_index_in_the_order_of_their_groups(cli, profile, backend, key,
                                                           campaign, only, index):
    """Each statement of outcome_query reads only an index whose first columns are its
    filter and group: no table row, no temporary B-tree (SQLite's plan; the test runs
    on SQLite only, PostgreSQL plans by statistics)."""
    from sqlalchemy import text

    where, params = outcome_query._where(campaign, only)
    engine = storage.open_db(paths.resolve())
    with engine.connect() as conn:
        # The count of requests may read any index of the group (the smallest).
        for sql, name in ((outcome_query._REQUESTS, ""), (outcome_query._SENT, index)):
            statement = sql.format(key=key, where=where, days=outcome_query._LIST["sqlite"])
            plan = " ".join(str(row[-1]) for row in conn.execute(
                text("EXPLAIN QUERY PLAN " + statement), {**params, "today": "2026-01-01"}))
            assert f"USING COVERING INDEX {name}" in plan, plan
            assert "TEMP B-TREE" not in plan, plan
    engine.dispose()


def test_the_median_of_a_histogram_is_the_median_of_its_values():
    """stats counts response times per value (SQL's text, split and counted): the
    median taken from those counts is outcomes.median of the values themselves."""
    import random
    from collections import Counter

    from cada_tracker.services.outcomes import median

    rng = random.Random(18)
    for _ in range(2000):
        values = [rng.randrange(-3, 90) for _ in range(rng.randrange(0, 40))]
        histogram = Counter(str(v) for v in values)
        assert outcome_query.histogram_median(histogram) == median(values), values
