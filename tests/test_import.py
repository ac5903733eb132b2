"""cada admin import / export: the real directories end to end, upserts, errors."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "directory" / "data"
PRADA = DATA / "annuaire_des_prada.csv"
ALAVETELI = DATA / "administrations_alaveteli_sample.csv"

PRADA_HEADER = (
    '"Département de l\'autorité","Nom de l\'administration","Prénom PRADA","Nom PRADA",'
    '"Courriel 1 PRADA","Adresse PRADA","Code postal/Ville de l\'autorité"\n'
)
CADA_HEADER = "key,name,kind,addressee,street,postcode,city,email,prada_name,prada_email,department,tags\n"


def prada_file(tmp_path, *rows: str, name: str = "prada.csv") -> Path:
    path = tmp_path / name
    path.write_text(PRADA_HEADER + "".join(rows), encoding="utf-8")
    return path


ROW_LYON = ('69,"Mairie de Lyon","Anne","MARTIN","prada@mairie-lyon.fr",'
            '"Monsieur le maire\nHôtel de Ville\n1 place de la Comédie","69205 / LYON CEDEX 01"\n')
ROW_GRENOBLE = ('38,"Mairie de Grenoble","Paul","DURAND","prada@grenoble.fr",'
                '"Monsieur le maire\n11 boulevard Jean Pain","38021 / GRENOBLE CEDEX 1"\n')
ROW_BAD = ('13,"Mairie de Marseille","Léa","PETIT","prada@marseille.fr",'
           '"Madame la maire","13OO2 / MARSEILLE"\n')


def admins(cli, *args) -> list[dict]:
    return cli("admin", "list", "--json", *args, ok=True).json()


def show(cli, name: str) -> dict:
    (found,) = [a for a in admins(cli, "--search", name) if a["name"] == name]
    return cli("admin", "show", found["id"], "--json", ok=True).json()


# --- The real files ------------------------------------------------------------


def test_whole_prada_file_twice(cli):
    first = cli("admin", "import", PRADA, "--json", ok=True).json()
    assert set(first) == {"created", "updated", "merged", "unchanged", "errors", "warnings",
                          "address_warnings", "duplicates", "format", "dry_run", "imported"}
    # Lines the window block leaves out, each naming its administration (issue 13).
    shortened = first["address_warnings"]
    assert len(shortened) == 261 and {w["field"] for w in shortened} == {"adresse"}
    assert ("« Préfecture du Rhône » : ligne « Pôle des affaires juridiques/responsable "
            "du pôle » omise (plus de 6 lignes)") in [w["message"] for w in shortened]
    assert set(first["warnings"][0]) == {"line", "field", "message"}
    assert (first["created"], first["updated"], first["unchanged"]) == (1704, 0, 0)
    assert first["errors"] == [] and first["duplicates"] == []
    assert len(first["warnings"]) == 23 and first["format"] == "prada"
    listed = admins(cli)
    assert len(listed) == 1704
    assert all(re.fullmatch(r"\d{5}", a["postcode"]) and a["city"] for a in listed)

    again = cli("admin", "import", PRADA, "--json", ok=True).json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 1704)
    assert len(admins(cli)) == 1704


def test_import_does_not_query_row_by_row(cli, tmp_path):
    """A few bulk statements whatever the file size: no SELECT, INSERT or UPDATE per row."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    changed = tmp_path / "prada-2027.csv"  # most e-mails and CEDEX cities change
    changed.write_text(PRADA.read_text(encoding="utf-8").replace('.fr"', '.org"')
                       .replace("CEDEX", "Cedex"), encoding="utf-8")
    cli("admin", "list", ok=True)  # create and migrate the database first
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        start = time.perf_counter()
        cli("admin", "import", PRADA, "--tag", "prada", ok=True)
        elapsed = time.perf_counter() - start
        counts = [len(statements)]
        statements.clear()
        updated = cli("admin", "import", changed, "--json", ok=True).json()["updated"]
        counts.append(len(statements))
    finally:
        event.remove(Engine, "before_cursor_execute", count)
    assert updated > 1500
    assert counts[0] < 15 and counts[1] < 15, counts
    assert elapsed < 10  # about 0.5 s here; the budget is "a couple of seconds"
    cedex = show(cli, "La Roche-sur-Yon Agglomération")
    assert cedex["city"] == "LA ROCHE-SUR-YON Cedex" and cedex["tags"] == ["prada"]


