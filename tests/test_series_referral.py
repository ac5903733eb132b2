"""cada refer --campaign: one CADA referral for a series, every administration informed."""

from __future__ import annotations

import html as htmllib
import re
from pathlib import Path

import pytest

from tests.conftest import fill_disk_in

TOWNS = ["Vénissieux", "Villeurbanne", "Bron", "Caluire-et-Cuire", "Saint-Priest", "Écully"]


def text(path: Path) -> str:
    raw = re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8"))
    return " ".join(htmllib.unescape(raw).split())


@pytest.fixture
def series(cli, profile):
    """Six communes, same request; sent and received in January, the last one in March."""
    for i, name in enumerate(TOWNS, start=1):
        cli("admin", "add", f"Mairie de {name}", "--kind", "commune", "--postcode",
            f"69{i:03d}", "--city", name, "--tag", "metropole-lyon", ok=True)
    made = [r["reference"] for r in cli(
        "new", "--to-tag", "metropole-lyon", "--subject", "Vidéosurveillance algorithmique",
        "--doc", "Contrat", "--doc", "AIPD", "--campaign", "vsa-lyon", "--json", ok=True).json()]
    town_of = {cli("show", ref, "--json", ok=True).json()["administration"]["name"]: ref
               for ref in made}
    refs = [town_of[f"Mairie de {name}"] for name in TOWNS]  # in TOWNS order
    for ref in refs[:5]:
        cli("sent", ref, "--on", "2026-01-05", "--via", "lrar", ok=True)
        cli("received", ref, "--on", "2026-01-07", ok=True)
    cli("sent", refs[5], "--on", "2026-03-01", "--via", "lrar", ok=True)
    cli("received", refs[5], "--on", "2026-03-03", ok=True)
    # Bron refuses in writing; the others stay silent (implicit refusal on 7 February).
    cli("answer", refs[2], "--on", "2026-01-25", "--outcome", "partial", "--got", "1",
        "--refused", "2", ok=True)
    return refs


def events(cli, ref):
    return cli("show", ref, "--json", ok=True).json()["events"]


@pytest.mark.usefixtures("backend")
def test_grouped_referral_refers_refused_requests_and_informs_all(cli, series, tmp_path):
    out = tmp_path / "serie"
    data = cli("refer", "--campaign", "vsa-lyon", "--on", "2026-03-10", "--via", "lrar",
               "--html", "--out", out, "--json", ok=True).json()
    assert data["series"] == sorted(series)
    assert data["refusal"] == series[2]  # the express refusal comes first
    assert data["referred"] == sorted(series[:5]) and data["informed_only"] == [series[5]]
    grouped = text(out / "vsa-lyon-saisine-cada-serie.html")
    assert "TSA 50730" in grouped and "série de 6 demandes" in grouped
    assert "refus opposé par la commune de Bron" in grouped
    assert "décision du 25 janvier 2026" in grouped
    for ref, town in zip(series, TOWNS, strict=True):
        assert ref in grouped and f"Mairie de {town}" in grouped
        notice = text(out / f"{ref}-information-serie.html")
        assert f"Mairie de {town}" in notice.split("class=\"objet\"")[0]  # its own address block
        assert "10 mars 2026" in notice and "L. 342-1" in notice
    assert "n° 2" in grouped  # Bron's missing document, by its number in the request
    for ref in series[:5]:
        shown = cli("show", ref, "--json", ok=True).json()
        assert shown["status"] == "referred"
        referred = [e for e in shown["events"] if e["kind"] == "referred"]
        assert len(referred) == 1 and referred[0]["channel"] == "lrar"
        names = sorted(f["name"] for f in shown["files"] if f["event"] == referred[0]["id"])
        assert names == [f"{ref}-information-serie.html", "vsa-lyon-saisine-cada-serie.html"]
    last = cli("show", series[5], "--json", ok=True).json()
    assert last["status"] != "referred"
    note = [e for e in last["events"] if e["kind"] == "note"]
    assert len(note) == 1 and "saisine groupée" in note[0]["text"]
    again = cli("refer", "--campaign", "vsa-lyon", "--on", "2026-03-20")
    assert again.exit_code == 4 and "déjà été saisie" in again.stderr


