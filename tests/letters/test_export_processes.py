"""``cada export``'s processes: the command without the ORM (and, on an SQLite database
that needs nothing but reading, without SQLAlchemy), the rendering process handing
batches to its workers as soon as they can take one, batches shared evenly."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from cada_tracker import pdf_workers

pdf = pytest.importorskip("cada_tracker.pdf")

ORM = ("pydantic", "sqlmodel", "sqlalchemy", "cada_tracker.models")


def _loaded_by_export(args: list[str]) -> list[str]:
    code = ("import sys\n"
            "from cada_tracker.cli.main import run\n"
            f"code = run({args!r})\n"
            f"print(code, sorted(m for m in sys.modules if m in {ORM!r}))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env=os.environ).stdout.splitlines()[-1]
    return out.split(" ", 1)


def test_export_selects_and_reads_the_letters_without_the_orm_nor_sqlalchemy(draft_ref,
                                                                           tmp_path):
    code, loaded = _loaded_by_export(["export", draft_ref, "--out", str(tmp_path)])
    assert code == "0" and loaded == "[]"
    assert len(list(tmp_path.glob(f"{draft_ref}-*.pdf"))) == 1
    code, loaded = _loaded_by_export(["export", "--status", "draft", "--html", "--out",
                                      str(tmp_path / "html")])
    assert code == "0" and loaded == "[]"


def test_an_unknown_reference_still_names_the_close_ones(cli, draft_ref):
    near = draft_ref[:-1] + ("0" if draft_ref[-1] != "0" else "1") + "9"
    result = cli("export", near)
    assert result.exit_code == 3
    assert f"Aucune demande de référence « {near} »" in result.stderr
    assert draft_ref in result.stderr


@pytest.mark.parametrize("count, workers, sizes", [
    (50, 2, [9, 9, 8, 8, 8, 8]), (20, 2, [10, 10]), (21, 2, [6, 5, 5, 5]), (11, 2, [6, 5]),
    (500, 2, [10] * 50), (50, 4, [7, 7, 6, 6, 6, 6, 6, 6]), (50, 1, [10]), (1, 2, [1]),
    (3, 4, [1, 1, 1]), (0, 2, [10]),
])
def test_batches_are_shared_evenly_between_the_workers(count, workers, sizes):
    assert pdf_workers.batch_sizes(count, workers) == sizes
    if count and workers > 1:
        assert sum(sizes) == count and max(sizes) - min(sizes) <= 1
        assert len(sizes) % workers == 0 or len(sizes) < workers


def test_batches_follow_the_sizes_given_then_repeat_the_last():
    assert [len(b) for b in pdf_workers.batched(range(50), [9, 9, 8, 8, 8, 8])] == [9, 9, 8, 8, 8, 8]
    assert [len(b) for b in pdf_workers.batched(range(7), [1, 2])] == [1, 2, 2, 2]
    assert [len(b) for b in pdf_workers.batched(range(7), 3)] == [3, 3, 1]
    assert [x for b in pdf_workers.batched(range(7), [1, 2]) for x in b] == list(range(7))
    with pytest.raises(pdf.InputError):
        list(pdf_workers.batched(range(3), [2, 0]))


_RELEASE = None  # a multiprocessing.Event, created before the workers are forked


def _pid_job(renderer, batch):
    if batch == [0, 1]:
        assert _RELEASE.wait(60)  # the first batch waits until the fourth is done
    if batch == [6, 7]:
        _RELEASE.set()
    return os.getpid(), list(batch)


@pytest.mark.skipif(not pdf_workers.can_fork(), reason="workers are forked (Linux)")
def test_workers_take_queued_batches_while_another_renders(monkeypatch):
    import multiprocessing

    monkeypatch.setattr(sys.modules[__name__], "_RELEASE",
                        multiprocessing.get_context("fork").Event())
    renderer = pdf.Renderer.__new__(pdf.Renderer)  # the job needs no WeasyPrint
    renderer.fetcher = type("F", (), {"refused": []})()
    batches = [[i, i + 1] for i in range(0, 24, 2)]
    results = list(renderer._run(_pid_job, iter(batches), 2))
    assert [batch for _, batch in results] == batches  # in order
    pids = [pid for pid, _ in results]
    assert os.getpid() not in pids and len(set(pids)) == 2  # two forked workers render
    # While the first worker waited on batch 1, the other rendered batches 2 to 4:
    # nothing waited for the process that hands the batches out.
    assert len({pids[1], pids[2], pids[3]}) == 1 and pids[1] != pids[0]


_PYPDF_PROBE = """
import os, sys
from cada_tracker import pdf

