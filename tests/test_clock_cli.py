"""cada deadlines, cada overdue, cada calendar and the deadlines of cada show."""

from __future__ import annotations

import subprocess
import sys

import pytest
from icalendar import Calendar


# The tests that read or write a database run on SQLite and on PostgreSQL; the
# calculator and the import checks of commands that open none run once.
both = pytest.mark.usefixtures("backend")


def _steps(data):
    return {s["key"]: s for s in data["steps"]}


def test_deadlines_calculator_json_contract(cli):
    # Rule book §11.1 S1: received 1 Jan 2026 → IR 1 Feb; CADA L 1 Apr, S 31 Mar.
    data = cli("deadlines", "--received", "2026-01-01", "--json", ok=True).json()
    assert set(data) >= {"steps", "warnings"}
    steps = _steps(data)
    assert steps["implicit_refusal"]["date"] == "2026-02-01"
    assert steps["cada_deadline"]["date"] == "2026-04-01"
    assert steps["cada_deadline"]["safe_date"] == "2026-03-31"
    for step in data["steps"]:
        assert {"key", "date", "safe_date", "basis", "explanation"} <= set(step)
        assert step["basis"] and step["explanation"]


def test_deadlines_court_in_alsace(cli):
    # S12: Rg 20 Nov 2025 → C 20 Jan 2026 → TA L Mon 23 Mar 2026, S Fri 20 Mar 2026.
    data = cli("deadlines", "--received", "2025-09-01", "--cada-registered", "2025-11-20",
               "--zone", "67", "--json", ok=True).json()
    steps = _steps(data)
    assert steps["confirmed_refusal"]["date"] == "2026-01-20"
    assert steps["court_deadline"]["date"] == "2026-03-23"
    assert steps["court_deadline"]["safe_date"] == "2026-03-20"


def test_deadlines_text_output_and_errors(cli):
    text = cli("deadlines", "--received", "31/01/2026", "--today", "2026-02-01", ok=True).stdout
    assert "28/02/2026" in text and "R311-13" in text
    bad_zone = cli("deadlines", "--received", "2026-01-01", "--zone", "999")
    assert bad_zone.exit_code == 2 and "999" in bad_zone.stderr
    nothing = cli("deadlines")
    assert nothing.exit_code == 2 and "--received" in nothing.stderr


@pytest.mark.parametrize("args", [["--help"], ["new", "--help"],
                                  ["deadlines", "--received", "2026-01-01", "--json"]])
