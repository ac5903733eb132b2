"""Acting on a whole campaign: cada sent/received/remind --campaign [--from-file],
cada new --dry-run / --yes, cada stats --campaign."""

from __future__ import annotations

import os
import sys

import pexpect
import pytest

SIZE = 20


def _admins(cli, count: int, tag: str = "vsa", start: int = 1) -> None:
    for i in range(start, start + count):
        cli("admin", "add", f"Mairie {i}", "--kind", "commune", "--postcode", f"38{i:03d}",
            "--city", f"Ville {i}", "--tag", tag, ok=True)


@pytest.fixture
def campaign20(cli, profile):
    _admins(cli, SIZE)
    created = cli("new", "--to-tag", "vsa", "--subject", "VSA", "--doc", "Contrats",
                  "--doc", "AIPD", "--campaign", "vsa-isere", "--json", ok=True).json()
    assert len(created) == SIZE
    return [r["reference"] for r in created]


def _events(cli, ref):
    return cli("show", ref, "--json", ok=True).json()["events"]


def test_one_command_records_a_20_request_campaign_sending(backend, cli, campaign20, tmp_path):
    csv_file = tmp_path / "recommandes.csv"
    csv_file.write_text("reference;tracking\n"
                        f"{campaign20[0]};1A 000 000 0001\n"
                        f"{campaign20[5]};1A0000000006\n", encoding="utf-8")
    result = cli("sent", "--campaign", "vsa-isere", "--on", "2026-09-07", "--via", "lrar",
                 "--from-file", csv_file, "--json", ok=True)
    data = result.json()
    assert len(data["events"]) == SIZE and data["skipped"] == []
    assert f"{SIZE} demande(s) de la campagne « vsa-isere »" in result.stderr
    by_ref = {e["reference"]: e for e in data["events"]}
    assert by_ref[campaign20[0]]["tracking"] == "1A0000000001"  # spaces of the slip removed
    assert by_ref[campaign20[5]]["tracking"] == "1A0000000006"
    assert by_ref[campaign20[1]]["tracking"] is None
    for ref in (campaign20[0], campaign20[19]):
        sent = [e for e in _events(cli, ref) if e["kind"] == "sent"]
        assert [(e["on"], e["channel"]) for e in sent] == [("2026-09-07", "lrar")]
    listed = cli("list", "--campaign", "vsa-isere", "--status", "sent", "--json", ok=True)
    assert len(listed.json()) == SIZE


def test_received_with_dates_per_request_then_skips_what_is_done(cli, campaign20, tmp_path):
    cli("sent", campaign20[0], "--on", "2026-09-01", "--via", "email", ok=True)
    cli("received", campaign20[0], "--on", "2026-09-01", ok=True)
    cli("sent", "--campaign", "vsa-isere", "--on", "2026-09-07", "--via", "lrar", ok=True)
    avis = tmp_path / "avis.csv"
    avis.write_text(f"reference,date\n{campaign20[1]},10/09/2026\n", encoding="utf-8")
    data = cli("received", "--campaign", "vsa-isere", "--on", "2026-09-09",
               "--from-file", avis, "--json", ok=True).json()
    on = {e["reference"]: e["on"] for e in data["events"]}
    assert len(on) == SIZE - 1
    assert on[campaign20[1]] == "2026-09-10" and on[campaign20[2]] == "2026-09-09"
    assert data["skipped"][0]["reference"] == campaign20[0]
    assert "01/09/2026" in data["skipped"][0]["reason"]
    # Nothing left to receive: refused, saying why.
    again = cli("received", "--campaign", "vsa-isere", "--on", "2026-09-11")
    assert again.exit_code == 4 and "réception déjà enregistrée" in again.stderr


def test_one_bad_request_records_nothing(backend, cli, campaign20, tmp_path):
    """A receipt before its sending on one request: the whole campaign is refused."""
    cli("sent", "--campaign", "vsa-isere", "--on", "2026-09-07", "--via", "lrar", ok=True)
    bad = tmp_path / "avis.csv"
    bad.write_text(f"{campaign20[3]},,2026-09-01\n", encoding="utf-8")
    result = cli("received", "--campaign", "vsa-isere", "--on", "2026-09-09",
                 "--from-file", bad)
    assert result.exit_code == 4
    assert campaign20[3] in result.stderr and "ligne 1" in result.stderr
    assert "Rien n'a été enregistré" in result.stderr
    for ref in campaign20:
        assert not any(e["kind"] == "received" for e in _events(cli, ref))


