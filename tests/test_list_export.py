"""cada list --csv from SQLite through sqlite3 alone (services.request_export) writes
the very bytes of the SQLAlchemy export (request_list.export_rows), hostile text
included; PostgreSQL, a search, or a database that needs something first take the
SQLAlchemy export."""

from __future__ import annotations

import csv
import io
import itertools

import pytest

from cada_tracker import paths, storage
from cada_tracker.services import request_export, request_list

pytestmark = pytest.mark.usefixtures("backend")

HOSTILE = ['=HYPERLINK("https://evil.example";"clic")', "+33 1 23 45 67 89", "-2+3",
           "@SUM(A1)", "\tcaché", "\rretour", "Vidéo, « guillemets » \"doubles\"",
           "ligne\nsuivante", "'=déjà"]


@pytest.fixture
def archive(cli, profile):
    refs = []
    for i, text in enumerate(HOSTILE):
        admin = cli("admin", "add", "--kind", "commune", "--postcode", f"690{i:02d}",
                    "--city", "Lyon", "--json", "--", text if i % 2 else f"Mairie {i}",
                    ok=True).json()["id"]
        args = ["new", "--to", admin, "--subject", text, "--doc", "Contrat", "--json",
                "--tag", "Rhone" if i % 3 == 0 else "ain"]
        if i % 4:
            args += ["--campaign", HOSTILE[i - 1] if i % 4 == 3 else "vsa"]
        refs.append(cli(*args, ok=True).json()["reference"])
    for n, ref in enumerate(refs[::2]):
        cli("sent", ref, "--on", f"2026-02-{2 + n:02d}", "--via", "lrar", ok=True)
    # cada strips what is typed: a tab or a carriage return first, written otherwise.
    from sqlalchemy import text

    engine = storage.open_db(paths.resolve())
    with engine.begin() as connection:
        for ref, subject in ((refs[4], "\tcaché"), (refs[5], "\rretour")):
            connection.execute(text("UPDATE request SET subject = :s WHERE reference = :r"),
                               {"s": subject, "r": ref})
    engine.dispose()
    return refs


def _csv(rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(request_export.HEADER)
    writer.writerows(rows)
    return out.getvalue()


FILTERS = [request_export.ListFilter(sort=sort) for sort in request_export.SORT_NAMES] + [
    request_export.ListFilter(status="sent", sort="sent"),
    request_export.ListFilter(status="draft", sort="status"),
    request_export.ListFilter(campaign="vsa", sort="admin"),
    request_export.ListFilter(campaign=HOSTILE[2]),
    request_export.ListFilter(tag="RHONE", sort="deadline"),
    request_export.ListFilter(admin_id=2, tag="ain"),
    request_export.ListFilter(campaign="aucune"),
]


def test_the_plain_export_writes_the_bytes_of_the_sqlalchemy_one(cli, archive, backend):
    loc = paths.resolve()
    engine = storage.open_db(loc)
    compared = 0
    with storage.read_scope(engine) as connection:
        for f, raw in itertools.product(FILTERS, (False, True)):
            reference = _csv(request_list.export_rows(connection, f, raw=raw))
            plain = request_export.sqlite_export(loc, f, raw=raw)
            if backend != "sqlite":
                assert plain is None  # PostgreSQL: the SQLAlchemy export
                continue
            assert _csv(plain) == reference, (f, raw)
            compared += 1
    engine.dispose()
    assert compared == (2 * len(FILTERS) if backend == "sqlite" else 0)
    exported = cli("list", "--csv", ok=True).stdout
    cells = [c for row in csv.reader(io.StringIO(exported)) for c in row]
    assert {"'" + HOSTILE[0], "'\tcaché", "'\rretour", "'=déjà", "'-2+3"} <= set(cells)
    assert HOSTILE[0] not in cells and "@SUM(A1)" not in cells
    assert len(list(csv.DictReader(io.StringIO(exported)))) == len(archive)


def test_a_search_and_bad_values_keep_their_way(cli, archive):
    loc = paths.resolve()
    assert request_export.sqlite_export(loc, request_export.ListFilter(search="vidéo")) is None
    found = cli("list", "--csv", "--search", "guillemets", ok=True).stdout
    assert len(list(csv.DictReader(io.StringIO(found)))) == 1
    bad_sort = cli("list", "--csv", "--sort", "taille")
    assert bad_sort.exit_code == 2 and "--sort : « taille » inconnu" in bad_sort.stderr
    bad_status = cli("list", "--csv", "--status", "perdue")
    assert bad_status.exit_code == 2 and "--status" in bad_status.stderr


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)  # SQLite only
def test_a_database_that_needs_something_first_takes_the_usual_way(cli, archive, backend):
    """With an interrupted file write to clean up, the plain reader declines
    (readdb.sqlite_reader, whose other refusals tests/test_readdb.py checks) and the
    command opens the engine as always: the export is still complete (SQLite: the
    plain reader is SQLite's)."""
    from cada_tracker.filestore import JOURNAL_DIR
    from cada_tracker.readdb import sqlite_reader

    loc = paths.resolve()
    journal = loc.data_dir / JOURNAL_DIR
    journal.mkdir(exist_ok=True)
    (journal / "1-abcd").write_text("")  # a killed command's journal
    assert sqlite_reader(loc) is None
    exported = cli("list", "--csv", ok=True).stdout
    assert len(list(csv.DictReader(io.StringIO(exported)))) == len(archive)


def test_both_exports_know_the_same_sorts():
    assert set(request_export.SORT_NAMES) == set(request_list.SORTS)
    assert request_export.HEADER == list(request_list.COLUMNS)
