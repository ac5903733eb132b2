"""The table of tribunaux administratifs (R221-3 CJA) and the court a draft names."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from cada_tracker.postal import MAX_CHARS, MAX_LINES
from cada_tracker.tribunals import competent_tribunal, tribunal_named, tribunals


METROPOLE = [f"{n:02d}" for n in range(1, 96) if n != 20] + ["2A", "2B"]
OVERSEAS = ["971", "972", "973", "974", "975", "976", "977", "978", "986", "987", "988"]


def test_every_department_has_exactly_one_tribunal():
    counts = Counter(code for t in tribunals() for code in t.departments)
    assert set(counts) == set(METROPOLE + OVERSEAS)
    assert set(counts.values()) == {1}
    assert len(tribunals()) == 42  # 31 in metropolitan France, 11 overseas


@pytest.mark.parametrize(("department", "name"), [
    ("69", "Tribunal administratif de Lyon"),
    ("93", "Tribunal administratif de Montreuil"),   # since 2009
    ("92", "Tribunal administratif de Cergy-Pontoise"),  # 2015: no longer Paris
    ("30", "Tribunal administratif de Nîmes"),
    ("83", "Tribunal administratif de Toulon"),
    ("2A", "Tribunal administratif de Bastia"),
    ("971", "Tribunal administratif de la Guadeloupe"),  # seat Basse-Terre (R221-1)
    ("974", "Tribunal administratif de La Réunion"),
])
def test_known_departments(department, name):
    assert competent_tribunal(department).name == name


def test_addresses_end_with_postcode_and_city():
    lyon = competent_tribunal("69")
    assert lyon.address_lines == ("184 rue Duguesclin", "69433 Lyon Cedex 03")
    assert competent_tribunal("64").address_lines == ("Villa Noulibos", "50 cours Lyautey",
                                                      "64000 Pau")
    for t in tribunals():
        if t.address_lines:
            assert t.address_lines[-1].split()[0].isdigit(), t.name
    assert competent_tribunal("83").address_lines == ()  # unknown: left to fill in
    assert competent_tribunal(None) is None and competent_tribunal("99") is None
    assert tribunal_named("tribunal administratif d'amiens").seat == "Amiens"


# The courts for which no reliable source gave a greffe address (see the module's
# docstring): their drafts leave the address to fill in. Filling one in means
# removing it here.
# Marseille moved in 2022 and its new address is not established.
UNKNOWN = {"Marseille", "Toulon", "Schœlcher", "Mamoudzou", "Papeete", "Saint-Pierre"}


def test_every_court_but_the_unsourced_has_an_address_that_fits_the_window():
    assert {t.seat for t in tribunals() if not t.address_lines} == UNKNOWN
    for t in tribunals():
        if not t.address_lines:
            assert not (t.street or t.city), t.name  # a half-filled row would print
            continue
        lines = t.address_lines
        # The draft prints the court's name and "Greffe" above these lines.
        assert len(lines) + 2 <= MAX_LINES, t.name
        assert all(0 < len(line) <= MAX_CHARS for line in lines), t.name
        assert re.fullmatch(r"\d{5} [^\d\s].*", lines[-1]), t.name
        assert not any(re.fullmatch(r"\d{5} .*", line) for line in lines[:-1]), t.name


def test_courts_without_a_greffe_of_their_own_carry_the_one_that_handles_them():
    noumea = competent_tribunal("988").address_lines
    assert noumea == ("BP Q3", "98851 Nouméa Cedex")
    wallis = competent_tribunal("986")
    assert wallis.name == "Tribunal administratif de Wallis-et-Futuna"
    assert wallis.address_lines == ("TA de Nouvelle-Calédonie", *noumea)
    basse_terre = competent_tribunal("971").address_lines
    assert competent_tribunal("977").address_lines == basse_terre  # R221-3, last §
    assert competent_tribunal("978").address_lines == basse_terre
    assert competent_tribunal("93").address_lines == ("7 rue Catherine Puig", "93100 Montreuil")


def test_martinique_sits_at_schoelcher():
    # Décret n° 2015-1444 of 6 November 2015 moved the seat from Fort-de-France.
    martinique = competent_tribunal("972")
    assert (martinique.seat, martinique.name) == ("Schœlcher",
                                                   "Tribunal administratif de la Martinique")


def test_every_row_names_its_source():
    import csv

    from cada_tracker.tribunals import TABLE

    with TABLE.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 42 and all(row["source"].strip() for row in rows)