def test_light_commands_import_no_database_nor_pdf(args):
    code = ("import sys; from cada_tracker.cli.main import run; "
            f"run({args!r}); "
            "bad = [m for m in ('sqlalchemy', 'sqlmodel', 'alembic', 'jinja2', 'weasyprint') "
            "if m in sys.modules]; print('LOADED', bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert "LOADED []" in out


def _received_request(cli, draft_ref, received="2026-01-01"):
    cli("sent", draft_ref, "--on", "2025-12-29", "--via", "lrar", ok=True)
    cli("received", draft_ref, "--on", received, ok=True)


@both
def test_show_lists_the_deadlines_with_their_articles(cli, draft_ref):
    _received_request(cli, draft_ref)
    data = cli("show", draft_ref, "--json", ok=True).json()
    steps = _steps(data["deadlines"])
    assert steps["implicit_refusal"]["date"] == "2026-02-01"
    assert data["deadlines"]["next_action"]["kind"] == "refer"
    text = cli("show", draft_ref, ok=True).stdout
    assert "R311-13" in text and "01/02/2026" in text


@both
def test_overdue_exit_status_and_json(cli, draft_ref):
    _received_request(cli, draft_ref)
    quiet = cli("overdue", "--today", "2026-01-05", "--json")
    assert quiet.exit_code == 0
    assert quiet.json()["action_needed"] == [] and quiet.json()["upcoming"] == []
    soon = cli("overdue", "--today", "2026-01-25", "--json")
    assert soon.exit_code == 0 and soon.json()["upcoming"][0]["reference"] == draft_ref
    due = cli("overdue", "--today", "2026-03-21", "--json")
    assert due.exit_code == 1
    item = due.json()["action_needed"][0]
    assert item["reference"] == draft_ref and item["category"] == "refer"
    assert item["date"] == "2026-03-31" and item["days"] == 10
    late = cli("overdue", "--today", "2026-04-02", "--json").json()
    assert late["action_needed"][0]["category"] == "cada_expired"
    text = cli("overdue", "--today", "2026-03-21")
    assert text.exit_code == 1 and draft_ref in text.stdout and "maintenant" in text.stderr
    csv_lines = cli("overdue", "--today", "2026-03-21", "--csv").stdout.splitlines()
    assert csv_lines[0].startswith("now,reference") and len(csv_lines) == 2


@both
def test_overdue_after_the_cada_referral(cli, draft_ref):
    _received_request(cli, draft_ref)
    cli("refer", draft_ref, "--on", "2026-02-10", ok=True)
    cli("refer", draft_ref, "--registered", "2026-02-12", ok=True)
    # Opinion due 12 Mar; confirmation 12 Apr; the safe court date counts from the
    # sending of the referral (10 Feb, earliest plausible registration, §4.3): 10 Jun.
    late_opinion = cli("overdue", "--today", "2026-03-20", "--json").json()
    assert late_opinion["action_needed"][0]["category"] == "opinion_late"
    court = cli("overdue", "--today", "2026-04-20", "--json").json()["action_needed"][0]
    assert court["category"] == "court" and court["date"] == "2026-06-10"
    cli("close", draft_ref, "--reason", "abandoned", "--on", "2026-04-20", ok=True)
    assert cli("overdue", "--today", "2026-04-20").exit_code == 0


@both
def test_full_answer_stops_the_clock(cli, draft_ref):
    _received_request(cli, draft_ref)
    cli("answer", draft_ref, "--on", "2026-01-20", "--outcome", "full", ok=True)
    assert cli("overdue", "--today", "2026-03-21", "--json").json()["action_needed"] == []


@both
def test_calendar_file_parses_back(cli, draft_ref, tmp_path):
    _received_request(cli, draft_ref)
    out = tmp_path / "cada.ics"
    cli("calendar", "--out", out, "--today", "2026-01-05", ok=True)
    cal = Calendar.from_ical(out.read_bytes())
    events = [c for c in cal.walk("VEVENT")]
    by_date = {str(e.decoded("dtstart")): str(e.get("summary")) for e in events}
    assert "2026-03-31" in by_date and draft_ref in by_date["2026-03-31"]
    assert "2026-02-01" in by_date
    assert all(e.walk("VALARM") for e in events)


def _loaded_after(args: list[str], modules: tuple[str, ...]) -> list[str]:
    code = ("import sys; from cada_tracker.cli.main import run; "
            f"run({args!r}); "
            f"print('LOADED', [m for m in {modules!r} if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    return eval(out.split("LOADED", 1)[1])  # a list literal printed just above


@pytest.mark.parametrize("args", [["templates", "list"], ["templates", "show", "relance"],
                                  ["export", "--help"], ["remind", "--help"],
                                  ["doctor", "--help"]])
def test_letter_commands_without_database_or_pdf_import_neither(args):
    assert _loaded_after(args, ("sqlalchemy", "sqlmodel", "alembic", "weasyprint")) == []


@both
def test_overdue_needs_no_orm_templates_nor_pdf(cli, draft_ref):
    loaded = _loaded_after(["overdue"], ("cada_tracker.models", "sqlmodel", "sqlalchemy.orm",
                                         "jinja2", "weasyprint", "alembic", "rich.table"))
    assert loaded == []  # nothing is due: no table either
