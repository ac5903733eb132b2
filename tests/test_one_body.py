"""One body, one row: the two real directories merge at import, in either order, and
stay merged; cada admin merge for what the user finds; sous-préfectures (issue 15)."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).parent / "directory" / "data"
PRADA = DATA / "annuaire_des_prada.csv"
ALAVETELI = DATA / "administrations_alaveteli_sample.csv"
# Bodies of the Ma Dada sample the PRADA's directory also lists (same name key and
# postal code): 32 mairies, 3 intercommunalités and the Préfecture de l'Ain.
BOTH = 36


def imported(cli, path, *args) -> dict:
    return cli("admin", "import", path, "--json", *args, ok=True).json()


def counts(report) -> tuple[int, int, int, int]:
    return report["created"], report["updated"], report["merged"], report["unchanged"]


def admins(cli, *args) -> list[dict]:
    return cli("admin", "list", "--json", *args, ok=True).json()


@pytest.mark.parametrize("first, second", [(PRADA, ALAVETELI), (ALAVETELI, PRADA)],
                         ids=["prada-first", "madada-first"])
def test_second_import_of_either_file_creates_no_duplicate(cli, first, second):
    size = {PRADA: 1704, ALAVETELI: 5000}
    assert counts(imported(cli, first)) == (size[first], 0, 0, 0)
    assert counts(imported(cli, second)) == (size[second] - BOTH, 0, BOTH, 0)
    total = 1704 + 5000 - BOTH
    assert len(admins(cli)) == total
    # Again, each: nothing created, nothing changed, whichever was imported last (a
    # third pass would import into the state the first left unchanged: no new case).
    for path in (first, second):
        assert counts(imported(cli, path)) == (0, 0, 0, size[path]), path
    assert len(admins(cli)) == total
    ain = [a for a in admins(cli, "--search", "prefecture ain", "--department", "01")
           if a["kind"] == "prefecture"]
    assert [a["name"] for a in ain] == ["Préfecture de l'Ain"]  # the name without code
    shown = cli("admin", "show", ain[0]["id"], "--json", ok=True).json()
    assert shown["prada_email"]  # the PRADA's fields
    assert "prefecture" in shown["tags"]  # and Ma Dada's tag
    # Rows of one directory are never merged together: Ma Dada's two offices stay two.
    assert len(admins(cli, "--search", "point information jeunesse saint etienne")) == 2


def test_dry_run_reports_the_merges_and_writes_nothing(cli):
    imported(cli, PRADA)
    dry = imported(cli, ALAVETELI, "--dry-run")
    assert counts(dry) == (5000 - BOTH, 0, BOTH, 0) and dry["imported"] is False
    merges = {c["key"]: c for c in dry["changes"] if c["action"] == "merge"}
    ain = merges["alaveteli:prefecture-01053-01"]
    assert (ain["name"], ain["into"]) == ("Préfecture - Ain", "Préfecture de l'Ain")
    assert ain["tags_added"] == ["prefecture"]
    assert len(admins(cli)) == 1704
    text = cli("admin", "import", ALAVETELI, "--dry-run", ok=True)
    assert f"{BOTH} à fusionner avec un autre annuaire" in text.stderr
    assert f"Fusion(s) avec la fiche d'un autre annuaire (même nom et code postal) : {BOTH}" \
        in text.stderr
    bagneux = merges["alaveteli:mairie-92007-01"]
    assert (f"ligne {bagneux['line']} : « Mairie - Bagneux 92007-01 » → n° {bagneux['id']} "
            "« Mairie de Bagneux »") in text.stderr


def _add(cli, name, *args) -> int:
    return cli("admin", "add", name, *args, "--json", ok=True).json()["id"]


def test_admin_merge_moves_everything_in_one_go(cli, profile, tmp_path, backend):
    lyon = _add(cli, "Mairie de Lyon", "--kind", "commune", "--postcode", "69205",
                "--city", "LYON CEDEX 01", "--tag", "rhone")
    path = tmp_path / "madada.csv"
    path.write_text("#id,name,request_email,notes,home_page,tag_string\n"
                    "mairie-69123-01,Ville de Lyon,contact@lyon.example,\"Adresse : "
                    "1 place de la Comédie,69001,Lyon | Tél : \",,mairie vsa\n",
                    encoding="utf-8")
    assert counts(imported(cli, path)) == (1, 0, 0, 0)  # another name: not recognised
    (ville,) = [a["id"] for a in admins(cli) if a["name"] == "Ville de Lyon"]
    ref = cli("new", "--to", ville, "--subject", "VSA", "--doc", "Contrat", "--json",
              ok=True).json()["reference"]
    cli("sent", ref, "--on", "2026-03-02", "--via", "email", ok=True)

    result = cli("admin", "merge", lyon, ville, "--json", ok=True)
    assert f"« Ville de Lyon » (n° {ville}) fusionnée dans « Mairie de Lyon »" in result.stderr
    assert "1 demande(s) et 2 étiquette(s) reprises" in result.stderr
    kept = result.json()
    assert kept["id"] == lyon and kept["tags"] == ["mairie", "rhone", "vsa"]
    assert kept["email"] == "contact@lyon.example"  # the hand-typed row had none
    assert kept["street"] == ["1 place de la Comédie"] and kept["postcode"] == "69001"
    assert cli("show", ref, "--json", ok=True).json()["administration"]["id"] == lyon
    assert cli("admin", "show", ville).exit_code == 3
    # Ma Dada's key now belongs to the kept row: a re-import finds it there.
    assert counts(imported(cli, path)) == (0, 0, 0, 1)
    assert len(admins(cli)) == 1


def test_admin_merge_refuses_nonsense(cli):
    nice = _add(cli, "Mairie de Nice", "--kind", "commune", "--postcode", "06000",
                "--city", "Nice")
    pref = _add(cli, "Préfecture des Alpes-Maritimes", "--kind", "prefecture",
                "--postcode", "06000", "--city", "Nice")
    same = cli("admin", "merge", nice, nice)
    assert same.exit_code == 2 and "deux fois le n° 1" in same.stderr
    unknown = cli("admin", "merge", nice, 99)
    assert unknown.exit_code == 3 and "Aucune administration n° 99" in unknown.stderr
    kinds = cli("admin", "merge", nice, pref)
    assert kinds.exit_code == 4 and "deux organismes différents" in kinds.stderr
    assert "cada admin edit 2 --kind commune" in kinds.stderr
    assert "Traceback" not in kinds.stderr + same.stderr + unknown.stderr
    assert len(admins(cli)) == 2


def test_sous_prefecture_is_a_kind(cli, profile):
    imported(cli, ALAVETELI)
    sous = admins(cli, "--kind", "sous-préfecture")
    assert {a["name"] for a in sous} == {"Sous-préfecture - Belley", "Sous-préfecture - Gex",
                                         "Sous-préfecture de Nantua"}
    belley = cli("admin", "show", sous[0]["id"], "--json", ok=True).json()
    assert belley["designation"] == "la sous-préfecture de Belley"
    added = _add(cli, "Sous-Préfecture d'Istres", "--kind", "sous_prefecture", "--postcode",
                 "13800", "--city", "Istres")
    shown = cli("admin", "show", added, "--json", ok=True).json()
    assert shown["kind"] == "sous_prefecture"
    assert shown["designation"] == "la sous-préfecture d’Istres"
