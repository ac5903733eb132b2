"""The administration as a French noun phrase, and the salutation by title alone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cada_tracker.designation import derive, forms, salutation
from cada_tracker.directory import parse_directory

GOLDEN = Path(__file__).parent / "golden"
DATA = Path(__file__).parents[1] / "directory" / "data"
BARE_NAME = re.compile(r"\b(?:à|par|de) (?:Mairie|Préfecture|Conseil|Agence|Communauté)\b")
SALUTATION = re.compile(r"<p>((?:Monsieur|Madame)[^<]*),</p>")


@pytest.mark.parametrize(("name", "kind", "expected"), [
    ("Mairie de Nice", "commune", "la commune de Nice"),
    ("Mairie d'Ajaccio", "commune", "la commune d’Ajaccio"),
    ("Mairie du Havre", "commune", "la commune du Havre"),
    ("Mairie - Saint-Maur 60588-01", "commune", "la commune de Saint-Maur"),
    ("Préfecture du Rhône", "prefecture", "la préfecture du Rhône"),
    ("Conseil départemental des Bouches-du-Rhône (CD 13)", "departement",
     "le département des Bouches-du-Rhône"),
    ("Conseil régional de Bretagne", "region", "la région Bretagne"),
    ("Communauté de communes Rhône Valloire", "intercommunalite",
     "la communauté de communes Rhône Valloire"),
    ("Agence nationale pour la gestion des déchets radioactifs (ANDRA)",
     "etablissement_public",
     "l’Agence nationale pour la gestion des déchets radioactifs (ANDRA)"),
    ("Hôpital de la Croix-Rousse", "etablissement_public", "l’Hôpital de la Croix-Rousse"),
    ("Ministère de l'Intérieur", "ministere", "le ministère de l’Intérieur"),
    ("Toulouse Métropole", "intercommunalite", "Toulouse Métropole"),
    ("La Roche-sur-Yon Agglomération", "intercommunalite", "La Roche-sur-Yon Agglomération"),
])
def test_derive(name, kind, expected):
    assert derive(name, kind) == expected


def test_forms_contract_the_article():
    assert forms("le département du Rhône") == {
        "le": "le département du Rhône", "Le": "Le département du Rhône",
        "a": "au département du Rhône", "de": "du département du Rhône",
        "par": "par le département du Rhône"}
    assert forms("les Haras nationaux")["a"] == "aux Haras nationaux"
    assert forms("l’Agence X")["de"] == "de l’Agence X"
    assert forms("Orange")["de"] == "d’Orange"
    assert forms("la commune de Nice")["a"] == "à la commune de Nice"


@pytest.mark.parametrize(("addressee", "expected"), [
    ("Monsieur le maire", "Monsieur le Maire"),
    ("Monsieur le préfet du Rhône", "Monsieur le Préfet"),
    ("Madame le préfet", "Madame la Préfète"),
    ("Madame la présidente de la communauté de communes X", "Madame la Présidente"),
    ("Monsieur le directeur général de l'Agence nationale pour la gestion des déchets "
     "radioactifs (ANDRA)", "Monsieur le Directeur général"),
    ("Le directeur", "Madame, Monsieur"),
    (None, "Madame, Monsieur"),
])
def test_salutation_is_the_title_alone(addressee, expected):
    assert salutation(addressee) == expected


def test_no_real_administration_is_named_bare():
    for source in ("annuaire_des_prada.csv", "administrations_alaveteli_sample.csv"):
        for record in parse_directory(DATA / source).records:
            phrase = forms(derive(record.name, record.kind))
            for form in ("a", "de", "par"):
                assert not BARE_NAME.search(phrase[form]), (record.name, phrase[form])
            title = salutation(record.addressee)
            # The title alone: nothing of the administration's name after it.
            assert len(title.split()) <= 5 and not re.search(r" (de|du|des|d’)\b", title), (
                record.addressee, title)


def test_golden_letters_name_administrations_as_noun_phrases():
    for path in sorted(GOLDEN.glob("*.html")):
        text = path.read_text(encoding="utf-8")
        assert not BARE_NAME.search(text), (path.name, BARE_NAME.search(text).group())
        for title in SALUTATION.findall(text):
            # The title alone: "Monsieur le Maire", never "… de l'Agence …".
            assert len(title.split()) <= 4 and " de " not in title, (path.name, title)


def test_admin_designation_is_derived_editable_and_used(cli, tmp_path):
    admin = cli("admin", "add", "Mairie de Villeurbanne", "--kind", "commune",
                "--addressee", "Monsieur le maire", "--postcode", "69100",
                "--city", "Villeurbanne", "--json", ok=True).json()
    assert admin["designation"] == "la commune de Villeurbanne"
    edited = cli("admin", "edit", admin["id"], "--designation",
                 "la ville de Villeurbanne", "--json", ok=True).json()
    assert edited["designation"] == "la ville de Villeurbanne"
    shown = cli("admin", "show", admin["id"], ok=True).stdout
    assert "la ville de Villeurbanne" in shown
    back = cli("admin", "edit", admin["id"], "--designation", "", "--json", ok=True).json()
    assert back["designation"] == "la commune de Villeurbanne"
