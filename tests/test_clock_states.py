"""The weekly check's states (safe / past_safe / expired) and one story told alike by
cada deadlines, cada show, cada overdue and cada calendar (RULES.md §12bis)."""

from __future__ import annotations

import pytest


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