def test_real_rows_end_to_end(cli):
    cli("admin", "import", PRADA, ok=True)
    cli("admin", "import", ALAVETELI, "--tag", "MaDada", ok=True)

    roche = show(cli, "La Roche-sur-Yon Agglomération")
    assert roche | {"id": 0} == {
        "id": 0,
        "name": "La Roche-sur-Yon Agglomération",
        "kind": "intercommunalite",
        "addressee": "Monsieur le président de La Roche-sur-Yon Agglomération",
        "street": ["Direction générale - A l'attention de Monsieur Gilbert OLIER",
                   "Hôtel de Ville Agglomération", "Place du Théâtre - BP 829"],
        "postcode": "85021",
        "city": "LA ROCHE-SUR-YON CEDEX",
        "email": "gilbert.olier@larochesuryon.fr",
        "web_form": None,
        "prada_name": "Gilbert OLIER",
        "prada_email": "gilbert.olier@larochesuryon.fr",
        "department": "85",
        "designation": "La Roche-sur-Yon Agglomération",  # a proper name: no article
        "tags": [],
        # The stored fields keep the directory's text; the letter prints this block.
        "postal_block": {"lines": ["La Roche-sur-Yon Agglomération",
                                   "À l’attention de M. Gilbert OLIER",
                                   "Direction générale",
                                   "Hôtel de Ville Agglomération",
                                   "Place du Théâtre - BP 829",
                                   "85021 LA ROCHE SUR YON CEDEX"],
                         "problems": []},
        "cada_opinions": None,  # no CADA opinions index in this test (cada avis)
    }
    bourg = show(cli, "Mairie de Bourg-en-Bresse")
    # One body in both files: Ma Dada's row merged into the PRADA's, which had no e-mail.
    assert (bourg["email"], bourg["department"], bourg["postcode"], bourg["city"]) == (
        "courrier@bourgenbresse.fr", "01", "01012", "BOURG-EN-BRESSE CEDEX")
    assert bourg["tags"] == ["madada", "mairie"] and bourg["prada_name"] == "Cécile BUISSON-SCREVE"
    ajaccio = show(cli, "Mairie d'Ajaccio")
    assert (ajaccio["department"], ajaccio["kind"]) == ("2A", "commune")

    gendarmerie = show(cli, "Brigade de gendarmerie - Sainte-Anne 97128-01")
    assert gendarmerie["street"] == ["1 Impasse Joas Section Castaing"]
    assert (gendarmerie["postcode"], gendarmerie["city"], gendarmerie["department"]) == (
        "97180", "Sainte-Anne", "971")
    assert gendarmerie["email"] == "bta.ste-anne@gendarmerie.interieur.gouv.fr"
    assert gendarmerie["tags"] == ["gendarmerie", "madada"]  # the file's tag and --tag
    aiglun = [a for a in admins(cli, "--department", "06") if a["city"] == "Aiglun"]
    assert [a["postcode"] for a in aiglun] == ["06910"]  # leading zero restored

    text = cli("admin", "show", roche["id"], ok=True).stdout
    assert "LA ROCHE-SUR-YON CEDEX" in text and "Gilbert OLIER" in text
    assert "Bloc adresse" in text and "\n  85021 LA ROCHE SUR YON CEDEX\n" in text


# --- Upsert rules --------------------------------------------------------------


