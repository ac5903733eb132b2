"""Escalation steps are recorded as events, in the order the procedure imposes."""

from __future__ import annotations

import pytest


# Every test here runs on SQLite and on PostgreSQL.
pytestmark = pytest.mark.usefixtures("backend")


def test_court_requires_the_cada_step_first(cli, draft_ref):
    cli("sent", draft_ref, "--on", "2026-01-05", "--via", "lrar", ok=True)
    refused = cli("court", draft_ref, "--on", "2026-05-01")
    assert refused.exit_code == 4 and "L342-1" in refused.stderr


def test_referral_registration_opinion(cli, draft_ref):
    early = cli("refer", draft_ref, "--on", "2026-02-10")
    assert early.exit_code == 4 and "pas encore été envoyée" in early.stderr
    cli("sent", draft_ref, "--on", "2026-01-05", "--via", "lrar", ok=True)
    cli("received", draft_ref, "--on", "2026-01-07", ok=True)
    cli("remind", draft_ref, "--on", "2026-02-01", "--via", "email", ok=True)
    cli("refer", draft_ref, "--on", "2026-02-10", "--via", "email", ok=True)
    reg = cli("refer", draft_ref, "--registered", "2026-02-12", "--cada-ref", "20260123",
              "--json", ok=True).json()
    assert reg["kind"] == "registered" and reg["tracking"] == "20260123"
    assert reg["status"] == "referred"
    twice = cli("refer", draft_ref, "--registered", "2026-02-13")
    assert twice.exit_code == 4 and "déjà" in twice.stderr
    bad = cli("opinion", draft_ref, "--on", "2026-04-01", "--verdict", "bof")
    assert bad.exit_code == 2 and "favorable" in bad.stderr
    cli("opinion", draft_ref, "--on", "2026-04-01", "--verdict", "favorable", ok=True)
    cli("court", draft_ref, "--on", "2026-05-01", ok=True)
    shown = cli("show", draft_ref, "--json", ok=True).json()
    assert shown["status"] == "court"
    assert [e["kind"] for e in shown["events"]] == [
        "sent", "received", "remind", "referred", "registered", "opinion", "court"]


def test_registration_before_referral_is_refused(cli, draft_ref):
    cli("sent", draft_ref, "--on", "2026-01-05", "--via", "lrar", ok=True)
    result = cli("refer", draft_ref, "--registered", "2026-02-12")
    assert result.exit_code == 4 and "cada refer" in result.stderr
    lonely = cli("refer", draft_ref, "--cada-ref", "123")
    assert lonely.exit_code == 2 and "--registered" in lonely.stderr


def test_no_arguments_prints_help(cli):
    result = cli()
    assert result.exit_code == 0 and "Usage :" in result.stdout
