"""One request to many administrations: selections, one transaction, the series rule."""

from __future__ import annotations

import pytest

from tests.conftest import set_reference


# Every test here runs on SQLite and on PostgreSQL.
pytestmark = pytest.mark.usefixtures("backend")


def _admin(cli, name, *extra):
    return cli("admin", "add", name, "--kind", "commune", "--postcode", "69001", "--city",
               name.split()[-1], *extra, "--json", ok=True).json()["id"]


def test_selection_is_the_intersection_of_filters(cli, profile, tmp_path):
    lyon = _admin(cli, "Mairie de Lyon", "--tag", "vsa")
    _admin(cli, "Mairie de Villeurbanne")
    cli("admin", "add", "Mairie de Nice", "--kind", "commune", "--postcode", "06000",
        "--city", "Nice", "--tag", "vsa", ok=True)
    created = cli("new", "--to-tag", "vsa", "--to-department", "69", "--subject", "VSA",
                  "--doc", "Contrat", "--json", ok=True).json()
    assert [r["administration"]["id"] for r in created] == [lyon]
    names = tmp_path / "liste.txt"
    names.write_text("# destinataires\nMairie de Villeurbanne\nmairie de nice\n")
    from_file = cli("new", "--to-file", names, "--subject", "Drones", "--doc", "Autorisations",
                    "--campaign", "drones", "--json", ok=True).json()
    assert sorted(r["administration"]["name"] for r in from_file) == [
        "Mairie de Nice", "Mairie de Villeurbanne"]
    assert {r["campaign"] for r in from_file} == {"drones"}


def test_each_letter_names_its_own_administration(cli, profile):
    ids = [_admin(cli, f"Mairie de Ville{i}") for i in range(3)]
    args = [a for i in ids for a in ("--to", str(i))]
    created = cli("new", *args, "--subject", "Caméras", "--doc", "Liste", "--json",
                  ok=True).json()
    assert len(created) == 3 and len({r["campaign"] for r in created}) == 1
    for request in created:
        html = cli("show", request["reference"], "--json", "--letter", ok=True).json()["letter_html"]
        own = request["administration"]["name"]
        assert own in html
        assert all(other["administration"]["name"] not in html
                   for other in created if other is not request)


def test_series_of_five_is_announced(cli, profile):
    for i in range(5):
        _admin(cli, f"Mairie de Commune{i}", "--tag", "rhone")
    result = cli("new", "--to-tag", "rhone", "--subject", "VSA", "--doc", "Contrat",
                 "--campaign", "vsa", ok=True)
    assert "L342-1" in result.stderr and "cada refer --campaign" in result.stderr
    assert len(cli("list", "--campaign", "vsa", "--json", ok=True).json()) == 5


def test_bad_selection_creates_nothing(cli, profile, tmp_path):
    _admin(cli, "Mairie de Lyon")
    names = tmp_path / "liste.txt"
    names.write_text("Mairie de Lyon\nMairie de Nulle-Part\n")
    result = cli("new", "--to-file", names, "--subject", "X", "--doc", "Y")
    assert result.exit_code == 3 and "ligne 2" in result.stderr and "Nulle-Part" in result.stderr
    assert cli("list", "--json", ok=True).json() == []
    none = cli("new", "--to-kind", "region", "--subject", "X", "--doc", "Y")
    assert none.exit_code == 3 and "Aucune administration" in none.stderr


def test_references_go_past_9999(cli, admin_id, isolated_home):
    """As text "2026-10000" sorts before "2026-9999": numbering must not loop back."""
    first = cli("new", "--to", admin_id, "--subject", "A", "--doc", "x", "--json",
                ok=True).json()["reference"]
    year = first[:4]
    set_reference(first, f"{year}-9999")
    refs = [cli("new", "--to", admin_id, "--subject", "B", "--doc", "y", "--json",
                ok=True).json()["reference"] for _ in range(2)]
    assert refs == [f"{year}-10000", f"{year}-10001"]


def test_long_subjects_are_refused_and_the_longest_allowed_fits_the_index(cli, admin_id):
    too_long = cli("new", "--to", admin_id, "--subject", "x" * 301, "--doc", "d")
    assert too_long.exit_code == 2 and "300" in too_long.stderr
    widest = "𝔙" * 300  # 4 bytes each in UTF-8: the overdue index row stays under its limit
    ref = cli("new", "--to", admin_id, "--subject", widest, "--campaign", "𝔠" * 100, "--doc",
              "d", "--json", ok=True).json()["reference"]
    cli("sent", ref, "--on", "2026-01-05", "--via", "lrar", ok=True)
    cli("received", ref, "--on", "2026-01-07", ok=True)
    assert cli("overdue", "--today", "2026-03-01", "--json").json()["action_needed"]