def test_dry_run_writes_nothing_and_shows_changes(cli, tmp_path):
    path = prada_file(tmp_path, ROW_LYON, ROW_GRENOBLE)
    dry = cli("admin", "import", path, "--dry-run", "--json", ok=True).json()
    assert (dry["created"], dry["updated"], dry["unchanged"]) == (2, 0, 0)
    assert dry["dry_run"] is True and dry["imported"] is False
    assert [c["line"] for c in dry["changes"]] == [2, 5]
    assert admins(cli) == []

    cli("admin", "import", path, ok=True)
    prada_file(tmp_path, ROW_LYON.replace("prada@mairie-lyon.fr", "acces@lyon.fr"),
               ROW_GRENOBLE)
    text = cli("admin", "import", path, "--dry-run", ok=True)
    assert "Rien n'a été écrit" in text.stderr
    assert "e-mail : prada@mairie-lyon.fr → acces@lyon.fr" in text.stdout
    dry = cli("admin", "import", path, "--dry-run", "--json", ok=True).json()
    assert (dry["created"], dry["updated"], dry["unchanged"]) == (0, 1, 1)
    (change,) = dry["changes"]
    assert change["action"] == "update" and change["name"] == "Mairie de Lyon"
    assert change["fields"]["email"] == {"old": "prada@mairie-lyon.fr", "new": "acces@lyon.fr"}
    assert show(cli, "Mairie de Lyon")["email"] == "prada@mairie-lyon.fr"  # still

    done = cli("admin", "import", path, "--json", ok=True).json()
    assert (done["created"], done["updated"], done["unchanged"]) == (0, 1, 1)
    lyon = show(cli, "Mairie de Lyon")
    assert lyon["email"] == lyon["prada_email"] == "acces@lyon.fr"


def test_empty_cells_and_unknown_kind_never_erase_known_values(cli, tmp_path):
    path = prada_file(tmp_path, ROW_LYON.replace("prada@mairie-lyon.fr", ""),
                      '75,"SNCF","Jean","RAIL","prada@sncf.fr","Le directeur","75014 / PARIS"\n')
    cli("admin", "import", path, "--tag", "rhone", ok=True)
    lyon, sncf = show(cli, "Mairie de Lyon"), show(cli, "SNCF")
    assert lyon["email"] is None and sncf["kind"] == "autre"
    cli("admin", "edit", lyon["id"], "--email", "ecrire@lyon.fr", "--tag", "vsa", ok=True)
    cli("admin", "edit", sncf["id"], "--kind", "etablissement_public", ok=True)

    same = cli("admin", "import", path, "--json", ok=True).json()
    assert (same["created"], same["updated"], same["unchanged"]) == (0, 0, 2)
    lyon, sncf = show(cli, "Mairie de Lyon"), show(cli, "SNCF")
    assert lyon["email"] == "ecrire@lyon.fr"  # the file has none: the hand-typed one stays
    assert lyon["tags"] == ["vsa"]  # the edit replaced "rhone"; an import never removes
    assert sncf["kind"] == "etablissement_public"  # "autre" means "could not tell"

    tagged = cli("admin", "import", path, "--tag", "Prada", "--json", ok=True).json()
    assert (tagged["updated"], tagged["unchanged"]) == (2, 0)  # a new tag is an update
    assert show(cli, "Mairie de Lyon")["tags"] == ["prada", "vsa"]
    assert show(cli, "SNCF")["tags"] == ["prada", "rhone"]


def test_email_and_web_form_change_together(cli, tmp_path):
    path = tmp_path / "cada.csv"
    path.write_text(CADA_HEADER + "k1,Mairie de Test,commune,,,01000,Bourg,mairie@test.fr,,,,\n",
                    encoding="utf-8")
    cli("admin", "import", path, ok=True)
    path.write_text(CADA_HEADER + "k1,Mairie de Test,commune,,,01000,Bourg,"
                    "https://test.fr/formulaire,,,,\n", encoding="utf-8")
    cli("admin", "import", path, ok=True)
    admin = show(cli, "Mairie de Test")
    assert (admin["email"], admin["web_form"]) == (None, "https://test.fr/formulaire")
    exported = cli("admin", "export", ok=True).stdout  # one contact column: still exportable
    assert "https://test.fr/formulaire" in exported


