"""One truth per screen: campaign show and overdue name the same next deadline, and a
series is one row to refer, once."""

from __future__ import annotations

from datetime import date, timedelta

import pytest


def _campaign(cli, name: str, count: int, tag: str) -> list[str]:
    for i in range(count):
        cli("admin", "add", f"Commune {tag} {i}", "--kind", "commune", "--postcode",
            f"38{i:03d}", "--city", f"Ville {i}", "--tag", tag, ok=True)
    refs = [r["reference"] for r in cli(
        "new", "--to-tag", tag, "--subject", "VSA", "--doc", "Contrats", "--doc", "AIPD",
        "--campaign", name, "--json", ok=True).json()]
    cli("sent", "--campaign", name, "--on", "2026-09-07", "--via", "lrar", ok=True)
    return refs


@pytest.fixture
def mixed(cli, profile):
    """Two requests (no series): one at the court stage, one referred whose opinion is
    due later: the situation where campaign show named the later, indicative date."""
    refs = _campaign(cli, "mixte", 2, "m")
    for ref in refs:
        cli("received", ref, "--on", "2026-09-08", ok=True)
    cli("answer", refs[0], "--on", "2026-09-20", "--outcome", "refusal", ok=True)
    cli("refer", refs[0], "--on", "2026-09-25", "--via", "lrar", "--no-letter", ok=True)
    cli("refer", refs[0], "--registered", "2026-09-28", "--cada-ref", "2026-1", ok=True)
    cli("refer", refs[1], "--on", "2026-10-12", "--via", "lrar", "--no-letter", ok=True)
    cli("refer", refs[1], "--registered", "2026-10-14", "--cada-ref", "2026-2", ok=True)
    return refs


def _overdue_next(cli, campaign, on):
    data = cli("overdue", "--campaign", campaign, "--today", on, "--json").json()
    return data["next_deadline"]


def test_campaign_show_and_overdue_name_the_same_next_deadline(cli, mixed):
    start = date(2026, 9, 10)
    seen = set()
    for week in range(30):
        on = (start + timedelta(days=7 * week)).isoformat()
        totals = cli("campaign", "show", "mixte", "--today", on, "--json",
                     ok=True).json()["totals"]
        nxt = _overdue_next(cli, "mixte", on)
        assert (totals["next_deadline"], totals["next_deadline_kind"]) == (
            (nxt["date"], nxt["kind"]) if nxt else (None, None)), on
        seen.add(totals["next_deadline_kind"])
    assert {"court_deadline", "cada_opinion_due", "confirmed_refusal"} <= seen, seen
    # The court deadline of the first comes before the second's (indicative) opinion.
    on = "2027-01-10"
    text = cli("campaign", "show", "mixte", "--today", on, ok=True).stdout
    nxt = _overdue_next(cli, "mixte", on)
    shown = date.fromisoformat(nxt["date"]).strftime("%d/%m/%Y")
    assert nxt["kind"] == "court_deadline" and nxt["reference"] == mixed[0]
    assert f"Prochaine échéance : {shown} (recours au tribunal au plus tard)" in text
    said = cli("overdue", "--campaign", "mixte", "--today", on).stderr
    assert f"Prochaine échéance : {shown} (recours au tribunal au plus tard, {mixed[0]})" in said


def test_series_is_one_row_to_refer_then_nobody_is_told_again(cli, profile):
    refs = _campaign(cli, "vsa-isere", 9, "i")
    cli("received", "--campaign", "vsa-isere", "--on", "2026-09-09", ok=True)
    today = "2026-10-20"  # every implicit refusal was born on 09/10
    data = cli("overdue", "--today", today, "--json").json()
    [row] = data["action_needed"]
    assert row["series"] == "vsa-isere" and row["members"] == refs
    assert row["message"].startswith(
        "série vsa-isere : saisir la CADA (cada refer --campaign vsa-isere) au plus tard le ")
    text = cli("overdue", "--today", today)
    assert text.stdout.count("saisir la CADA") == 1 and "série vsa-isere" in text.stdout
    assert "9 administrations" in text.stdout
    shown = cli("campaign", "show", "vsa-isere", "--today", today)
    assert "pour la série : cada refer --campaign vsa-isere" in shown.stdout
    assert "cada refer --campaign vsa-isere" in shown.stderr
    totals = cli("campaign", "show", "vsa-isere", "--today", today, "--json",
                 ok=True).json()["totals"]
    assert totals["next_deadline"] == data["next_deadline"]["date"]

    cli("refer", "--campaign", "vsa-isere", "--on", today, "--no-letter", ok=True)
    after = cli("overdue", "--today", today, "--json").json()
    assert not any("saisir la CADA" in i["message"] for i in after["action_needed"]
                   + after["upcoming"])
    shown = cli("campaign", "show", "vsa-isere", "--today", today)
    assert "ne la saisissez pas à nouveau" in shown.stderr
    assert "Attention" not in shown.stderr and "cada refer" not in shown.stdout


def test_a_single_member_is_not_grouped(cli, profile):
    """Fewer than five: no series, each request keeps its own row."""
    _campaign(cli, "petite", 3, "p")
    cli("received", "--campaign", "petite", "--on", "2026-09-09", ok=True)
    data = cli("overdue", "--today", "2026-10-20", "--json").json()
    assert len(data["action_needed"]) == 3
    assert all(i["series"] is None and i["members"] == [] for i in data["action_needed"])