def test_registration_is_recorded_for_the_whole_series(cli, series):
    cli("refer", "--campaign", "vsa-lyon", "--on", "2026-03-10", "--no-letter", ok=True)
    data = cli("refer", "--campaign", "vsa-lyon", "--registered", "2026-03-12",
               "--cada-ref", "20261234", "--json", ok=True).json()
    assert data["kind"] == "registered" and data["requests"] == sorted(series[:5])
    shown = cli("show", series[0], "--json", ok=True).json()
    reg = [e for e in shown["events"] if e["kind"] == "registered"]
    assert reg[0]["tracking"] == "20261234" and reg[0]["on"] == "2026-03-12"
    steps = {s["key"]: s for s in shown["deadlines"]["steps"]}
    assert steps["confirmed_refusal"]["date"] == "2026-05-12"
    twice = cli("refer", "--campaign", "vsa-lyon", "--registered", "2026-03-13")
    assert twice.exit_code == 4 and "n'attend" in twice.stderr
    avis = cli("opinion", "--campaign", "vsa-lyon", "--on", "2026-04-20", "--verdict",
               "favorable", "--json", ok=True).json()
    assert avis["requests"] == sorted(series[:5]) and avis["verdict"] == "favorable"
    shown = cli("show", series[0], "--json", ok=True).json()
    assert shown["status"] == "opinion"
    assert [e["outcome"] for e in shown["events"] if e["kind"] == "opinion"] == ["favorable"]
    assert cli("show", series[5], "--json", ok=True).json()["status"] != "opinion"
    bad = cli("opinion", "--campaign", "vsa-lyon", "--on", "2026-04-20", "--verdict", "bof")
    assert bad.exit_code == 2 and "favorable" in bad.stderr
    both = cli("opinion", series[0], "--campaign", "vsa-lyon", "--on", "2026-04-20",
               "--verdict", "favorable")
    assert both.exit_code == 2 and "toute la série" in both.stderr


def test_preview_records_nothing(cli, series, tmp_path):
    before = [events(cli, ref) for ref in series]
    cli("refer", "--campaign", "vsa-lyon", "--on", "2026-03-10", "--preview", "--out",
        tmp_path, ok=True)
    assert [events(cli, ref) for ref in series] == before
    assert len(list(tmp_path.glob("*.pdf"))) == 7


def test_chosen_refusal(cli, series):
    silent = cli("refer", series[0], "--campaign", "vsa-lyon", "--on", "2026-03-10", "--html",
                 "--json", ok=True).json()
    assert silent["refusal"] == series[0]


def test_chosen_request_must_be_refused(cli, series):
    result = cli("refer", series[5], "--campaign", "vsa-lyon", "--on", "2026-03-10")
    assert result.exit_code == 4 and series[5] in result.stderr
    outsider = cli("refer", "2026-0999", "--campaign", "vsa-lyon", "--on", "2026-03-10")
    assert outsider.exit_code == 4 and "ne fait pas partie" in outsider.stderr


def test_too_early_for_any_referral(cli, series):
    result = cli("refer", "--campaign", "vsa-lyon", "--on", "2026-01-20")
    assert result.exit_code == 4 and "première date possible" in result.stderr


def test_fewer_than_five_is_not_a_series(cli, profile):
    for i in range(4):
        cli("admin", "add", f"Mairie {i}", "--kind", "commune", "--postcode", f"6900{i}",
            "--city", "Lyon", "--tag", "petit", ok=True)
    made = cli("new", "--to-tag", "petit", "--subject", "Drones", "--doc", "Journal",
               "--campaign", "drones", "--json", ok=True).json()
    for r in made:
        cli("sent", r["reference"], "--on", "2026-01-05", "--via", "lrar", ok=True)
    result = cli("refer", "--campaign", "drones", "--on", "2026-03-10")
    assert result.exit_code == 4 and "pas une série" in result.stderr
    assert "cada refer REF" in result.stderr
    unknown = cli("refer", "--campaign", "dorne", "--on", "2026-03-10")
    assert unknown.exit_code == 3 and "drones" in unknown.stderr