def test_hand_typed_administration_is_adopted_not_duplicated(cli, tmp_path):
    cli("admin", "add", "Mairie de Grenoble", "--kind", "commune", "--postcode", "38021",
        "--city", "Grenoble", "--tag", "isere", ok=True)
    path = prada_file(tmp_path, ROW_GRENOBLE)
    report = cli("admin", "import", path, "--json", ok=True).json()
    assert (report["created"], report["updated"]) == (0, 1)
    (grenoble,) = admins(cli)
    shown = cli("admin", "show", grenoble["id"], "--json", ok=True).json()
    assert shown["city"] == "GRENOBLE CEDEX 1" and shown["prada_email"] == "prada@grenoble.fr"
    assert shown["tags"] == ["isere"]
    assert cli("admin", "import", path, "--json", ok=True).json()["unchanged"] == 1


# --- Bad rows, --strict --------------------------------------------------------


def test_bad_row_without_strict_imports_the_good_ones(cli, tmp_path):
    path = prada_file(tmp_path, ROW_LYON, ROW_BAD, ROW_GRENOBLE)
    result = cli("admin", "import", path, "--json")
    assert result.exit_code == 0
    data = result.json()
    assert (data["created"], data["updated"], data["unchanged"]) == (2, 0, 0)
    assert data["errors"] == [{
        "line": 5, "field": "Code postal/Ville de l'autorité",
        "message": "code postal « 13OO2 » invalide (5 chiffres attendus)",
    }]
    assert "1 ligne(s) invalide(s)" in result.stderr and str(path) in result.stderr
    assert sorted(a["name"] for a in admins(cli)) == ["Mairie de Grenoble", "Mairie de Lyon"]
    text = cli("admin", "import", path)
    assert text.exit_code == 0
    assert "ligne 5, colonne « Code postal/Ville de l'autorité » : code postal « 13OO2 »" \
        in text.stderr


def test_bad_row_with_strict_imports_nothing(cli, tmp_path, backend):
    path = prada_file(tmp_path, ROW_LYON, ROW_BAD, ROW_GRENOBLE)
    result = cli("admin", "import", path, "--strict", "--json")
    assert result.exit_code == 2
    data = result.json()
    assert (data["created"], data["imported"]) == (0, False)
    assert data["errors"][0]["line"] == 5
    assert "rien n'a été importé" in result.stderr and str(path) in result.stderr
    assert "Ligne 5" in result.stderr and "13OO2" in result.stderr
    assert "Traceback" not in result.stderr
    assert admins(cli) == []
    text = cli("admin", "import", path, "--strict")
    assert text.exit_code == 2 and admins(cli) == []
    good = prada_file(tmp_path, ROW_LYON, name="good.csv")
    assert cli("admin", "import", good, "--strict", "--json", ok=True).json()["created"] == 1


# --- Unreadable files ------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"nom,ville\nMairie,Lyon\n", "format d'annuaire non reconnu (ligne 1"),
        (b"", "est vide"),
        (b"\n\n  \n", "est vide"),
        (CADA_HEADER.replace("city", "name").encode(), "ligne 1 : la colonne « name » apparaît "
                                                      "deux fois"),
        ((CADA_HEADER + 'k,"Mairie de Lyon,commune,,,69001,Lyon,,,,,\n').encode(),
         "ligne 2 : guillemet non fermé"),
        (b"\x00\x01\x02binary", "n'est pas un fichier texte"),
    ],
    ids=["unknown-format", "empty", "blank", "duplicated-header", "broken-quote", "binary"],
)
def test_unreadable_file_names_file_and_line(cli, tmp_path, content, expected):
    path = tmp_path / "annuaire.csv"
    path.write_bytes(content)
    result = cli("admin", "import", path)
    assert result.exit_code == 2
    assert expected in result.stderr and str(path) in result.stderr
    assert result.stderr.startswith("Erreur :") and "Traceback" not in result.stderr


