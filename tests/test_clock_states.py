"""The weekly check's states (safe / past_safe / expired) and one story told alike by
cada deadlines, cada show, cada overdue and cada calendar (RULES.md §12bis)."""

from __future__ import annotations

import pytest
from icalendar import Calendar


def _steps(data):
    return {s["key"]: s for s in data["steps"]}


@pytest.mark.usefixtures("backend")
def test_a_recorded_story_agrees_with_the_calculator(cli, draft_ref):
    # Sent 2 Jan, received 5 Jan (IR 5 Feb), express refusal 20 Feb with mentions,
    # referral 10 Mar, registered 12 Mar (C 12 May), unfavourable opinion 2 Apr.
    for args in (["sent", draft_ref, "--on", "2026-01-02", "--via", "lrar"],
                 ["received", draft_ref, "--on", "2026-01-05"],
                 ["ack", draft_ref, "--on", "2026-01-06"],
                 ["answer", draft_ref, "--on", "2026-02-20", "--outcome", "refusal",
                  "--mentions"],
                 ["refer", draft_ref, "--on", "2026-03-10"],
                 ["refer", draft_ref, "--registered", "2026-03-12"],
                 ["opinion", draft_ref, "--on", "2026-04-02", "--verdict", "unfavorable"]):
        cli(*args, ok=True)
    shown = cli("show", draft_ref, "--json", ok=True).json()["deadlines"]
    calc = cli("deadlines", "--sent", "2026-01-02", "--via", "lrar", "--received", "2026-01-05",
               "--refusal", "2026-02-20", "--cada-sent", "2026-03-10", "--cada-registered",
               "2026-03-12", "--mentions", "--json", ok=True).json()
    assert shown["steps"] == calc["steps"] and shown["opposable"] is calc["opposable"] is True
    steps = _steps(calc)
    assert steps["cada_earliest"]["date"] == "2026-02-06"  # not the day after the letter
    confirmed = steps["confirmed_refusal"]
    assert confirmed["date"] == confirmed["safe_date"] == "2026-05-12"
    court = steps["court_deadline"]
    assert (court["safe_date"], court["date"]) == ("2026-07-10", "2026-07-13")
    assert shown["next_action"] == {"kind": "cada", "from": None, "due": "2026-07-10",
                                    "legal_due": "2026-07-13"}
    # The opinion is in: nothing is "late" before the confirmed refusal.
    assert cli("overdue", "--today", "2026-04-20", "--json").json()["action_needed"] == []
    court_item = cli("overdue", "--today", "2026-07-11", "--json").json()["action_needed"][0]
    assert (court_item["category"], court_item["state"]) == ("court", "past_safe")
    assert (court_item["date"], court_item["legal_date"]) == ("2026-07-13", "2026-07-13")
    assert "dernier jour légal le 13/07/2026 (encore possible)" in court_item["message"]
    text = cli("overdue", "--today", "2026-07-11").stdout
    assert "date prudente dépassée" in text and "13/07/2026" in text
    gone = cli("overdue", "--today", "2026-07-14", "--json").json()["action_needed"][0]
    assert (gone["category"], gone["state"]) == ("court_expired", "expired")


def test_overdue_json_and_csv_carry_the_state_and_the_legal_date(cli, draft_ref):
    cli("sent", draft_ref, "--on", "2026-03-12", "--via", "email", ok=True)
    cli("received", draft_ref, "--on", "2026-03-15", ok=True)  # S2: safe 14 Jun, legal 15 Jun
    on_time = cli("overdue", "--today", "2026-06-10", "--json").json()["action_needed"][0]
    assert (on_time["state"], on_time["date"], on_time["legal_date"]) == (
        "safe", "2026-06-14", "2026-06-15")
    past = cli("overdue", "--today", "2026-06-15", "--json")
    assert past.exit_code == 1
    item = past.json()["action_needed"][0]
    assert (item["category"], item["state"], item["days"]) == ("refer", "past_safe", 0)
    assert "expiré" not in item["message"]
    csv = cli("overdue", "--today", "2026-06-15", "--csv").stdout.splitlines()
    assert csv[0].split(",")[:7] == ["now", "reference", "administration", "subject",
                                     "category", "state", "date"]
    assert ",past_safe,2026-06-15,2026-06-15," in csv[1]
    gone = cli("overdue", "--today", "2026-06-16", "--json").json()["action_needed"][0]
    assert (gone["category"], gone["state"]) == ("cada_expired", "expired")
    # No acknowledgement recorded: the delays are not opposable, the bound is said.
    assert "inopposables" in gone["message"]


