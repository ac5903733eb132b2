"""The table of tribunaux administratifs (R221-3 CJA) and the court a draft names."""

from __future__ import annotations

from collections import Counter
import pytest

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
    assert competent_tribunal("93").address_lines == ()  # unknown: left to fill in
    assert competent_tribunal(None) is None and competent_tribunal("99") is None
    assert tribunal_named("tribunal administratif d'amiens").seat == "Amiens"
