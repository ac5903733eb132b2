"""cada campaign list/show and cada stats on a small campaign built with the CLI."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from cada_tracker.services.campaigns import REQUEST_COLUMNS, Outcome, median

TODAY = "2026-04-15"


def add_admin(cli, name, postcode, kind="commune", tag="vsa") -> int:
    return cli("admin", "add", name, "--kind", kind, "--postcode", postcode, "--city", "Lyon",
               "--tag", tag, "--json", ok=True).json()["id"]


@pytest.fixture
def campaign(cli, profile):
    """Six communes asked the same thing; five sent, three answered, one referred.

    2026-0001 received 03/03, full answer 20/03 (17 days)
    2026-0002 received 04/03, partial answer 30/03 refusing doc 2 (26 days)
    2026-0003 received 05/03, refusal 01/04 (27 days), CADA referred 10/04
    2026-0004 received 06/03, silence: implicit refusal on 06/04
    2026-0005 received 20/03, silence: implicit refusal on 20/04 (after TODAY)
    2026-0006 draft
    """
    for i in range(1, 7):
        add_admin(cli, f"Mairie {i}", f"6900{i}")
    created = cli("new", "--to-tag", "vsa", "--subject", "Vidéosurveillance",
                  "--doc", "Liste des caméras", "--doc", "Marché", "--campaign", "vsa-2026",
                  "--json", ok=True).json()
    refs = [r["reference"] for r in created]
    received = ["2026-03-03", "2026-03-04", "2026-03-05", "2026-03-06", "2026-03-20"]
    for ref, on in zip(refs, received, strict=False):
        cli("sent", ref, "--on", "2026-03-02", "--via", "lrar", ok=True)
        cli("received", ref, "--on", on, ok=True)
    cli("answer", refs[0], "--on", "2026-03-20", "--outcome", "full", ok=True)
    cli("answer", refs[1], "--on", "2026-03-30", "--outcome", "partial", "--got", "1",
        "--refused", "2", ok=True)
    cli("answer", refs[2], "--on", "2026-04-01", "--outcome", "refusal", ok=True)
    cli("refer", refs[2], "--on", "2026-04-10", "--hors-serie", ok=True)
    return refs


def test_campaign_totals_median_and_rows(cli, campaign):
    report = cli("campaign", "show", "vsa-2026", "--today", TODAY, "--json", ok=True).json()
    assert report["campaign"] == "vsa-2026" and report["today"] == TODAY
    assert report["totals"] == {
        "requests": 6,
        "sent": 5,
        "answered": 3,
        "answered_in_time": 3,
        "refused": 3,  # two express, one implicit (0005's delay runs until 20/04)
        "refused_express": 2,
        "refused_implicit": 1,
        "referred": 1,
        "obtained": 2,
        "answer_rate": 0.6,
        "median_response_days": 26,
        # The most urgent actionable deadline, the one cada overdue names first: refer
        # 0002's express refusal of 30/03 (safe date), not 0005's coming implicit refusal.
        "next_deadline": "2026-05-29",
        "next_deadline_kind": "cada_deadline",
        "next_deadline_state": "safe",
        "overdue": 0,
    }
    assert set(report) == {"campaign", "today", "totals", "series", "requests", "fields"}
    # The --csv columns, in order, then where the administration is and the campaign fields.
    assert list(report["requests"][0]) == [*REQUEST_COLUMNS, "postcode", "city", "fields"]
    rows = {r["reference"]: r for r in report["requests"]}
    first, second, third, fourth, fifth, draft = (rows[ref] for ref in campaign)
    assert (first["answered_on"], first["days_waited"], first["next_deadline"]) == (
        "2026-03-20", 17, None)
    assert (second["refused"], second["documents_obtained"], second["documents_refused"]) == (
        "express", 1, 1)
    assert second["next_deadline_kind"] == "cada_deadline"
    assert (third["status"], third["referred"], third["next_deadline_kind"]) == (
        "referred", True, "cada_opinion_due")
    assert (fourth["refused"], fourth["days_waited"], fourth["answered_on"]) == (
        "implicit", 40, None)  # 06/03 → today
    assert fourth["next_deadline_kind"] == "cada_deadline"
    assert (fifth["refused"], fifth["next_deadline"], fifth["next_deadline_kind"]) == (
        None, "2026-04-21", "cada_earliest")  # implicit refusal on 20/04
    assert (draft["status"], draft["days_waited"], draft["next_deadline"]) == ("draft", None, None)
    assert report["series"] == {"is_series": True, "subject": "Vidéosurveillance",
                                "administrations": 5, "with_drafts": 6, "threshold": 5,
                                "referred_on": None}

    # Later, 0005's silence is a refusal too, and its next deadline is the CADA's.
    later = cli("campaign", "show", "vsa-2026", "--today", "2026-04-25", "--json",
                ok=True).json()
    assert (later["totals"]["refused"], later["totals"]["refused_implicit"]) == (4, 2)


def test_cancelled_answer_no_longer_counts(cli, campaign):
    shown = cli("show", campaign[0], "--json", ok=True).json()
    answer = [e for e in shown["events"] if e["kind"] == "answer"][0]
    cli("cancel", campaign[0], answer["number"], "--why", "erreur de saisie", ok=True)
    totals = cli("campaign", "show", "vsa-2026", "--today", TODAY, "--json",
                 ok=True).json()["totals"]
    assert (totals["answered"], totals["obtained"], totals["median_response_days"]) == (
        2, 1, 26.5)  # 26 and 27 days


def test_campaign_text_csv_and_list(cli, campaign):
    text = cli("campaign", "show", "vsa-2026", "--today", TODAY, ok=True)
    assert "6 demande(s), 5 envoyée(s), 3 réponse(s) (60 %" in text.stdout
    assert "Délai médian de réponse : 26 j" in text.stdout
    assert "Prochaine échéance : 29/05/2026 (saisine de la CADA au plus tard, pour la série : " \
        "cada refer --campaign vsa-2026)" in text.stdout
    assert "Mairie 4" in text.stdout and "L342-1 al. 2" in text.stderr

    published = cli("campaign", "show", "vsa-2026", "--today", TODAY, "--csv", ok=True).stdout
    rows = list(csv.DictReader(io.StringIO(published)))
    assert [r["reference"] for r in rows] == campaign
    assert rows[1]["answered_on"] == "2026-03-30" and rows[1]["days_waited"] == "26"
    as_json = cli("campaign", "show", "vsa-2026", "--today", TODAY, "--json", ok=True).stdout
    for private in ("Technopolice Lyon", "lyon@technopolice.example", "rue de la Paix",
                    "defaut", "sender"):
        assert private not in published and private not in as_json

    listed = cli("campaign", "list", "--today", TODAY, "--json", ok=True).json()
    assert len(listed) == 1
    assert {k: listed[0][k] for k in ("campaign", "requests", "sent", "answered", "refused",
                                      "referred", "obtained", "next_deadline", "series")} == {
        "campaign": "vsa-2026", "requests": 6, "sent": 5, "answered": 3, "refused": 3,
        "referred": 1, "obtained": 2, "next_deadline": "2026-05-29", "series": True}
    table = cli("campaign", "list", "--today", TODAY, ok=True).stdout
    assert "vsa-2026" in table

    both = cli("campaign", "show", "vsa-2026", "--json", "--csv")
    assert both.exit_code == 2 and "--json ou --csv" in both.stderr


def test_series_from_the_fifth_administration(cli, profile, backend):
    ids = [add_admin(cli, f"Commune {i}", f"3800{i}", tag="isere") for i in range(1, 6)]
    refs = [cli("new", "--to", admin_id, "--subject", "Drones  de surveillance",
                "--doc", "Arrêtés", "--campaign", "drones", "--json", ok=True).json()["reference"]
            for admin_id in ids]
    drafts = cli("campaign", "show", "drones", "--today", TODAY)
    assert "formeront une série" in drafts.stderr and "Attention" not in drafts.stderr
    for ref in refs[:4]:
        cli("sent", ref, "--on", "2026-03-02", "--via", "email", ok=True)
    four = cli("campaign", "show", "drones", "--today", TODAY, "--json", ok=True).json()
    assert four["series"]["is_series"] is False and four["series"]["administrations"] == 4
    cli("sent", refs[4], "--on", "2026-03-03", "--via", "email", ok=True)
    five = cli("campaign", "show", "drones", "--today", TODAY)
    assert "série au sens de l'article L342-1 al. 2 CRPA : 5 administrations" in five.stderr
    assert "saisine unique" in five.stderr
    data = cli("campaign", "show", "drones", "--today", TODAY, "--json", ok=True).json()
    assert data["series"]["is_series"] is True
    # No receipt known: the delay runs from sending (02/03), refused on 02/04, so the
    # next deadline is the CADA's (prudent date).
    assert data["totals"]["sent"] == 5 and data["totals"]["refused_implicit"] == 5
    assert (data["totals"]["next_deadline"], data["totals"]["next_deadline_kind"]) == (
        "2026-06-01", "cada_deadline")
    assert cli("campaign", "list", "--json", ok=True).json()[0]["series"] is True


def test_same_administration_twice_is_no_series(cli, profile):
    admin_id = add_admin(cli, "Mairie unique", "01000")
    for _ in range(5):
        ref = cli("new", "--to", admin_id, "--subject", "Caméras", "--doc", "Liste",
                  "--campaign", "relances", "--json", ok=True).json()["reference"]
        cli("sent", ref, "--on", "2026-03-02", "--via", "email", ok=True)
    series = cli("campaign", "show", "relances", "--json", ok=True).json()["series"]
    assert (series["is_series"], series["administrations"]) == (False, 1)


def test_unknown_campaign(cli, campaign):
    result = cli("campaign", "show", "vsa-2025")
    assert result.exit_code == 3
    assert "Aucune campagne « vsa-2025 »" in result.stderr and "vsa-2026" in result.stderr
    assert "Traceback" not in result.stderr


def test_empty_database(cli):
    assert cli("campaign", "list", "--json", ok=True).json() == []
    assert "Aucune campagne" in cli("campaign", "list", ok=True).stderr
    assert cli("stats", "--json", ok=True).json()["overall"]["requests"] == 0
    assert "Aucune demande" in cli("stats", ok=True).stderr


def test_stats_per_kind_and_administration(cli, campaign):
    prefecture = add_admin(cli, "Préfecture du Rhône", "69003", kind="prefecture", tag="etat")
    ref = cli("new", "--to", prefecture, "--subject", "Drones", "--doc", "Arrêtés",
              "--json", ok=True).json()["reference"]
    cli("sent", ref, "--on", "2026-02-02", "--via", "email", ok=True)  # no receipt known
    cli("answer", ref, "--on", "2026-03-20", "--outcome", "partial", "--got", "1", ok=True)

    data = cli("stats", "--today", TODAY, "--json", ok=True).json()
    assert data["overall"]["sent"] == 6 and data["overall"]["answered"] == 4
    kinds = {k["kind"]: k for k in data["by_kind"]}
    assert (kinds["commune"]["sent"], kinds["commune"]["answer_rate"],
            kinds["commune"]["median_response_days"]) == (5, 0.6, 26)
    pref = kinds["prefecture"]
    # From sending (no receipt recorded), 46 days: later than the implicit refusal.
    assert (pref["answered"], pref["answered_in_time"], pref["median_response_days"]) == (
        1, 0, 46)
    assert (pref["answer_rate"], pref["in_time_rate"]) == (1.0, 0.0)
    admins = data["by_administration"]
    assert admins[0]["administration"] == "Mairie 1"  # most sent first, then by name
    assert [a["sent"] for a in admins] == [1, 1, 1, 1, 1, 1, 0]
    mairie4 = next(a for a in admins if a["administration"] == "Mairie 4")
    assert (mairie4["answer_rate"], mairie4["refused"], mairie4["median_response_days"]) == (
        0.0, 1, None)
    text = cli("stats", "--today", TODAY, ok=True).stdout
    assert "préfecture" in text and "Par administration" in text and "60 %" in text


# --- Pure rules ------------------------------------------------------------------


def test_median_of_even_and_odd_counts():
    assert median([]) is None
    assert median([17, 26, 27]) == 26
    assert median([26, 27]) == 26.5
    assert median([10, 20]) == 15 and isinstance(median([10, 20]), int)


def test_next_deadline_is_the_one_overdue_gives_and_treats_none_as_unknown():
    waiting = Outcome(id=1, reference="r", sent_on=date(2026, 3, 2),
                      received_on=date(2026, 3, 4), next_action="refer",
                      implicit_refusal_on=date(2026, 4, 4), action_from=date(2026, 4, 5),
                      action_due=date(2026, 6, 3), action_due_legal=date(2026, 6, 4))
    assert waiting.next_deadline(date(2026, 4, 1)) == (date(2026, 4, 5), "cada_earliest")
    assert waiting.next_deadline(date(2026, 4, 5)) == (date(2026, 6, 3), "cada_deadline")
    # Past the safe date: the legal last day, still actionable; then expired.
    assert waiting.next_deadline(date(2026, 6, 4)) == (date(2026, 6, 4), "cada_deadline")
    assert waiting.clock_item(date(2026, 6, 4)).state == "past_safe"
    assert waiting.clock_item(date(2026, 7, 1)).state == "expired"
    unknown = Outcome(id=2, reference="u", sent_on=date(2026, 3, 2), next_action="refer")
    assert unknown.next_deadline(date(2026, 4, 1)) is None
    assert not unknown.implicit_refusal(date(2027, 1, 1))  # no stored date: not a refusal
    assert Outcome(id=3, reference="d").next_deadline(date(2026, 4, 1)) is None


def test_show_pages_its_table_and_keeps_the_totals_whole(cli, campaign, monkeypatch):
    from cada_tracker.cli import campaign_cmds

    monkeypatch.setattr(campaign_cmds, "SHOW_PAGE", 4)
    first = cli("campaign", "show", "vsa-2026", "--today", TODAY, ok=True).stdout
    assert "6 demande(s), 5 envoyée(s)" in first
    assert "demandes 1 à 4 sur 6 (--page N, --all pour tout" in first
    assert all(ref in first for ref in campaign[:4]) and campaign[4] not in first
    second = cli("campaign", "show", "vsa-2026", "--today", TODAY, "--page", "2", ok=True).stdout
    assert "demandes 5 à 6 sur 6" in second and campaign[4] in second and campaign[0] not in second
    beyond = cli("campaign", "show", "vsa-2026", "--today", TODAY, "--page", "3", ok=True).stdout
    assert "aucune demande sur cette page : 6 demande(s), 2 page(s)" in beyond
    everything = cli("campaign", "show", "vsa-2026", "--today", TODAY, "--all", ok=True).stdout
    assert all(ref in everything for ref in campaign) and "sur 6" not in everything