@pytest.mark.parametrize(("content", "expected"), [
    ("reference;tracking\n2026-0001;1A1\n2026-0001;1A2\n", "ligne 3 : la demande 2026-0001 "
                                                          "figure déjà ligne 2"),
    ("reference;suivi;couleur\n2026-0001;1A1;rouge\n", "ligne 1, colonne 3 : en-tête "
                                                      "« couleur » inconnu"),
    ("2026-0001;1A1;31/02/2026\n", "ligne 1, colonne 3 (date) : « 31/02/2026 » n'existe pas"),
    ("ref;tracking\n;1A1\n", "ligne 2, colonne 1 (référence) : référence de la demande "
                             "manquante"),
    ("2026-0001;1A1;2026-09-01;x\n", "ligne 1 : 4 colonnes, 3 au plus"),
    ("\n# rien\n", "ne contient aucune demande"),
    ("2026-9999;1A1\n", "ligne 1 : Aucune demande de référence « 2026-9999 »"),
])
def test_file_errors_name_file_line_and_column(cli, campaign20, tmp_path, content, expected):
    path = tmp_path / "poste.csv"
    path.write_text(content, encoding="utf-8")
    result = cli("sent", "--from-file", path, "--on", "2026-09-07", "--via", "lrar")
    assert result.exit_code in (2, 3), result.stderr
    assert f"--from-file : {path}" in result.stderr
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert not any(e["kind"] == "sent" for e in _events(cli, campaign20[0]))


def test_file_without_campaign_sends_only_its_requests(cli, campaign20, tmp_path):
    path = tmp_path / "poste.csv"
    path.write_text(f"{campaign20[2]}\t1A3\n{campaign20[4]}\t1A5\n", encoding="utf-8")
    data = cli("sent", "--from-file", path, "--on", "2026-09-07", "--via", "lrar", "--json",
               ok=True).json()
    assert [(e["reference"], e["tracking"]) for e in data["events"]] == [
        (campaign20[2], "1A3"), (campaign20[4], "1A5")]
    assert not any(e["kind"] == "sent" for e in _events(cli, campaign20[0]))


def test_usage_errors(cli, campaign20, tmp_path):
    both = cli("sent", campaign20[0], "--campaign", "vsa-isere", "--on", "2026-09-07",
               "--via", "lrar")
    assert both.exit_code == 2 and "pas les deux" in both.stderr
    tracking = cli("sent", "--campaign", "vsa-isere", "--on", "2026-09-07", "--via", "lrar",
                   "--tracking", "1A1")
    assert tracking.exit_code == 2 and "--from-file" in tracking.stderr
    unknown = cli("sent", "--campaign", "vsa-iser", "--on", "2026-09-07", "--via", "lrar")
    assert unknown.exit_code == 3 and "« vsa-isere »" in unknown.stderr
    none = cli("sent", "--on", "2026-09-07", "--via", "lrar")
    assert none.exit_code == 2 and "--campaign" in none.stderr
    receipt = tmp_path / "r.csv"
    receipt.write_text(f"{campaign20[0]};1A1\n", encoding="utf-8")
    cli("sent", "--campaign", "vsa-isere", "--on", "2026-09-07", "--via", "lrar", ok=True)
    wrong = cli("received", "--from-file", receipt, "--on", "2026-09-08")
    assert wrong.exit_code == 2 and "pas pour une réception" in wrong.stderr
    foreign = cli("admin", "add", "Mairie X", "--kind", "commune", "--postcode", "69001",
                  "--city", "Lyon", "--json", ok=True).json()["id"]
    other = cli("new", "--to", foreign, "--subject", "Autre", "--doc", "D", "--json",
                ok=True).json()["reference"]
    outsider = tmp_path / "o.csv"
    outsider.write_text(f"{other}\n", encoding="utf-8")
    result = cli("sent", "--campaign", "vsa-isere", "--from-file", outsider,
                 "--on", "2026-09-07", "--via", "lrar")
    assert result.exit_code == 2 and "n'est pas de la campagne" in result.stderr


def test_campaign_reminders_one_letter_each(cli, profile, tmp_path):
    _admins(cli, 5)
    refs = [r["reference"] for r in cli(
        "new", "--to-tag", "vsa", "--subject", "VSA", "--doc", "Contrats", "--doc", "AIPD",
        "--campaign", "c", "--json", ok=True).json()]
    cli("sent", "--campaign", "c", "--on", "2026-09-07", "--via", "lrar", ok=True)
    cli("received", "--campaign", "c", "--on", "2026-09-09", ok=True)
    cli("answer", refs[0], "--on", "2026-09-20", "--outcome", "full", ok=True)
    out = tmp_path / "relances"
    data = cli("remind", "--campaign", "c", "--on", "2026-10-20", "--via", "lrar",
               "--out", out, "--html", "--json", ok=True).json()
    assert [e["reference"] for e in data["events"]] == refs[1:]
    assert data["skipped"][0]["reference"] == refs[0]
    names = sorted(p.name for p in out.iterdir())
    assert names == [f"{r}-relance-2026-10-20.html" for r in refs[1:]]
    assert "Contrats" in (out / names[0]).read_text(encoding="utf-8")
    shown = cli("show", refs[1], "--json", ok=True).json()
    assert [f["name"] for f in shown["files"]] == [names[0]]
    preview = cli("remind", "--campaign", "c", "--preview")
    assert preview.exit_code == 2