def test_missing_file(cli, tmp_path):
    result = cli("admin", "import", tmp_path / "absent.csv", "--json")
    assert result.exit_code == 2 and result.stdout == ""
    assert f"fichier introuvable : {tmp_path / 'absent.csv'}" in result.stderr


def test_latin1_spreadsheet_export_is_read_not_refused(cli, tmp_path):
    """A Windows/Latin-1 file is decoded (the parser's documented choice), accents intact."""
    path = tmp_path / "excel.csv"
    path.write_bytes((PRADA_HEADER.replace(",", ";") +
                      '13;"Mairie d\'Aix-en-Provence";"Hélène";"LEFÈVRE";;'
                      '"Madame la maire\nPlace de l\'Hôtel de Ville";'
                      '"13616 / AIX-EN-PROVENCE CEDEX 1"\n').encode("latin-1"))
    result = cli("admin", "import", path, ok=True)
    assert "encodage cp1252" in result.stderr
    aix = show(cli, "Mairie d'Aix-en-Provence")
    assert aix["prada_name"] == "Hélène LEFÈVRE"
    assert aix["street"] == ["Place de l'Hôtel de Ville"]


# --- Export ----------------------------------------------------------------------


def test_export_import_round_trip(cli, tmp_path, backend):
    head = "".join(ALAVETELI.read_text(encoding="utf-8").splitlines(keepends=True)[:40])
    (tmp_path / "madada.csv").write_text(head, encoding="utf-8")
    cli("admin", "import", prada_file(tmp_path, ROW_LYON, ROW_GRENOBLE), "--tag", "prada",
        ok=True)
    cli("admin", "import", tmp_path / "madada.csv", ok=True)
    cli("admin", "add", "Préfecture du Rhône", "--kind", "prefecture", "--street",
        "18 rue de Bonnel", "--street", "Bureau 3", "--postcode", "69003", "--city", "Lyon",
        "--email", "prada@rhone.gouv.fr", "--tag", "rhone", ok=True)
    count = len(admins(cli))
    assert count == 42

    out = tmp_path / "export.csv"
    assert f"{count} administration(s) exportée(s)" in cli("admin", "export", "--out", out,
                                                           ok=True).stderr
    exported = out.read_bytes()
    assert exported.decode().startswith(CADA_HEADER.strip() + "\r\n")
    assert cli("admin", "export", ok=True).stdout.encode() == exported  # stdout: same bytes

    # Into the same database: nothing new (the hand-typed one is adopted once).
    same = cli("admin", "import", out, "--json", ok=True).json()
    assert (same["created"], same["updated"], same["unchanged"]) == (0, 1, count - 1)
    assert cli("admin", "import", out, "--json", ok=True).json()["unchanged"] == count

    # Into another database: the same administrations, and the same export.
    other = f"sqlite:///{tmp_path / 'other.db'}"
    fresh = cli("--db", other, "admin", "import", out, "--json", ok=True).json()
    assert (fresh["created"], fresh["errors"], fresh["warnings"]) == (count, [], [])
    again = tmp_path / "again.csv"
    cli("--db", other, "admin", "export", "--out", again, ok=True)
    assert again.read_bytes() == exported
    prefecture = [a for a in cli("--db", other, "admin", "list", "--json", ok=True).json()
                  if a["name"] == "Préfecture du Rhône"][0]
    shown = cli("--db", other, "admin", "show", prefecture["id"], "--json", ok=True).json()
    assert shown["street"] == ["18 rue de Bonnel", "Bureau 3"] and shown["tags"] == ["rhone"]


