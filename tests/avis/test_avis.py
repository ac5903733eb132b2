"""cada avis: the CADA's opinions, indexed apart from the record (issue 17, part 2)."""

from __future__ import annotations

import os
import sqlite3
import stat

import pytest

from tests.avis.conftest import ROWS, write_csv


@pytest.fixture
def opinions(cli, tmp_path):
    path = write_csv(tmp_path / "avis.csv")
    result = cli("avis", "import", path, "--json", ok=True).json()
    return result


def test_import_is_idempotent_on_the_dossier_number(cli, tmp_path, isolated_home, opinions):
    assert (opinions["imported"], opinions["updated"], opinions["skipped"]) == (len(ROWS), 0, 0)
    index = isolated_home / "avis-cada.db"
    assert opinions["index"] == str(index)
    assert stat.S_IMODE(os.stat(index).st_mode) == 0o600
    again = cli("avis", "import", tmp_path / "avis.csv", "--json", ok=True).json()
    assert (again["imported"], again["updated"], again["unchanged"]) == (0, 0, len(ROWS))
    changed = [list(r) for r in ROWS]
    changed[0][8] = "Défavorable/Sécurité publique"
    newer = write_csv(tmp_path / "avis-2025.csv", changed + [
        ["20250001", "Mairie de Lyon", "Avis", "2025", "09/01/2025", "Caméras piétons.",
         "", "", "Favorable", "III", "Avis favorable."]])
    third = cli("avis", "import", newer, "--json", ok=True).json()
    assert (third["imported"], third["updated"], third["unchanged"]) == (1, 1, len(ROWS) - 1)
    with sqlite3.connect(index) as conn:
        assert conn.execute("SELECT count(*) FROM avis").fetchone()[0] == len(ROWS) + 1
        # The full-text table follows the updates (no stale entry for the old meaning).
        assert conn.execute("SELECT count(*) FROM avis_fts WHERE avis_fts MATCH "
                            "'meaning : \"securite\"'").fetchone()[0] == 2
    shown = cli("avis", "show", "20240512", "--json", ok=True).json()
    assert shown["meaning"] == "Défavorable/Sécurité publique" and not shown["favorable"]


@pytest.mark.parametrize("words", ["vidéoprotection", "videoprotection", "VIDEOPROTECTION"])
def test_search_is_accent_and_case_insensitive(cli, opinions, words):
    hits = cli("avis", "search", words, "--json", ok=True).json()
    assert {h["number"] for h in hits} == {"20240512", "20241877", "20233001", "20221010"}
    first = hits[0]
    assert set(first) >= {"number", "date", "administration", "meaning", "excerpt"}
    favorable = cli("avis", "search", words, "--favorable", "--json", ok=True).json()
    assert {h["number"] for h in favorable} == {"20240512", "20241877", "20233001"}


def test_search_by_name_and_by_directory_administration(cli, profile, opinions):
    by_name = cli("avis", "search", "videoprotection", "--name", "villeurbanne", "--json",
                  ok=True).json()
    assert {h["number"] for h in by_name} == {"20240512", "20241877"}
    admin = cli("admin", "add", "Mairie de Villeurbanne", "--kind", "commune", "--postcode",
                "69100", "--city", "Villeurbanne", "--json", ok=True).json()
    by_admin = cli("avis", "search", "délibérations", "--admin", admin["id"], "--json",
                   ok=True).json()
    assert [h["number"] for h in by_admin] == ["20200444"]
    text = cli("avis", "search", "videoprotection", "--limit", "1", ok=True)
    assert "Avis n° " in text.stdout and "limite atteinte" in text.stderr
    both = cli("avis", "search", "x", "--admin", admin["id"], "--name", "y")
    assert both.exit_code == 2 and "--admin" in both.stderr


def test_show_prints_the_whole_opinion(cli, opinions):
    text = cli("avis", "show", "20191234", ok=True).stdout
    assert "Centre hospitalier de Grasse" in text and "ayants droit" in text
    assert "21/11/2019" in text
    missing = cli("avis", "show", "20191235")
    assert missing.exit_code == 3 and "20191234" in missing.stderr


def test_a_malformed_row_is_reported_with_its_line_and_the_rest_imported(cli, tmp_path):
    rows = [list(r) for r in ROWS]
    rows.insert(2, ["20239999", "Mairie de Lyon", "Avis", "2023"])  # 4 cells
    rows.insert(4, ["20238888", "Mairie de Lyon", "Avis", "2023", "31/02/2023", "x", "", "",
                    "Favorable", "III", "y"])
    path = write_csv(tmp_path / "abime.csv", rows)
    lines = path.read_text(encoding="utf-8").splitlines()
    short = next(n for n, line in enumerate(lines, start=1) if line.startswith("20239999"))
    bad_date = next(n for n, line in enumerate(lines, start=1) if line.startswith("20238888"))
    result = cli("avis", "import", path, "--json")
    assert result.exit_code == 0
    data = result.json()
    assert data["imported"] == len(ROWS) and data["skipped"] == 2
    assert [e["line"] for e in data["errors"]] == [short, bad_date]
    assert "4 colonne(s) au lieu de 11" in data["errors"][0]["message"]
    assert "Séance" in data["errors"][1]["message"]
    assert f"ligne {short} ignorée" in result.stderr