def test_calendar_keeps_the_legal_last_day_after_the_safe_date(cli, draft_ref, tmp_path):
    cli("sent", draft_ref, "--on", "2026-03-12", "--via", "email", ok=True)
    cli("received", draft_ref, "--on", "2026-03-15", ok=True)
    out = tmp_path / "cada.ics"
    cli("calendar", "--out", out, "--today", "2026-06-15", ok=True)
    events = list(Calendar.from_ical(out.read_bytes()).walk("VEVENT"))
    assert len(events) == 1
    legal = events[0]
    assert str(legal.decoded("dtstart")) == "2026-06-15"
    assert "dernier jour légal" in str(legal.get("summary"))
    assert "date prudente dépassée" in str(legal.get("summary"))
    assert "past_safe" in legal.get("categories").to_ical().decode()
    before = tmp_path / "before.ics"
    cli("calendar", "--out", before, "--today", "2026-06-01", ok=True)
    by_date = {str(e.decoded("dtstart")): e for e in
               Calendar.from_ical(before.read_bytes()).walk("VEVENT")}
    assert "safe" in by_date["2026-06-15"].get("categories").to_ical().decode()
    assert "2026-06-14" in by_date  # the safe date itself
    after = tmp_path / "after.ics"
    cli("calendar", "--out", after, "--today", "2026-06-16", ok=True)
    assert list(Calendar.from_ical(after.read_bytes()).walk("VEVENT")) == []


@pytest.mark.parametrize("args, what", [
    (["--sent", "2026-03-10", "--received", "2026-03-05"], "avant l'envoi"),
    (["--received", "2026-03-05", "--refusal", "2026-03-01"], "avant la réception"),
    (["--received", "2026-01-05", "--cada-sent", "2026-03-10", "--cada-registered",
      "2026-03-01"], "avant l'envoi de la saisine"),
])
def test_deadlines_refuses_dates_that_contradict_each_other(cli, args, what):
    result = cli("deadlines", *args)
    assert result.exit_code == 2
    assert "Dates incohérentes" in result.stderr and what in result.stderr
    assert "Traceback" not in result.stderr


def test_deadlines_and_the_recording_path_assume_the_same_acknowledgement(cli, draft_ref):
    cli("sent", draft_ref, "--on", "2026-03-12", "--via", "email", ok=True)
    cli("received", draft_ref, "--on", "2026-03-15", ok=True)
    shown = cli("show", draft_ref, "--json", ok=True).json()["deadlines"]
    calc = cli("deadlines", "--sent", "2026-03-12", "--via", "email", "--received",
               "2026-03-15", "--json", ok=True).json()
    assert shown["steps"] == calc["steps"] and shown["warnings"] == calc["warnings"]
    assert calc["opposable"] is False
    assert any("hypothèse retenue" in w for w in calc["warnings"])


def test_recording_refuses_an_answer_before_the_receipt(cli, draft_ref):
    cli("sent", draft_ref, "--on", "2026-03-02", "--via", "lrar", ok=True)
    cli("received", draft_ref, "--on", "2026-03-05", ok=True)
    bad = cli("answer", draft_ref, "--on", "2026-03-04", "--outcome", "refusal")
    assert bad.exit_code == 4 and "antérieure à la réception" in bad.stderr


def test_an_extension_in_the_general_regime_keeps_the_status(cli, draft_ref):
    cli("sent", draft_ref, "--on", "2026-03-02", "--via", "lrar", ok=True)
    cli("received", draft_ref, "--on", "2026-03-05", ok=True)
    cli("answer", draft_ref, "--on", "2026-03-20", "--outcome", "extension", ok=True)
    shown = cli("show", draft_ref, "--json", ok=True).json()
    assert shown["status"] == "received"
    assert any("sans effet" in w for w in shown["deadlines"]["warnings"])


def test_deadlines_accepts_every_territory_of_the_directory(cli):
    for zone in ("975", "977", "978", "984", "986", "987", "988"):
        data = cli("deadlines", "--received", "2026-01-05", "--cada-registered", "2026-03-01",
                   "--zone", zone, "--json", ok=True).json()
        assert all(s["indicative"] for s in data["steps"]) == (zone in ("984", "986", "987",
                                                                        "988"))