def probe(renderer, batch):
    return os.getpid(), "pypdf" in sys.modules

renderer = pdf.Renderer.__new__(pdf.Renderer)  # the job needs no WeasyPrint
renderer.fetcher = type("F", (), {"refused": []})()
assert "pypdf" not in sys.modules
other = list(renderer._run(probe, iter([[1], [2]]), 2))
pdf._SPLITTING = frozenset({probe})
split = list(renderer._run(probe, iter([[1], [2]]), 2))
print(sorted(loaded for _, loaded in other), sorted(loaded for _, loaded in split),
      os.getpid() not in {pid for pid, _ in split})
"""


@pytest.mark.skipif(not pdf_workers.can_fork(), reason="workers are forked (Linux)")
def test_workers_that_split_are_forked_with_pypdf_already_imported():
    out = subprocess.run([sys.executable, "-c", _PYPDF_PROBE], capture_output=True,
                         text=True, check=True, env=os.environ).stdout.split()
    # Other jobs (a merged PDF is assembled by the command's process) do not load it.
    assert out == ["[False,", "False]", "[True,", "True]", "True"]


# ------------------------------------------------------------------ sqlite3 or SQLAlchemy

def _db(cli) -> tuple:
    """The test's database (``draft_ref`` created it, at the current schema)."""
    from cada_tracker.cli.common import locations

    loc = locations()
    return loc, loc.sqlite_path


def test_a_database_that_needs_nothing_but_reading_is_read_with_sqlite3(cli, draft_ref):
    from cada_tracker.readdb import sqlite_reader

    loc, _ = _db(cli)
    db = sqlite_reader(loc)
    assert db is not None
    try:
        assert db.all("SELECT reference FROM request") == [(draft_ref,)]
    finally:
        db.close()


@pytest.mark.parametrize("change", ["older schema", "no schema", "journal", "not WAL",
                                    "missing"])
def test_otherwise_the_usual_path_is_taken_and_the_export_still_works(
        cli, draft_ref, tmp_path, change):
    import dataclasses
    import sqlite3

    from cada_tracker.filestore import JOURNAL_DIR
    from cada_tracker.readdb import sqlite_reader
    from cada_tracker.storage import SCHEMA_HEAD

    loc, path = _db(cli)
    con = sqlite3.connect(path, isolation_level=None)
    if change == "older schema":
        con.execute("UPDATE alembic_version SET version_num = '0001'")
    elif change == "no schema":
        con.execute("DROP TABLE alembic_version")
    con.close()
    if change == "not WAL":  # a file cada never opened, even if its revision looks right
        other = tmp_path / "other.db"
        con = sqlite3.connect(other)
        with con:
            con.execute("CREATE TABLE alembic_version (version_num TEXT)")
            con.execute("INSERT INTO alembic_version VALUES (?)", (SCHEMA_HEAD,))
        con.close()
        loc = dataclasses.replace(loc, database_url=f"sqlite:///{other}")
    if change == "journal":
        (loc.data_dir / JOURNAL_DIR).mkdir(parents=True)
        (loc.data_dir / JOURNAL_DIR / "1-abcd").write_text("")  # a killed command's journal
    if change == "missing":
        loc = dataclasses.replace(loc, database_url=f"sqlite:///{tmp_path / 'none.db'}")
    assert sqlite_reader(loc) is None
    if change == "journal":  # the usual path recovers the files, then reads
        result = cli("export", draft_ref, "--html", "--out", tmp_path / "out")
        assert result.exit_code == 0, result.stderr
        assert len(list((tmp_path / "out").glob("*.html"))) == 1


def test_the_same_sql_runs_on_a_core_connection(cli, draft_ref):
    from cada_tracker.cli.common import reading
    from cada_tracker.services.export import letters_html, select_letters
    from cada_tracker.readdb import as_reader

    _db(cli)
    with reading() as connection:
        db = as_reader(connection)
        rows = select_letters(db, references=[draft_ref], campaign=None, status="draft")
        assert [r.reference for r in rows] == [draft_ref]
        assert "Vidéosurveillance" in next(letters_html(db, rows))