def test_export_filters(cli, tmp_path):
    cli("admin", "import", prada_file(tmp_path, ROW_LYON, ROW_GRENOBLE), ok=True)
    cli("admin", "add", "Préfecture de l'Isère", "--kind", "prefecture", "--postcode", "38000",
        "--city", "Grenoble", "--tag", "isere", ok=True)

    def names(*args):
        lines = cli("admin", "export", *args, ok=True).stdout.splitlines()[1:]
        return sorted(line.split(",")[1].strip('"') for line in lines)

    assert names("--department", "38") == ["Mairie de Grenoble", "Préfecture de l'Isère"]
    assert names("--kind", "commune") == ["Mairie de Grenoble", "Mairie de Lyon"]
    assert names("--tag", "isere") == ["Préfecture de l'Isère"]
    assert names("--tag", "absent") == []
    bad = cli("admin", "export", "--department", "999")
    assert bad.exit_code == 2 and "999" in bad.stderr


def test_export_to_an_unwritable_place(cli, tmp_path):
    cli("admin", "add", "Mairie de Bourg", "--kind", "commune", "--postcode", "01000",
        "--city", "Bourg", ok=True)
    (tmp_path / "folder").mkdir()
    result = cli("admin", "export", "--out", tmp_path / "folder")
    assert result.exit_code == 2 and "est un dossier" in result.stderr
    assert str(tmp_path / "folder") in result.stderr
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no leftover


def test_export_refuses_what_the_format_cannot_hold(cli):
    cli("admin", "add", "Mairie de Pipe", "--kind", "commune", "--street", "Bâtiment A | B",
        "--postcode", "01000", "--city", "Bourg", ok=True)
    result = cli("admin", "export")
    assert result.exit_code == 2 and "Bâtiment A | B" in result.stderr
    assert "cada admin edit" in result.stderr


# --- Concurrent imports ------------------------------------------------------------

def test_concurrent_imports_neither_fail_nor_duplicate(cli, isolated_home, backend):
    """Four imports of one file in four processes at once (forked from a warm
    interpreter, tests/procs.py, held at a barrier so that they overlap): one creates
    every administration, the others find them all, none fails."""
    import json

    from procs import Child, cada, together

    cli("admin", "list", ok=True)  # the database exists and is migrated
    start = together(4)
    procs = [Child(cada, "admin", "import", PRADA, "--json", barrier=start)
             for _ in range(4)]
    start.wait(timeout=120)
    reports = []
    for proc in procs:
        code, out, err = proc.wait()
        assert code == 0, err
        reports.append(json.loads(out))
    assert sorted(r["created"] for r in reports) == [0, 0, 0, 1704]
    assert len(admins(cli)) == 1704


def test_admin_list_shows_a_page_and_exports_everything(cli):
    cli("admin", "import", PRADA, ok=True)
    table = cli("admin", "list", ok=True).stdout
    assert "1704 administration(s), 50 affichées" in table
    assert len(re.findall(r"^│ \d+", table, flags=re.M)) == 50
    every = cli("admin", "list", "--csv", ok=True).stdout.splitlines()
    assert every[0] == "id,name,kind,postcode,city,department" and len(every) == 1705
    assert len(admins(cli)) == 1704
    assert "50 affichées" not in cli("admin", "list", "--all", ok=True).stdout


def test_admin_show_prints_the_web_form(cli, tmp_path):
    path = tmp_path / "cada.csv"
    path.write_text(CADA_HEADER + "k1,Mairie de Test,commune,,,01000,Bourg,"
                    "https://test.fr/formulaire,,,,\n", encoding="utf-8")
    cli("admin", "import", path, ok=True)
    admin_id = show(cli, "Mairie de Test")["id"]
    shown = cli("admin", "show", admin_id, ok=True).stdout
    assert re.search(r"^Formulaire\s+https://test.fr/formulaire$", shown, flags=re.M)
