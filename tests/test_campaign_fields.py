"""cada campaign field add / set / show: what the documents say, exported for a map."""

from __future__ import annotations

import csv
import io

import pytest


@pytest.fixture
def campaign(cli, admin_id):
    other = cli("admin", "add", "Mairie de Bron", "--kind", "commune", "--postcode", "69500",
                "--city", "Bron", "--department", "69", "--json", ok=True).json()["id"]
    cli("new", "--to", admin_id, "--to", other, "--subject", "VSA", "--doc", "Contrat",
        "--campaign", "vsa-69", ok=True)
    rows = cli("campaign", "show", "vsa-69", "--json", ok=True).json()["requests"]
    by_admin = {r["administration"]: r["reference"] for r in rows}
    return by_admin["Mairie de Lyon"], by_admin["Mairie de Bron"]


def test_fields_are_typed_and_exported_per_administration(backend, cli, campaign):
    lyon, bron = campaign
    cli("campaign", "field", "add", "vsa-69", "nombre_cameras", "--type", "int", ok=True)
    cli("campaign", "field", "add", "vsa-69", "fournisseur", "--type", "choice",
        "--choices", "Briefcam,Idemia,autre", ok=True)
    cli("campaign", "field", "add", "vsa-69", "vsa", "--type", "bool", ok=True)
    cli("campaign", "field", "add", "vsa-69", "montant", "--type", "int", ok=True)
    cli("campaign", "set", lyon, "nombre_cameras", "12", ok=True)
    cli("campaign", "set", lyon, "nombre_cameras", "1 250", ok=True)  # corrected: replaces
    cli("campaign", "set", lyon, "fournisseur", "BRIEFCAM", ok=True)
    cli("campaign", "set", lyon, "vsa", "Oui", ok=True)
    cli("campaign", "set", bron, "vsa", "non", ok=True)

    report = cli("campaign", "show", "vsa-69", "--json", ok=True).json()
    assert [f["name"] for f in report["fields"]] == ["nombre_cameras", "fournisseur", "vsa",
                                                     "montant"]
    rows = {r["reference"]: r for r in report["requests"]}
    assert rows[lyon]["fields"] == {"nombre_cameras": 1250, "fournisseur": "Briefcam",
                                    "vsa": True, "montant": None}
    assert rows[bron]["fields"]["vsa"] is False
    assert (rows[bron]["postcode"], rows[bron]["city"], rows[bron]["department"]) \
        == ("69500", "Bron", "69")

    table = list(csv.DictReader(io.StringIO(cli("campaign", "show", "vsa-69", "--csv",
                                                ok=True).stdout)))
    by_ref = {r["reference"]: r for r in table}
    assert by_ref[lyon]["nombre_cameras"] == "1250" and by_ref[lyon]["vsa"] == "oui"
    assert by_ref[bron]["postcode"] == "69500" and by_ref[bron]["montant"] == ""
    assert by_ref[bron]["administration"] == "Mairie de Bron"


@pytest.mark.parametrize("args, message", [
    (("field", "add", "inconnue", "x", "--type", "int"), "Aucune campagne « inconnue »"),
    (("field", "add", "vsa-69", "x", "--type", "date"), "n'est pas un type possible"),
    (("field", "add", "vsa-69", "x", "--type", "choice"), "au moins deux choix"),
    (("field", "add", "vsa-69", "x", "--type", "int", "--choices", "a,b"), "--type choice"),
    (("field", "add", "vsa-69", "nom avec espace", "--type", "text"), "invalide"),
])
def test_bad_field_definitions_are_refused_in_french(cli, campaign, args, message):
    result = cli("campaign", *args)
    assert result.exit_code in (2, 3) and message in result.stderr, result.stderr


def test_bad_values_are_refused_and_nothing_is_stored(cli, campaign, draft_ref):
    lyon = campaign[0]
    cli("campaign", "field", "add", "vsa-69", "nombre_cameras", "--type", "int", ok=True)
    cli("campaign", "field", "add", "vsa-69", "fournisseur", "--type", "choice",
        "--choices", "Briefcam,Idemia", ok=True)
    again = cli("campaign", "field", "add", "vsa-69", "fournisseur", "--type", "text")
    assert again.exit_code == 2 and "déjà un champ" in again.stderr
    for field, value, message in [("nombre_cameras", "douze", "nombre entier"),
                                  ("nombre_cameras", "3,5", "nombre entier"),
                                  ("fournisseur", "Hikvision", "Briefcam, Idemia"),
                                  ("vendeur", "x", "pas de champ « vendeur »")]:
        result = cli("campaign", "set", lyon, field, value)
        assert result.exit_code in (2, 3) and message in result.stderr, result.stderr
    outside = cli("campaign", "set", draft_ref, "nombre_cameras", "3")
    assert outside.exit_code == 4 and "aucune campagne" in outside.stderr
    report = cli("campaign", "show", "vsa-69", "--json", ok=True).json()
    assert all(v is None for r in report["requests"] for v in r["fields"].values())


def test_values_from_documents_are_shown_as_text(cli, campaign):
    cli("campaign", "field", "add", "vsa-69", "fournisseur", "--type", "text", ok=True)
    cli("campaign", "set", campaign[0], "fournisseur", "[bold]Briefcam[/] [/]", ok=True)
    shown = cli("campaign", "show", "vsa-69", ok=True)
    assert "[bold]Briefcam[/] [/]" in shown.stdout
