"""Bad input: a French message naming what is wrong, a non-zero status, no traceback."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta

import pytest


# The tests whose answer depends on what is stored run on SQLite and on PostgreSQL;
# those refused while the arguments are read, before any query, run once.
both = pytest.mark.usefixtures("backend")


def _no_traceback(result):
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout


@pytest.mark.parametrize("value", ["2026-02-30", "31/04/2026", "demain", "2026/03/15", "15-03-2026"])
def test_bad_dates_are_named(cli, draft_ref, value):
    result = cli("sent", draft_ref, "--on", value, "--via", "lrar")
    assert result.exit_code == 2
    assert value in result.stderr and "--on" in result.stderr
    _no_traceback(result)


@both
def test_event_in_the_future_is_refused(cli, draft_ref):
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    result = cli("sent", draft_ref, "--on", tomorrow, "--via", "lrar")
    assert result.exit_code == 2 and "futur" in result.stderr


@both
def test_unknown_reference_lists_the_closest(cli, draft_ref):
    year, number = draft_ref.split("-")
    typo = f"{year}-{int(number) + 10:04d}"
    result = cli("show", typo)
    assert result.exit_code == 3
    assert typo in result.stderr and draft_ref in result.stderr


@both
def test_received_before_sent_is_refused_with_reason(cli, draft_ref):
    early = cli("received", draft_ref, "--on", "2026-03-04")
    assert early.exit_code == 4 and "pas encore été envoyée" in early.stderr
    cli("sent", draft_ref, "--on", "2026-03-10", "--via", "lrar", ok=True)
    before = cli("received", draft_ref, "--on", "2026-03-04")
    assert before.exit_code == 4
    assert "04/03/2026" in before.stderr and "10/03/2026" in before.stderr


@both
def test_answer_positions_are_checked(cli, draft_ref):
    cli("sent", draft_ref, "--on", "2026-03-02", "--via", "lrar", ok=True)
    result = cli("answer", draft_ref, "--on", "2026-03-20", "--outcome", "partial", "--got", "7")
    assert result.exit_code == 2 and "n° 7" in result.stderr
    both = cli("answer", draft_ref, "--on", "2026-03-20", "--outcome", "partial",
               "--got", "1", "--refused", "1")
    assert both.exit_code == 2 and "à la fois" in both.stderr


@both
def test_bad_choices_list_the_allowed_values(cli, draft_ref, admin_id):
    via = cli("sent", draft_ref, "--on", "2026-03-02", "--via", "pigeon")
    assert via.exit_code == 2 and "pigeon" in via.stderr and "lrar" in via.stderr
    kind = cli("admin", "add", "X", "--kind", "mairie", "--postcode", "69001", "--city", "Lyon")
    assert kind.exit_code == 2 and "mairie" in kind.stderr and "commune" in kind.stderr
    postcode = cli("admin", "add", "X", "--kind", "commune", "--postcode", "6900", "--city", "L")
    assert postcode.exit_code == 2 and "6900" in postcode.stderr


def test_missing_required_value_names_the_flag_when_not_a_terminal(cli, admin_id):
    result = cli("new", "--to", admin_id, "--doc", "Liste")
    assert result.exit_code == 2 and "--subject" in result.stderr
    _no_traceback(result)


@both
def test_missing_attachment_is_named(cli, draft_ref, tmp_path):
    cli("sent", draft_ref, "--on", "2026-03-02", "--via", "lrar", ok=True)
    missing = tmp_path / "absent.pdf"
    result = cli("answer", draft_ref, "--on", "2026-03-20", "--outcome", "full",
                 "--attach", missing)
    assert result.exit_code == 2 and "absent.pdf" in result.stderr
    # nothing half-written: the answer was not recorded
    assert cli("show", draft_ref, "--json", ok=True).json()["status"] == "sent"


def test_unknown_option_is_french(cli):
    result = cli("list", "--colour")
    assert result.exit_code == 2 and "Option inconnue" in result.stderr


@both
def test_no_profile_yet(cli):
    cli("admin", "add", "Mairie", "--kind", "commune", "--postcode", "69001", "--city", "Lyon",
        ok=True)
    result = cli("new", "--to", "1", "--subject", "X", "--doc", "Y")
    assert result.exit_code == 3 and "cada init" in result.stderr


@both
def test_unknown_admin(cli, profile):
    result = cli("new", "--to", "42", "--subject", "X", "--doc", "Y")
    assert result.exit_code == 3 and "42" in result.stderr


def test_unexpected_error_hides_the_traceback_unless_debug(isolated_home, tmp_path):
    # A database URL that points at a directory cannot be opened.
    env = {"CADA_HOME": str(isolated_home), "PATH": "/usr/bin:/bin",
           "CADA_DATABASE_URL": f"sqlite:///{tmp_path}"}
    import os

    env = {**os.environ, **env}
    quiet = subprocess.run([sys.executable, "-m", "cada_tracker", "list"], env=env,
                           capture_output=True, text=True)
    assert quiet.returncode == 5 and "Traceback" not in quiet.stderr
    assert "n'est pas une base cada" in quiet.stderr and "(un dossier)" in quiet.stderr


def test_a_field_past_the_csv_limit_in_from_file_is_named(cli, draft_ref, tmp_path):
    long = tmp_path / "long.csv"
    long.write_text(f'reference;tracking\n{draft_ref};"{"A" * 200_000}"\n', encoding="utf-8")
    result = cli("sent", "--from-file", long, "--on", "2026-11-01", "--via", "lrar")
    assert result.exit_code == 2, result.stderr
    assert "long.csv, ligne 2" in result.stderr and "128 Kio" in result.stderr


def test_a_parent_that_is_a_file_is_said_in_french(cli, draft_ref, tmp_path):
    blocker = tmp_path / "un-fichier"
    blocker.write_text("x")
    result = cli("calendar", "--out", blocker / "cada.ics")
    assert result.exit_code in (2, 5) and "erreur système" not in result.stderr, result.stderr


def test_from_file_reads_up_to_a_limit_even_from_a_device(cli, draft_ref, monkeypatch):
    """/dev/zero has no size: the file was read whole, filling the memory."""
    from cada_tracker.services import step_file

    monkeypatch.setattr(step_file, "FROM_FILE_MAX", 1000)
    result = cli("sent", "--from-file", "/dev/zero", "--on", "2026-11-01", "--via", "lrar")
    assert result.exit_code == 2
    assert "--from-file : /dev/zero fait plus de" in result.stderr
