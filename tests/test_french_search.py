"""Search that speaks French: accents, case, punctuation and word order ignored, on
SQLite and PostgreSQL, through the search keys every write path keeps (issue 15)."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).parent / "directory" / "data"
PRADA = DATA / "annuaire_des_prada.csv"
ALAVETELI = DATA / "administrations_alaveteli_sample.csv"


def names(cli, *args) -> list[str]:
    return [a["name"] for a in cli("admin", "list", "--json", *args, ok=True).json()]


def test_both_real_directories_are_found_however_typed(cli, backend):
    cli("admin", "import", PRADA, ok=True)
    cli("admin", "import", ALAVETELI, ok=True)
    found = names(cli, "--search", "Saint-Étienne")
    # The PRADA writes "Saint-Etienne", Ma Dada "Saint-Étienne": both are found.
    assert "Mairie de Saint-Etienne" in found
    assert "Point information jeunesse - Saint-Étienne 42218-01" in found
    for typed in ("saint etienne", "SAINT-ÉTIENNE", "etienne saint", "St-Étienne saint"[3:]):
        assert names(cli, "--search", typed) == found, typed
    # A city too: "La Défense" finds the bodies at "PARIS LA DEFENSE CEDEX".
    defense = cli("admin", "list", "--json", "--search", "La Défense", ok=True).json()
    assert defense and {a["city"] for a in defense} >= {"PARIS LA DEFENSE CEDEX"}
    assert "Défenseur des droits" not in [a["name"] for a in defense]  # Paris 75007
    assert names(cli, "--search", "défense la") == [a["name"] for a in defense]
    # Punctuation alone is no word: nothing, not everything.
    assert names(cli, "--search", "-'_%") == []


def test_every_write_path_keeps_the_keys(cli, profile, backend):
    added = cli("admin", "add", "Mairie d'Émanville", "--kind", "commune", "--postcode",
                "27190", "--city", "Émanville", "--json", ok=True).json()
    assert names(cli, "--search", "EMANVILLE") == ["Mairie d'Émanville"]
    assert names(cli, "--search", "27190") == ["Mairie d'Émanville"]
    cli("admin", "edit", added["id"], "--name", "Œuvre de l’Hôpital", ok=True)
    assert names(cli, "--search", "emanville") == ["Œuvre de l’Hôpital"]  # the city
    assert names(cli, "--search", "oeuvre hopital") == ["Œuvre de l’Hôpital"]
    assert names(cli, "--search", "mairie") == []

    ref = cli("new", "--to", added["id"], "--subject", "Vidéoprotection urbaine",
              "--doc", "Délibérations du conseil", "--json", ok=True).json()["reference"]

    def refs(text):
        return [r["reference"] for r in cli("list", "--search", text, "--json",
                                            ok=True).json()]

    for typed in ("VIDEOPROTECTION", "deliberations", "urbaine hôpital", ref,
                  ref.replace("-", " "), "conseil vidéo"):
        assert refs(typed) == [ref], typed
    assert refs("vidéoprotection lyon") == []  # every word must be found
    assert refs("%") == []


def _to_file(cli, tmp_path, *lines):
    path = tmp_path / "destinataires.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return cli("new", "--to-file", path, "--subject", "VSA", "--doc", "Contrat", "--json")


def test_to_file_by_name_postcode_or_identifier(cli, profile, tmp_path, backend):
    cli("admin", "import", ALAVETELI, ok=True)
    result = _to_file(
        cli, tmp_path,
        "MAIRIE DE SAINT-ETIENNE-DU-BOIS, 01370",  # folded name (no code) and postcode
        "mairie-73131-01",  # Ma Dada's identifier (Hautecour)
        "alaveteli:gendarmerie-97128-01",
        "Point information jeunesse - Saint-Étienne 42218-02",
    )
    assert result.exit_code == 0, result.stderr
    assert sorted(r["administration"]["name"] for r in result.json()) == [
        "Brigade de gendarmerie - Sainte-Anne 97128-01",
        "Mairie - Hautecour 73131-01",
        "Mairie - Saint-Étienne-du-Bois 01350-01",
        "Point information jeunesse - Saint-Étienne 42218-02",
    ]


def test_to_file_refuses_unknown_and_ambiguous_lines_with_suggestions(cli, profile, tmp_path,
                                                                       backend):
    for city, postcode in (("Saint-Claude", "39200"), ("Saint-Claude", "97120")):
        cli("admin", "add", "Mairie de Saint-Claude", "--kind", "commune", "--postcode",
            postcode, "--city", city, ok=True)
    cli("admin", "add", "Mairie de Saint-Étienne", "--kind", "commune", "--postcode", "42000",
        "--city", "Saint-Étienne", ok=True)
    result = _to_file(cli, tmp_path, "Mairie de St-Etiene", "mairie de saint claude",
                      "Préfecture de Nulle-Part")
    assert result.exit_code == 3
    assert "3 ligne(s) sans administration unique" in result.stderr
    assert ("ligne 1 : administration inconnue « Mairie de St-Etiene » ; la plus proche : "
            "n° 3 « Mairie de Saint-Étienne » 42000") in result.stderr
    assert "ligne 3 : administration inconnue « Préfecture de Nulle-Part »" in result.stderr
    assert "ligne 2 : « mairie de saint claude » désigne 2 administrations" in result.stderr
    assert "Traceback" not in result.stderr
    assert cli("list", "--json", ok=True).json() == []
    # The postal code tells them apart.
    chosen = _to_file(cli, tmp_path, "Mairie de Saint-Claude 97120", "42000")
    assert chosen.exit_code == 0, chosen.stderr
    assert sorted(r["administration"]["id"] for r in chosen.json()) == [2, 3]


@pytest.mark.parametrize("text", ["Saint-Étienne", "ÉTIENNE saint", "saint—étienne"])
def test_fold_is_the_same_function_everywhere(text):
    from cada_tracker.folding import admin_search_key, fold, name_key, search_words

    assert search_words(text) in (["saint", "etienne"], ["etienne", "saint"])
    assert fold(text) in ("saint etienne", "etienne saint")
    assert admin_search_key("Mairie de Saint-Étienne", "SAINT-ETIENNE CEDEX 1", "42007") == (
        "mairie de saint etienne saint etienne cedex 1 42007")
    assert name_key("Mairie - Saint-Étienne 42218-01") == name_key("Mairie de Saint-Etienne")