def test_campaign_option_conflicts(cli, series):
    for args, words in [
        (("--registered", "2026-03-12", "--on", "2026-03-10"), "--registered"),
        ((series[0], "--registered", "2026-03-12"), "toute la série"),
        (("--cada-ref", "12"), "--registered"),
        (("--template", "relance"), "--template"),
        (("--no-letter", "--preview"), "--preview"),
    ]:
        result = cli("refer", "--campaign", "vsa-lyon", *args)
        assert result.exit_code == 2 and words in result.stderr, args


def test_a_failure_midway_records_and_leaves_nothing(cli, series, isolated_home, monkeypatch):
    from cada_tracker.services import series as series_module

    real = series_module.record_event
    calls = []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        return real(*args, **kwargs)

    monkeypatch.setattr(series_module, "record_event", failing)
    before = [events(cli, ref) for ref in series]
    result = cli("refer", "--campaign", "vsa-lyon", "--on", "2026-03-10", "--html")
    assert result.exit_code != 0 and "Traceback" not in result.stderr
    assert len(calls) == 3
    assert [events(cli, ref) for ref in series] == before
    stored = isolated_home / "fichiers"
    assert not [p for p in stored.rglob("*") if p.is_file()] if stored.exists() else True
    assert not list(Path.cwd().iterdir())  # no copy written either


def test_a_member_of_a_series_is_not_referred_alone(cli, series):
    alone = cli("refer", series[2], "--on", "2026-03-10", "--no-letter")
    assert alone.exit_code == 4 and "--campaign vsa-lyon" in alone.stderr
    assert "L342-1 al. 2" in alone.stderr
    assert cli("refer", series[2], "--on", "2026-03-10", "--preview", "--html").exit_code == 4
    assert cli("refer", series[2], "--on", "2026-03-10", "--preview", "--html",
               "--force").exit_code == 0
    assert cli("refer", series[2], "--on", "2026-03-10", "--hors-serie", "--campaign",
               "vsa-lyon").exit_code == 2
    forced = cli("refer", series[2], "--on", "2026-03-10", "--no-letter", "--hors-serie")
    assert forced.exit_code == 0


def test_answered_members_belong_to_the_series_and_late_ones_are_informed(cli, series):
    # Vénissieux answers in full; it still counts in the series (six administrations).
    cli("answer", series[0], "--on", "2026-01-20", "--outcome", "full", ok=True)
    # Complete acknowledgements make the delays opposable (L112-6).
    for ref in series[1:5]:
        cli("ack", ref, "--on", "2026-01-09", ok=True)
    # On 10 April the silent ones (implicit refusal 7 February) and Bron (express refusal
    # 25 January) are past their referral deadlines; Écully's refusal, born 3 April, is not.
    data = cli("refer", "--campaign", "vsa-lyon", "--on", "2026-04-10", "--no-letter",
               "--json", ok=True).json()
    assert data["series"] == sorted(series)
    assert data["referred"] == [series[5]] and data["refusal"] == series[5]
    assert set(data["informed_only"]) == set(series) - {series[5]}
    notes = {ref: [e for e in events(cli, ref) if e["kind"] == "note"] for ref in series}
    assert "aucun refus à soumettre" in notes[series[0]][0]["text"]
    assert "délai de saisine avait expiré le 07/04/2026" in notes[series[1]][0]["text"]
    assert "délai de saisine avait expiré le 25/03/2026" in notes[series[2]][0]["text"]