# --------------------------------------------------- the rendering process started at entry

@pytest.mark.parametrize("argv, expected", [
    (["export", "2026-0001"], True),
    (["--db", "sqlite:////tmp/x.db", "export", "--campaign", "c", "--merge"], True),
    (["--db=sqlite:////tmp/x.db", "export", "--status", "draft"], True),
    (["export", "2026-0001", "--html"], False),
    (["export", "--help"], False),
    (["list"], False),
    (["--db", "export"], False),  # "export" is the value of --db here
    ([], False),
])
def test_entry_guesses_a_pdf_export_from_the_arguments(argv, expected):
    from cada_tracker.entry import pdf_export

    assert pdf_export(argv) is expected


def _children_after(code: str) -> tuple[str, list[str]]:
    """Run ``code`` in a fresh interpreter; its output and the processes left in its
    session once it has exited."""
    import time

    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    # start_new_session: the interpreter leads a session of its own; whatever it forked
    # and left running would still be in it.
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    deadline = time.monotonic() + 10
    while True:
        left = subprocess.run(["pgrep", "-s", str(proc.pid)], capture_output=True,
                              text=True).stdout.split()
        if not left or time.monotonic() > deadline:
            return out, left
        time.sleep(0.05)


@pytest.mark.skipif(not pdf_workers.can_fork(), reason="the rendering process is forked (Linux)")
def test_a_prestarted_process_renders_with_the_folder_given_later(tmp_path):
    user = tmp_path / "modeles"
    user.mkdir()
    css = (pdf.builtin_dir() / "lettre.css").read_text(encoding="utf-8")
    (user / "lettre.css").write_text(css.replace("size: A4;", "size: A5;"), encoding="utf-8")
    out, left = _children_after(
        "import io, pypdf\n"
        "from cada_tracker import pdf_service\n"
        "pdf_service.prestart()\n"
        "html = '<html><body><p>Bonjour</p></body></html>'\n"
        f"with pdf_service.RenderService(user_dir={str(user)!r}) as service:\n"
        "    data = service._run('pdfs', [[html]], 1, lambda b: b)\n"
        "    (datas, _), = [r for _, r in data]\n"
        "page = pypdf.PdfReader(io.BytesIO(datas[0])).pages[0]\n"
        "print(round(float(page.mediabox.width) / 72 * 25.4), pdf_service._PRESTARTED)\n")
    assert out.split() == ["148", "None"]  # A5, the user's stylesheet: the folder was sent
    assert left == []


@pytest.mark.skipif(not pdf_workers.can_fork(), reason="the rendering process is forked (Linux)")
def test_a_prestarted_process_nobody_adopts_is_stopped_at_exit():
    out, left = _children_after(
        "from cada_tracker import pdf_service\n"
        "pdf_service.prestart()\n"
        "print(pdf_service._PRESTARTED._proc.is_alive())\n")
    assert out.split() == ["True"]
    assert left == []


def test_a_wrong_option_of_a_pdf_export_leaves_no_process(isolated_home):
    _, left = _children_after(
        "import sys\n"
        "sys.argv = ['cada', 'export', '--bogus']\n"
        "from cada_tracker.entry import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exc:\n"
        "    print(exc.code)\n")
    assert left == []


@pytest.mark.usefixtures("backend")
def test_the_selection_is_the_same_sql_on_both_back_ends(cli, draft_ref, tmp_path):
    """SQLite through sqlite3, PostgreSQL through a Core connection: same answers."""
    out = tmp_path / "html"
    result = cli("export", draft_ref, draft_ref, "--status", "draft", "--html", "--out", out,
                 "--json", ok=True)
    assert result.json()["count"] == 1
    assert "Vidéosurveillance" in next(out.glob(f"{draft_ref}-*.html")).read_text("utf-8")
    assert cli("export", "--campaign", "inconnue").exit_code == 3
    missing = cli("export", draft_ref + "9")
    assert missing.exit_code == 3 and draft_ref in missing.stderr  # close references named