def test_files_that_are_not_the_published_csv_are_refused(cli, tmp_path, isolated_home):
    wrong = write_csv(tmp_path / "autre.csv", [], header=("id", "name"))
    result = cli("avis", "import", wrong)
    assert result.exit_code == 2 and "Numéro de dossier" in result.stderr
    missing = cli("avis", "import", tmp_path / "absent.csv")
    assert missing.exit_code == 2 and "introuvable" in missing.stderr
    nothing = cli("avis", "search", "vidéoprotection")
    assert nothing.exit_code == 2 and "data.gouv.fr" in nothing.stderr


def test_long_opinions_exceed_the_csv_default_field_limit(cli, tmp_path):
    long_text = "La commission rappelle que la vidéoprotection " + "x " * 200_000
    path = write_csv(tmp_path / "long.csv", [["20240001", "Mairie de Lyon", "Avis", "2024",
                                              "01/02/2024", "Objet", "", "", "Favorable",
                                              "III", long_text]])
    assert cli("avis", "import", path, "--json", ok=True).json()["imported"] == 1
    assert cli("avis", "show", "20240001", "--json", ok=True).json()["text"] == long_text.strip()


def test_the_index_can_be_deleted_and_rebuilt(cli, tmp_path, isolated_home, opinions):
    index = isolated_home / "avis-cada.db"
    index.unlink()
    assert cli("avis", "search", "videoprotection").exit_code == 2
    again = cli("avis", "import", tmp_path / "avis.csv", "--json", ok=True).json()
    assert again["imported"] == len(ROWS)
    garbage = isolated_home / "avis-cada.db"
    garbage.write_bytes(b"not sqlite at all" * 100)
    broken = cli("avis", "search", "videoprotection")
    assert broken.exit_code == 5 and "supprimez-le" in broken.stderr


def _referral(cli, tmp_path, admin_id, subject="Dispositif de vidéoprotection"):
    ref = cli("new", "--to", admin_id, "--subject", subject, "--doc", "Liste des caméras",
              "--json", ok=True).json()["reference"]
    cli("sent", ref, "--on", "2026-06-01", "--via", "email", ok=True)
    out = tmp_path / f"out-{ref}"
    cli("refer", ref, "--on", "2026-08-25", "--via", "email", "--html", "--out", out, ok=True)
    return next(out.glob("*.html")).read_text(encoding="utf-8")


def test_the_referral_cites_favourable_opinions_same_administration_first(cli, profile, backend,
                                                                         tmp_path, opinions):
    villeurbanne = cli("admin", "add", "Mairie de Villeurbanne", "--kind", "commune",
                       "--postcode", "69100", "--city", "Villeurbanne", "--json",
                       ok=True).json()["id"]
    letter = _referral(cli, tmp_path, villeurbanne)
    cited = [n for n in ("20240512", "20241877", "20233001", "20221010", "20200444")
             if f"avis n° {n}" in letter]
    assert sorted(cited) == ["20233001", "20240512", "20241877"]  # favourable, same subject
    assert letter.index("20233001") > max(letter.index("20240512"), letter.index("20241877"))
    assert "y compris à propos de la commune de Villeurbanne" in letter
    lyon = cli("admin", "add", "Mairie de Lyon", "--kind", "commune", "--postcode", "69001",
               "--city", "Lyon", "--json", ok=True).json()["id"]
    other = _referral(cli, tmp_path, lyon)
    assert "avis n° 20240512" in other and "y compris" not in other
    unrelated = _referral(cli, tmp_path, lyon, subject="Budget du festival")
    assert "Avis antérieurs" not in unrelated


def test_the_referral_cites_at_most_five(cli, profile, tmp_path):
    rows = [[f"2024{n:04d}", "Mairie de Lyon", "Avis", "2024", f"{n % 28 + 1:02d}/03/2024",
             f"Vidéoprotection, demande n° {n}", "", "", "Favorable", "III", "Favorable."]
            for n in range(1, 9)]
    cli("avis", "import", write_csv(tmp_path / "many.csv", rows), ok=True)
    lyon = cli("admin", "add", "Mairie de Lyon", "--kind", "commune", "--postcode", "69001",
               "--city", "Lyon", "--json", ok=True).json()["id"]
    assert _referral(cli, tmp_path, lyon).count("<li>avis n° ") == 5


