"""Both real directories parsed whole (fixtures in conftest.py), and a handful of their
rows checked end to end."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from cada_tracker.directory import AdminRecord


def by_name(result, name: str) -> AdminRecord:
    (record,) = [r for r in result.records if r.name == name]
    return record


def warnings_at(result, line: int) -> list[str]:
    return [w.message for w in result.warnings if w.line == line]


# --- PRADA -------------------------------------------------------------------


def test_prada_whole_file(prada):
    assert prada.format == "prada"
    assert prada.encoding == "utf-8"
    assert prada.delimiter == ","
    # 1,704 data rows and 1,704 records: no row is rejected, and no two rows share a
    # key (same department column and same normalised name), so nothing is deduplicated.
    assert prada.rows_read == 1704
    assert len(prada.records) == 1704
    assert prada.errors == []
    assert prada.duplicates == []
    # Every row has a postal line; each one gives a 5-digit code and a city.
    assert all(re.fullmatch(r"\d{5}", r.postcode) for r in prada.records)
    assert all(r.city for r in prada.records)
    # Lines are where each record starts: the header is line 1, the file ends line 5667.
    lines = [r.line for r in prada.records]
    assert lines[0] == 2 and lines == sorted(lines) and lines[-1] < 5667


def test_prada_warnings_are_counted_and_explained(prada):
    # 23 warnings on kept rows: 8 Corsican "20" refined to 2A/2B and 7 Réunion rows
    # filed under "977"/"978" (their CEDEX prefixes) set to 974; "970" unknown (1);
    # 3 unusable e-mails dropped and 1 repaired; 3 phone/fax/mail lines removed from
    # one postal address (Oloron-Sainte-Marie).
    kinds = Counter(w.message.split(" « ")[0] for w in prada.warnings)
    assert kinds == {"département": 16, "courriel": 4, "ligne d'adresse": 3}
    assert len(prada.warnings) == 23
    refined = Counter(
        (m.group(1), m.group(2))
        for w in prada.warnings
        if (m := re.match(r"département « (\w+) » remplacé par « (\w+) »", w.message))
    )
    assert refined == {("20", "2A"): 4, ("20", "2B"): 4, ("977", "974"): 2, ("978", "974"): 5}


def test_la_roche_sur_yon_agglomeration(prada):
    record = by_name(prada, "La Roche-sur-Yon Agglomération")
    assert record == AdminRecord(
        key="prada:85:la roche-sur-yon agglomeration",
        name="La Roche-sur-Yon Agglomération",
        kind="intercommunalite",
        addressee="Monsieur le président de La Roche-sur-Yon Agglomération",
        street_lines=(
            "Direction générale - A l'attention de Monsieur Gilbert OLIER",
            "Hôtel de Ville Agglomération",
            "Place du Théâtre - BP 829",
        ),
        postcode="85021",
        city="LA ROCHE-SUR-YON CEDEX",
        email="gilbert.olier@larochesuryon.fr",
        prada_name="Gilbert OLIER",
        prada_email="gilbert.olier@larochesuryon.fr",
        department="85",  # written unquoted in the file
    )
    assert record.line == 2
    assert record.postal_lines[-1] == "85021 LA ROCHE-SUR-YON CEDEX"


def test_bourg_en_bresse_has_no_email(prada):
    record = by_name(prada, "Mairie de Bourg-en-Bresse")
    assert record.line == 10
    assert record.email is None and record.prada_email is None and record.web_form is None
    assert record.department == "01"  # quoted "01" in the file, leading zero kept
    assert record.postcode == "01012"
    assert record.city == "BOURG-EN-BRESSE CEDEX"
    assert record.kind == "commune"
    assert record.addressee == "Monsieur le maire"
    assert record.prada_name == "Cécile BUISSON-SCREVE"
    assert warnings_at(prada, 10) == []


def test_corsica_department_refined_key_kept(prada):
    ajaccio = by_name(prada, "Mairie d'Ajaccio")
    assert ajaccio.postcode == "20304" and ajaccio.city == "AJACCIO CEDEX"
    assert ajaccio.department == "2A"  # "20" in the file
    assert ajaccio.key == "prada:20:mairie d'ajaccio"  # the key keeps the file's column
    assert warnings_at(prada, ajaccio.line) == [
        "département « 20 » remplacé par « 2A » d'après le code postal « 20304 »"
    ]
    bastia = by_name(prada, "Préfecture de la Haute-Corse")
    assert (bastia.kind, bastia.department, bastia.postcode) == ("prefecture", "2B", "20401")


def test_overseas_rows(prada):
    papeete = by_name(prada, "Mairie de Papeete")
    assert (papeete.department, papeete.postcode, papeete.city) == (
        "987",
        "98713",
        "PAPEETE CEDEX",
    )
    reunion = by_name(prada, "Conseil régional de la Réunion")
    assert reunion.kind == "region"
    assert reunion.department == "974"  # "978" (Saint-Martin) in the file
    assert reunion.key == "prada:978:conseil regional de la reunion"
    assert (reunion.postcode, reunion.city) == ("97829", "LE PORT CEDEX")
    saint_martin = by_name(prada, "Conseil territorial de Saint-Martin")
    assert saint_martin.department is None  # "970" is no department; 97054 says nothing
    assert warnings_at(prada, 5475) == ["département « 970 » inconnu, ignoré"]


def test_messy_addresses(prada):
    # Double spaces in the postal line are collapsed; CEDEX stays in the city line.
    marne = [r for r in prada.records if r.postcode == "77315"]
    assert [r.city for r in marne] == ["MARNE-LA-VALLEE CEDEX 2"]
    # Phone, fax and e-mail lines and blank lines leave the postal address.
    oloron = by_name(prada, "Mairie d'Oloron-Sainte-Marie")
    assert oloron.street_lines == (
        "Direction générale des services - A l'attention de Monsieur Laurent PARIS",
        "Directeur Général des Services",
        "BP 138",
    )
    assert len(warnings_at(prada, oloron.line)) == 3
    # "Madamela directrice…" is a typo for "Madame la directrice…".
    ars = by_name(prada, "Agence régionale de santé de Normandie (Direction générale)")
    assert ars.addressee == (
        "Madame la directrice générale de l'Agence régionale de santé de Normandie"
    )
    assert ars.kind == "etablissement_public"
    # A first line that names no addressee stays a postal line.
    barentin = by_name(prada, "Mairie de Barentin")
    assert barentin.addressee is None
    assert barentin.street_lines == ("Mairie de Barentin", "Service Elections/Cimetière", "BP 12")
    # A one-line address is only the addressee.
    urssaf = by_name(prada, "URSSAF d'Ile-de-France")
    assert urssaf.addressee == "Monsieur le directeur de l'URSSAF d'Ile-de-France"
    assert urssaf.street_lines == ()
    # A lower-case article still marks an addressee.
    assert any(r.addressee and r.addressee.startswith("le Président") for r in prada.records)


def test_emails_repaired_or_dropped(prada):
    fontenay = [r for r in prada.records if r.line == 5025][0]
    assert fontenay.email == "frederic.cadet@fontenay-aux-roses.fr"
    dropped = [w for w in prada.warnings if w.message.endswith("invalide, ignoré")]
    assert sorted(w.message for w in dropped if w.field == "Courriel 1 PRADA") == [
        "courriel « aunaycaumontintercom@wanadoo » invalide, ignoré",
        "courriel « e.val@mb-agglo » invalide, ignoré",
        "courriel « prada.doubs.fr » invalide, ignoré",
    ]
    # 193 rows have an empty e-mail cell, 3 more an unusable one.
    assert sum(r.email is None for r in prada.records) == 196


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Mairie de Bourg-en-Bresse", "commune"),
        ("Mairie d'Oyonnax", "commune"),
        ("Ville de PERENCHIES", "commune"),
        ("Communauté de communes du pays de Bâgé", "intercommunalite"),
        ("Communauté d'agglomération du pays Ajaccien", "intercommunalite"),
        ("Communauté d’agglomération Vichy Communauté", "intercommunalite"),
        ("Communauté urbaine de Dunkerque", "intercommunalite"),
        ("Métropole de Lyon", "intercommunalite"),
        ("Toulouse Métropole", "intercommunalite"),
        ("Eurométropole de Strasbourg", "intercommunalite"),
        ("Laval Agglomération", "intercommunalite"),
        ("Mauges Communauté", "intercommunalite"),
        ("Conseil départemental de l'Ain (CD 01)", "departement"),
        ("Conseil régional de Bretagne", "region"),
        ("Préfecture de l'Ain", "prefecture"),
        ("Ministère des Armées", "ministere"),
        ("Centre hospitalier de Bastia", "etablissement_public"),
        ("Syndicat mixte Centre Nord Atlantique", "etablissement_public"),
        (
            "Service départemental d'incendie et de secours du Nord (SDIS 59)",
            "etablissement_public",
        ),
        ("Université de Lille", "etablissement_public"),
        ("Rectorat de l'académie de Corse (AC 20)", "autre"),
        ("Caisse d'allocations familiales de Paris (CAF 75)", "autre"),
        ("SNCF", "autre"),
    ],
)
def test_kinds_on_real_rows(prada, name, kind):
    matches = [r for r in prada.records if r.name == name]
    assert matches, f"{name!r} is no longer in the file"
    assert matches[0].kind == kind


def test_prada_kind_counts(prada):
    assert Counter(r.kind for r in prada.records) == {
        "commune": 691,
        "intercommunalite": 573,
        "etablissement_public": 116,
        "autre": 96,
        "departement": 96,
        "prefecture": 94,
        "region": 24,
        "ministere": 14,
    }


# --- Alaveteli ---------------------------------------------------------------


def test_alaveteli_whole_file(alaveteli):
    assert alaveteli.format == "alaveteli"
    # 5,000 rows, 5,000 distinct #id: no error, no duplicate.
    assert alaveteli.rows_read == 5000
    assert len(alaveteli.records) == 5000
    assert alaveteli.errors == []
    assert alaveteli.duplicates == []
    # Every row's notes hold an address; every postal code ends up 5 digits: 772 lost
    # their leading zero in the source (6910 for 06910) and are completed, with a warning.
    assert all(re.fullmatch(r"\d{5}", r.postcode) for r in alaveteli.records)
    assert all(r.city and r.department for r in alaveteli.records)
    padded = [w for w in alaveteli.warnings if "zéro initial perdu" in w.message]
    assert len(padded) == 772
    # The only other warning: "mairie@bregnier-.fr" (a domain cannot end with "-").
    others = [w.message for w in alaveteli.warnings if w not in padded]
    assert others == ["courriel « mairie@bregnier-.fr » invalide, ignoré"]
    # The sample holds no web form URL in request_email (see test_formats.py for
    # one); every request_email but that one is a valid e-mail.
    assert sum(r.web_form is not None for r in alaveteli.records) == 0
    assert sum(r.email is not None for r in alaveteli.records) == 4999


def test_gendarmerie_sainte_anne(alaveteli):
    record = [r for r in alaveteli.records if r.key == "alaveteli:gendarmerie-97128-01"][0]
    assert record == AdminRecord(
        key="alaveteli:gendarmerie-97128-01",
        name="Brigade de gendarmerie - Sainte-Anne 97128-01",
        kind="autre",
        street_lines=("1 Impasse Joas Section Castaing",),
        postcode="97180",
        city="Sainte-Anne",
        email="bta.ste-anne@gendarmerie.interieur.gouv.fr",
        department="971",
        tags=("gendarmerie",),
    )
    assert record.line == 2


def test_alaveteli_leading_zero_and_departments(alaveteli):
    aiglun = [r for r in alaveteli.records if r.key == "alaveteli:mairie-06001-01"][0]
    assert (aiglun.postcode, aiglun.city, aiglun.department, aiglun.kind) == (
        "06910",
        "Aiglun",
        "06",
        "commune",
    )
    assert warnings_at(alaveteli, aiglun.line) == [
        "code postal « 6910 » complété en « 06910 » (zéro initial perdu)"
    ]
    # "2000" is Laon (02000), not Corsica.
    laon = [r for r in alaveteli.records if r.key == "alaveteli:cg-02408-01"][0]
    assert (laon.postcode, laon.department, laon.kind) == ("02000", "02", "departement")
    # A Réunion CEDEX code (978xx) is La Réunion, not Saint-Martin.
    saint_louis = [r for r in alaveteli.records if r.key == "alaveteli:cio-97414-01"][0]
    assert (saint_louis.postcode, saint_louis.city, saint_louis.department) == (
        "97899",
        "Saint-Louis Cedex 3",
        "974",
    )
    mont_dore = [r for r in alaveteli.records if r.key == "alaveteli:mairie_com-98817-01"][0]
    assert mont_dore.department == "988"
    # A street containing commas: only the last two commas split the address.
    assert mont_dore.street_lines == ("4468, avenue des Deux-Baies - BP 3 - Boulari",)


def test_alaveteli_tags_and_mojibake(alaveteli):
    epci = [r for r in alaveteli.records if r.key == "alaveteli:epci-02037-01"][0]
    assert epci.tags == ("epci", "communaute_agglomerations")
    assert epci.kind == "intercommunalite"
    # The source holds C1 characters (a Windows-1252 "’" read as Latin-1): repaired.
    cio = [r for r in alaveteli.records if r.key == "alaveteli:cio-93048-01"][0]
    assert cio.name == "Centre d’information et d’orientation (CIO) - Montreuil 93048-01"
    assert not any(re.search("[\x80-\x9f]", r.name) for r in alaveteli.records)