def test_new_dry_run_lists_who_gets_what_and_writes_nothing(cli, profile):
    _admins(cli, 3)
    result = cli("new", "--to-tag", "vsa", "--subject", "VSA", "--doc", "Contrats",
                 "--template", "vsa", "--campaign", "c", "--dry-run", ok=True)
    assert "2026-0001" in result.stdout and "Mairie 3" in result.stdout
    assert "Simulation : 3 demande(s) « VSA »" in result.stderr and "modèle vsa" in result.stderr
    data = cli("new", "--to-tag", "vsa", "--subject", "VSA", "--doc", "Contrats",
               "--dry-run", "--json", ok=True).json()
    assert data["count"] == 3 and data["campaign"].endswith("VSA")
    assert [r["reference"] for r in data["requests"]] == ["2026-0001", "2026-0002",
                                                           "2026-0003"]
    assert cli("list", "--json", ok=True).json() == []
    bad = cli("new", "--to-tag", "vsa", "--subject", "VSA", "--doc", "C",
              "--template", "nexiste-pas", "--dry-run")
    assert bad.exit_code == 3


def test_new_above_20_needs_yes_in_a_script(cli, profile):
    _admins(cli, 21)
    refused = cli("new", "--to-tag", "vsa", "--subject", "VSA", "--doc", "C")
    assert refused.exit_code == 2 and "21 destinataires" in refused.stderr
    assert "--yes" in refused.stderr
    assert cli("list", "--json", ok=True).json() == []
    created = cli("new", "--to-tag", "vsa", "--subject", "VSA", "--doc", "C", "--yes",
                  "--json", ok=True).json()
    assert len(created) == 21


def test_new_above_20_asks_on_a_terminal(cli, isolated_home):
    # The setup runs in-process; the command that asks runs on a real terminal.
    env = {**os.environ, "CADA_HOME": str(isolated_home), "TERM": "dumb"}
    cli("init", "--name", "X", "--address", r"1 rue X\n69001 Lyon", "--email", "x@y.fr",
        "--city", "Lyon", ok=True)
    for i in range(21):
        cli("admin", "add", f"Mairie {i}", "--kind", "commune", "--postcode", f"38{i:03d}",
            "--city", "V", "--tag", "t", ok=True)
    args = ["-m", "cada_tracker", "new", "--to-tag", "t", "--subject", "S", "--doc", "D",
            "--mode", "email"]
    for answer, status, said in (("n", 2, "Rien n'a été rédigé"),
                                 ("o", 0, "21 demandes rédigées")):
        child = pexpect.spawn(sys.executable, args, env=env, encoding="utf-8", timeout=30)
        child.expect("Rédiger 21 demandes")
        child.sendline(answer)
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == status and said in child.before


def test_stats_of_one_campaign(cli, campaign20):
    _admins(cli, 2, tag="autre", start=50)
    cli("new", "--to-tag", "autre", "--subject", "Autre", "--doc", "D", "--campaign", "x",
        ok=True)
    cli("sent", "--campaign", "vsa-isere", "--on", "2026-09-07", "--via", "lrar", ok=True)
    cli("received", "--campaign", "vsa-isere", "--on", "2026-09-09", ok=True)
    cli("answer", campaign20[0], "--on", "2026-09-20", "--outcome", "full", ok=True)
    data = cli("stats", "--campaign", "vsa-isere", "--today", "2026-09-25", "--json",
               ok=True).json()
    assert data["campaign"] == "vsa-isere"
    assert data["overall"]["requests"] == SIZE and data["overall"]["answered"] == 1
    whole = cli("stats", "--today", "2026-09-25", "--json", ok=True).json()
    assert whole["overall"]["requests"] == SIZE + 2
    text = cli("stats", "--campaign", "vsa-isere", "--today", "2026-09-25", ok=True).stdout
    assert text.startswith("Campagne « vsa-isere » : 20 demande(s)")
    assert cli("stats", "--campaign", "nope").exit_code == 3
