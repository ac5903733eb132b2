"""cada list: the total counted in SQL, one page read at a time, exports streamed.

Pages are made small (``LIST_PAGE``) and the export's chunks tiny (``STREAM_CHUNK``)
so that a handful of requests crosses every boundary, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from cada_tracker.cli import request_cmds
from cada_tracker.services import request_list

pytestmark = pytest.mark.usefixtures("backend")

SUBJECTS = ['=HYPERLINK("https://evil.example";"clic")', "+33 1 23 45 67 89", "Vidéo",
            "@SUM(A1)", "Drones"]


@pytest.fixture
def five(cli, profile, monkeypatch):
    """Five requests, one per administration (the last named like a formula)."""
    monkeypatch.setattr(request_cmds, "LIST_PAGE", 2)
    monkeypatch.setattr(request_list, "STREAM_CHUNK", 2)
    refs = []
    for i, subject in enumerate(SUBJECTS):
        name = "-Mairie piégée" if i == 4 else f"Mairie de Ville{i}"
        admin = cli("admin", "add", "--kind", "commune", "--postcode", "69001",
                    "--city", "Lyon", "--json", "--", name, ok=True).json()["id"]
        created = cli("new", "--to", admin, "--subject", subject, "--doc", "Contrat",
                      "--campaign", "pair" if i % 2 == 0 else "impair", "--json",
                      ok=True).json()
        refs.append(created["reference"])
    return sorted(refs)


def _refs_in(table: str, refs: list[str]) -> list[str]:
    return [r for r in refs if r in table]


def test_first_page_and_total(cli, five):
    shown = cli("list", ok=True).stdout
    assert "5 demande(s), 2 affichées (--all pour tout, --csv pour exporter)" in shown
    assert _refs_in(shown, five) == five[:2]
    everything = cli("list", "--all", ok=True).stdout
    assert "5 demande(s)" in everything and "affichées" not in everything
    assert _refs_in(everything, five) == five


def test_later_pages_follow_the_sort(cli, five):
    second = cli("list", "--page", "2", ok=True).stdout
    assert "5 demande(s), page 2 sur 3, 2 affichées" in second
    assert _refs_in(second, five) == five[2:4]
    last = cli("list", "--page", "3", ok=True).stdout
    assert _refs_in(last, five) == five[4:]
    beyond = cli("list", "--page", "4")
    assert beyond.exit_code == 2
    assert "--page : la page 4 n'existe pas (5 demande(s), 3 page(s) de 2)" in beyond.stderr


def test_filters_are_counted_too(cli, five):
    even = cli("list", "--campaign", "pair", ok=True).stdout
    assert "3 demande(s), 2 affichées" in even
    searched = cli("list", "--search", "ville1", ok=True).stdout  # an administration's name
    assert "1 demande(s)" in searched and _refs_in(searched, five) == [five[1]]
    assert "Aucune demande ne correspond." in cli("list", "--campaign", "aucune",
                                                  ok=True).stderr


def test_page_is_for_the_table_only(cli, five):
    for other in ("--all", "--csv", "--json"):
        refused = cli("list", "--page", "2", other)
        assert refused.exit_code == 2 and "--page choisit une page du tableau" in refused.stderr
    assert cli("list", "--csv", "--json").exit_code == 2


def test_csv_export_streams_every_row_made_inert(cli, five):
    exported = cli("list", "--csv", "--all", ok=True).stdout
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert [r["reference"] for r in rows] == five  # three chunks of two rows, in order
    assert list(rows[0]) == list(request_list.COLUMNS)
    subjects = {r["subject"] for r in rows}
    assert subjects == {"'" + s if s[0] in "=+-@" else s for s in SUBJECTS}
    assert "'-Mairie piégée" in {r["administration"] for r in rows}
    assert all(r["sent_on"] == "" and r["status"] == "draft" for r in rows)
    raw = list(csv.DictReader(io.StringIO(cli("list", "--csv", "--raw-csv", ok=True).stdout)))
    assert {r["subject"] for r in raw} == set(SUBJECTS)


def test_json_is_the_whole_list(cli, five):
    from cada_tracker.cli.output import to_json

    written = cli("list", "--json", ok=True).stdout
    listed = json.loads(written)
    assert written == to_json(listed) + "\n"  # streamed, yet what one dump would write
    assert [r["reference"] for r in listed] == five
    assert {r["subject"] for r in listed} == set(SUBJECTS)  # JSON is not for spreadsheets
    assert cli("list", "--json", "--campaign", "aucune", ok=True).json() == []


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)  # the plan checked is SQLite's
@pytest.mark.parametrize("sort", sorted(set(request_list.SORTS) - {"admin"}))
def test_every_sort_reads_a_page_along_an_index(sort, cli, profile):
    """No sort of the whole table to show one page (SQLite's plan; migration 0013).
    (--sort admin goes along the administrations' names, a plan SQLite picks from the
    table sizes: an empty database does not show it.)"""
    from sqlalchemy.dialects import sqlite

    from cada_tracker.cli.common import reading

    query = request_list._rows(request_list.ListFilter(sort=sort), list(
        request_list.COLUMNS.values())).limit(50)
    sql = str(query.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
    with reading() as conn:
        plan = " ".join(row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))
    assert "SCAN request USING INDEX" in plan, plan
    assert "TEMP B-TREE FOR ORDER BY" not in plan, plan


def test_admin_list_reads_one_page_and_counts(cli, profile, monkeypatch):
    from cada_tracker.cli import admin_cmds

    monkeypatch.setattr(admin_cmds, "LIST_PAGE", 2)
    for name in ("Mairie de Caen", "Mairie d'Albi", "Mairie de Brest"):
        cli("admin", "add", name, "--kind", "commune", "--postcode", "14000", "--city",
            name.split()[-1], ok=True)
    cli("admin", "add", "Préfecture du Rhône", "--kind", "prefecture", "--postcode",
        "69003", "--city", "Lyon", ok=True)
    first = cli("admin", "list", ok=True).stdout
    assert "4 administration(s), 2 affichées (--all pour tout" in first
    assert "Albi" in first and "Brest" in first and "Caen" not in first  # by name
    second = cli("admin", "list", "--page", "2", ok=True).stdout
    assert "page 2 sur 2, 2 affichées" in second and "Caen" in second and "Albi" not in second
    communes = cli("admin", "list", "--kind", "commune", "--page", "2", ok=True).stdout
    assert "3 administration(s), page 2 sur 2, 1 affichées" in communes
    beyond = cli("admin", "list", "--page", "3")
    assert beyond.exit_code == 2 and "la page 3 n'existe pas (4 administration(s)" in beyond.stderr
    assert len(cli("admin", "list", "--json", ok=True).json()) == 4
    assert cli("admin", "list", "--page", "2", "--csv").exit_code == 2