def test_informed_members_are_not_chased_for_a_referral(cli, series):
    cli("refer", "--campaign", "vsa-lyon", "--on", "2026-03-10", "--no-letter", ok=True)
    # Écully's implicit refusal is born on 3 April: the CADA's one opinion covers it.
    due = cli("overdue", "--today", "2026-04-20", "--json").json()  # exit 1: actions due
    listed = {i["reference"] for group in due.values() if isinstance(group, list)
              for i in group}
    assert series[5] not in listed
    alone = cli("refer", series[5], "--on", "2026-04-20", "--no-letter")
    assert alone.exit_code == 4 and "saisine groupée" in alone.stderr
    note = [e for e in events(cli, series[5]) if e["kind"] == "note"][0]
    assert "pas encore né (saisine possible dès le 04/04/2026)" in note["text"]
    early = cli("refer", series[5], "--on", "2026-03-20", "--no-letter", "--hors-serie")
    assert early.exit_code == 4 and "prématurée" in early.stderr  # the clock still knows
    cli("cancel", series[5], note["number"], "--why", "hors série", ok=True)
    due = cli("overdue", "--today", "2026-04-20", "--json").json()  # exit 1: actions due
    listed = {i["reference"] for group in due.values() if isinstance(group, list)
              for i in group}
    assert series[5] in listed  # the note cancelled, its clock is back


def test_copy_failure_after_the_grouped_referral_says_it_is_recorded(cli, series, tmp_path,
                                                                     monkeypatch):
    out = tmp_path / "plein"
    fill_disk_in(monkeypatch, out)
    result = cli("refer", "--campaign", "vsa-lyon", "--on", "2026-03-10", "--html", "--out", out)
    assert result.exit_code == 5 and "disque plein" in result.stderr
    assert "La saisine est enregistrée" in result.stderr
    assert cli("show", series[0], "--json", ok=True).json()["status"] == "referred"


def test_without_opposable_delays_a_late_member_is_still_referred(cli, series):
    # No acknowledgement recorded: the two months cannot be held against the requester,
    # who may refer within a reasonable delay of one year (L112-6; Czabaj).
    data = cli("refer", "--campaign", "vsa-lyon", "--on", "2026-04-10", "--no-letter",
               "--json", ok=True).json()
    assert data["referred"] == sorted(series)


def test_a_member_referred_alone_does_not_block_the_series(cli, series):
    cli("refer", series[1], "--on", "2026-03-01", "--no-letter", "--hors-serie", ok=True)
    data = cli("refer", "--campaign", "vsa-lyon", "--on", "2026-03-10", "--no-letter",
               "--json", ok=True).json()
    assert series[1] in data["informed_only"] and series[1] not in data["referred"]
    note = [e for e in events(cli, series[1]) if e["kind"] == "note"][0]
    assert "déjà soumise seule à la CADA le 01/03/2026" in note["text"]
    step = cli("refer", "--campaign", "vsa-lyon", "--registered", "2026-03-12", "--cada-ref",
               "20261234", "--json", ok=True).json()
    assert series[1] not in step["requests"]  # its own CADA file keeps its own number
    assert sorted(step["requests"]) == sorted(data["referred"])



def test_series_letters_follow_each_file(cli, series, tmp_path):
    """Issue 13: a notice to a member answered in full asks nothing; a reminder to an
    informed member does not announce a referral already made; previews are drafts."""
    cli("answer", series[0], "--on", "2026-01-20", "--outcome", "full", ok=True)
    out = tmp_path / "apercu"
    preview = cli("refer", "--campaign", "vsa-lyon", "--on", "2026-03-10", "--preview",
                  "--html", "--out", out, ok=True)
    assert "Traceback" not in preview.stderr
    names = sorted(p.name for p in out.iterdir())
    assert names and all(name.endswith("-brouillon.html") for name in names), names

    out = tmp_path / "serie"
    cli("refer", "--campaign", "vsa-lyon", "--on", "2026-03-10", "--html", "--out", out,
        ok=True)
    answered = text(out / f"{series[0]}-information-serie.html")
    assert "l’ensemble des documents demandés" in answered
    assert "n’appelle aucune réponse" in answered
    assert "me communiquiez dès à présent" not in answered
    waiting = text(out / f"{series[1]}-information-serie.html")
    assert "me communiquiez dès à présent" in waiting and "aucune réponse" not in waiting

    # Écully (sent in March) was only informed; its reminder cites the series referral.
    reminded = tmp_path / "relance"
    cli("remind", series[5], "--on", "2026-03-20", "--html", "--out", reminded, ok=True)
    (letter,) = reminded.iterdir()
    body = text(letter)
    assert "le 10 mars 2026 la Commission d’accès aux documents administratifs" in body
    assert "je saisirai" not in body