def test_without_the_index_the_referral_cites_nothing(cli, profile, tmp_path):
    lyon = cli("admin", "add", "Mairie de Lyon", "--kind", "commune", "--postcode", "69001",
               "--city", "Lyon", "--json", ok=True).json()["id"]
    assert "Avis antérieurs" not in _referral(cli, tmp_path, lyon)
    shown = cli("admin", "show", lyon, "--json", ok=True).json()
    assert shown["cada_opinions"] is None


def test_admin_show_counts_opinions_and_unanswered_ones(cli, profile, backend, opinions):
    admin = cli("admin", "add", "Mairie de Villeurbanne", "--kind", "commune", "--postcode",
                "69100", "--city", "Villeurbanne", "--json", ok=True).json()["id"]
    shown = cli("admin", "show", admin, "--json", ok=True).json()
    assert shown["cada_opinions"] == {"count": 3, "favorable": 3, "no_answer": 1}
    text = cli("admin", "show", admin, ok=True).stdout
    assert "3 avis, dont 3 favorable(s) ; « En l'absence de réponse » : 1 fois" in text


def test_the_cada_dossier_bordereau_cites_the_same_opinions(cli, profile, tmp_path, opinions):
    import pdfplumber

    admin = cli("admin", "add", "Mairie de Villeurbanne", "--kind", "commune", "--postcode",
                "69100", "--city", "Villeurbanne", "--json", ok=True).json()["id"]
    letter = _referral(cli, tmp_path, admin)
    ref = cli("list", "--json", ok=True).json()[0]["reference"]
    dossier = cli("dossier", ref, "--json", "--out", tmp_path / "d", ok=True).json()
    assert sorted(dossier["opinions"]) == ["20233001", "20240512", "20241877"]
    with pdfplumber.open(dossier["path"]) as pdf:
        first = " ".join((pdf.pages[0].extract_text() or "").split())
    assert "AVIS ANTÉRIEURS DE LA COMMISSION" in first.upper(), first
    for number in dossier["opinions"]:
        assert f"avis n° {number}" in first and f"avis n° {number}" in letter
    court = cli("dossier", ref, "--for", "court", "--json", "--out", tmp_path / "c",
                ok=True).json()
    assert court["opinions"] == []


def test_the_grouped_referral_of_a_series_cites_them_too(cli, profile, tmp_path, opinions):
    towns = ["Villeurbanne", "Bron", "Vénissieux", "Caluire", "Écully"]
    for i, town in enumerate(towns, start=1):
        cli("admin", "add", f"Mairie de {town}", "--kind", "commune", "--postcode",
            f"69{i:03d}", "--city", town, "--tag", "serie", ok=True)
    refs = [r["reference"] for r in cli(
        "new", "--to-tag", "serie", "--subject", "Dispositif de vidéoprotection", "--doc",
        "Liste des caméras", "--campaign", "vp", "--json", ok=True).json()]
    for ref in refs:
        cli("sent", ref, "--on", "2026-06-01", "--via", "email", ok=True)
    out = tmp_path / "serie"
    cli("refer", "--campaign", "vp", "--on", "2026-08-25", "--via", "email", "--html",
        "--out", out, ok=True)
    grouped = (out / "vp-saisine-cada-serie.html").read_text(encoding="utf-8")
    assert "Avis antérieurs de la Commission" in grouped
    for number in ("20240512", "20241877", "20233001"):
        assert f"avis n° {number}" in grouped


def test_search_marks_only_the_matches_and_keeps_the_opinion_s_own_guillemets(cli, tmp_path):
    """The excerpt's matches were marked « … », then split on « and »: the opinion's own
    guillemets vanished and what they quoted was shown as a match."""
    text = "La vidéoprotection : le mot « secret » \x1b[31m\u202e y figure."  # one excerpt
    row = ["20259999", "Mairie de Lyon", "Avis", "2025", "09/01/2025", "Caméras.", "", "",
           "Favorable", "III", text]
    cli("avis", "import", write_csv(tmp_path / "avis.csv", [row]), ok=True)
    shown = cli("avis", "search", "vidéoprotection", ok=True).stdout
    assert "le mot « secret » \\x1b[31m\\u202e y figure." in shown
    assert "\x1b" not in shown and "\u202e" not in shown
    [hit] = cli("avis", "search", "vidéoprotection", "--json", ok=True).json()
    assert "«vidéoprotection»" in hit["excerpt"] and "\x02" not in hit["excerpt"]



def test_reading_the_opinions_gives_the_csv_field_limit_back(cli, tmp_path):
    """The limit is process-wide: an import of opinions left it raised, so a later
    --from-file in the same process (the test suite's workers) accepted a 200,000
    character field, and a test passed or failed with the order of the tests."""
    import csv

    before = csv.field_size_limit(131_072)  # the module's default
    try:
        cli("avis", "import", write_csv(tmp_path / "avis.csv"), ok=True)
        assert csv.field_size_limit() == 131_072
    finally:
        csv.field_size_limit(before)
