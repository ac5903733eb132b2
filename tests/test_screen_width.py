"""Screens that fit: at 80 columns references and campaign names are never cut; with
NO_COLOR, or when not on a terminal, the output has no escape codes."""

from __future__ import annotations

import os
import sys

import pexpect
import pytest

CAMPAIGN = "vsa-isere-nord-2026-technopolice"


@pytest.fixture
def busy(cli, profile):
    names = ["Communauté d'agglomération Porte de l'Isère (CAPI)",
             "Mairie de Saint-Quentin-Fallavier", "Mairie de Villefontaine",
             "Syndicat mixte des transports pour l'aire grenobloise", "Mairie de Vienne"]
    for i, name in enumerate(names):
        cli("admin", "add", name, "--kind", "commune", "--postcode", f"38{i:03d}",
            "--city", "Ville", "--tag", "n", ok=True)
    refs = [r["reference"] for r in cli(
        "new", "--to-tag", "n", "--subject", "Vidéosurveillance algorithmique et safe city",
        "--doc", "Contrats", "--campaign", CAMPAIGN, "--json", ok=True).json()]
    cli("sent", "--campaign", CAMPAIGN, "--on", "2026-09-07", "--via", "lrar", ok=True)
    cli("received", "--campaign", CAMPAIGN, "--on", "2026-09-09", ok=True)
    cli("answer", refs[0], "--on", "2026-09-20", "--outcome", "refusal", ok=True)
    return refs


SCREENS = [("list",), ("overdue", "--today", "2026-10-20", "--within", "90"),
           ("campaign", "list", "--today", "2026-10-20"),
           ("campaign", "show", CAMPAIGN, "--today", "2026-10-20")]


@pytest.mark.parametrize("screen", SCREENS, ids=lambda s: " ".join(s[:2]))
def test_80_columns_keep_references_and_campaign_names_whole(cli, busy, monkeypatch, screen):
    monkeypatch.setenv("COLUMNS", "80")
    out = cli(*screen).stdout
    lines = out.splitlines()
    table = [line for line in lines if line[:1] in "┏┃┡│└"]
    assert table and all(len(line) <= 80 for line in table), out  # the table fits
    first_column = [line.split("│")[1].strip() for line in lines if line.startswith("│")]
    if screen[0] == "campaign" and screen[1] == "list":
        assert f"{CAMPAIGN} (série)" in first_column, out
        return
    wanted = busy if screen[0] != "overdue" else [f"série {CAMPAIGN}"]
    for ref in wanted:
        assert ref in first_column, out  # on one line, not cut nor wrapped
    assert "\x1b" not in out


def test_no_color_on_a_terminal_is_plain(isolated_home):
    env = {**os.environ, "CADA_HOME": str(isolated_home), "TERM": "xterm-256color",
           "COLUMNS": "80"}
    env.pop("NO_COLOR", None)
    args = ["-m", "cada_tracker", "admin", "add", "Mairie de Vienne", "--kind", "commune",
            "--postcode", "38200", "--city", "Vienne"]
    child = pexpect.spawn(sys.executable, args, env=env, encoding="utf-8", timeout=30)
    child.expect(pexpect.EOF)
    assert "\x1b[" in child.before  # coloured on a terminal…
    child = pexpect.spawn(sys.executable, ["-m", "cada_tracker", "admin", "list"],
                          env={**env, "NO_COLOR": "1"}, encoding="utf-8", timeout=30,
                          dimensions=(40, 80))
    child.expect(pexpect.EOF)
    assert "Mairie de Vienne" in child.before
    assert "\x1b[" not in child.before  # …plain with NO_COLOR


@pytest.mark.parametrize("columns", ["0", "1", "5"])
def test_an_absurd_width_still_shows_the_tables(cli, busy, monkeypatch, columns):
    """COLUMNS=0 used to make every table vanish (exit 0), 1 to 5 print borders only."""
    monkeypatch.setenv("COLUMNS", columns)
    out = cli("list").stdout
    lines = [line for line in out.splitlines() if line.startswith("│")]
    assert lines and all(len(line) <= 80 for line in out.splitlines()), out
    assert all(ref in out for ref in busy)
