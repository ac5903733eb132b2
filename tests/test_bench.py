"""bench/run.py judges what it measures: ratios to floors, memory, the letter rows;
bench/generate.py builds a database cada reads as its own, search index included."""

from __future__ import annotations

import importlib.util
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def load(name: str, file: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / file)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bench():
    yield load("bench_run", "run.py")
    del sys.modules["bench_run"]


@pytest.fixture
def generated(tmp_path, monkeypatch):
    """A small database from bench/generate.py, that cada's commands then use."""
    generate = load("bench_generate", "generate.py")
    try:
        path = tmp_path / "bench.db"
        generate.generate(1200, path, admins=30, jobs=2, quiet=True)
        monkeypatch.setenv("CADA_DATABASE_URL", f"sqlite:///{path}")
        yield path
    finally:
        del sys.modules["bench_generate"]


def test_ratios_are_to_the_median_of_the_floor_of_the_same_group(bench):
    floor = bench.Measure("floor S: python -c 'import sqlmodel'", ["true"], size="100k")
    floor.times = [1.0, 1.2, 0.9]
    fast = bench.Measure("cada list", ["true"], floor="S", target=1.3, size="100k")
    fast.times = [1.25, 1.3, 1.1]
    slow = bench.Measure("cada stats", ["true"], floor="S", target=1.3, size="100k")
    slow.times = [1.4, 1.35, 1.5]
    info = bench.Measure("cada stats", ["true"], floor="S", size="10k")
    info.times = [9.0]
    rows = bench.rows_of([floor, fast, slow, info])
    assert [r.passed for r in rows] == [None, True, False, None]
    assert rows[1].ratio == pytest.approx(1.25) and rows[1].floor == "S 1000 ms"
    assert rows[3].target == "(info)"


def test_at_1m_memory_is_judged_too(bench):
    floor = bench.Measure("floor S: python -c 'import sqlmodel'", ["true"], size="1M")
    floor.times = [1.0]
    light = bench.Measure("cada list", ["true"], floor="S", target=2, max_mb=150, size="1M")
    light.times, light.peak_kb = [1.5], 90 * 1024
    heavy = bench.Measure("cada stats", ["true"], floor="S", target=2, max_mb=150, size="1M")
    heavy.times, heavy.peak_kb = [1.5], 400 * 1024
    rows = bench.rows_of([floor, light, heavy])
    assert [r.passed for r in rows[1:]] == [True, False]
    assert rows[2].target == "≤ 2× S, < 150 MB"


def test_the_targets_of_the_issue_are_the_ones_judged(bench, tmp_path):
    db = tmp_path / "cada-100k.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE request (id INTEGER PRIMARY KEY, reference TEXT, campaign TEXT)")
    con.executemany("INSERT INTO request (reference, campaign) VALUES (?, ?)",
                    [(f"2026-{n:04d}", "big" if n % 2 else ("small" if n % 3 else None))
                     for n in range(1, 101)])
    con.commit()
    con.close()
    measures = bench.db_measures("python", "cada", "100k", db, tmp_path)
    judged = {m.label.split(" (")[0]: (m.floor, m.target, m.max_mb) for m in measures}
    assert judged["cada overdue"] == ("S", 1.1, None)
    assert judged["cada list --csv --all"] == ("C", 1.5, None)
    assert judged["cada campaign show big"] == ("S", 1.3, None)  # the closest to 5,000
    assert judged["cada show 2026-0050"] == ("S", 1.3, None)
    huge = bench.db_measures("python", "cada", "1M", db, tmp_path)
    assert {m.label: m.max_mb for m in huge if m.floor == "S"}["cada stats"] == 150
    assert all(m.target is None for m in bench.db_measures("python", "cada", "10k", db,
                                                           tmp_path))


def test_the_letter_rows_are_taken_as_they_are(bench, monkeypatch):
    rows = [{"figure": "50 separate, 2 workers", "value": 20.5, "unit": "letters/s",
             "floor": "LibreOffice", "floor_value": 8.1, "ratio": 2.53, "target": "≥ 2×",
             "passed": True},
            {"figure": "one letter, cold", "value": 0.9, "unit": "s", "floor": "LibreOffice",
             "floor_value": 2.0, "ratio": 0.45, "target": "≤ 0.5×", "passed": None}]
    monkeypatch.setattr(bench.subprocess, "run", lambda *a, **k: subprocess.CompletedProcess(
        a[0], 0, json.dumps(rows), ""))
    got = bench.letter_rows(quick=True)
    assert [(r.ratio, r.passed, r.target) for r in got] == [(2.53, True, "≥ 2×"),
                                                            (0.45, None, "≤ 0.5×")]
    assert got[0].floor == "LibreOffice 8.1 letters/s"


def test_missing_letter_figures_are_a_failed_row(bench, monkeypatch):
    monkeypatch.setattr(bench.subprocess, "run", lambda *a, **k: subprocess.CompletedProcess(
        a[0], 2, "", "letters.py: error: unrecognized arguments: --target-rows"))
    (row,) = bench.letter_rows(quick=False)
    assert row.passed is False and "--target-rows" in row.figure


def entries(path: Path) -> list[tuple]:
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT * FROM search_entry ORDER BY id").fetchall()
    finally:
        con.close()


def test_the_generated_search_index_is_the_one_cada_builds(generated, tmp_path):
    from sqlalchemy import create_engine

    from cada_tracker.services.search.index import check_index, reindex

    engine = create_engine(f"sqlite:///{generated}")
    with engine.connect() as conn:
        assert check_index(conn) == []  # nothing missing, FTS5 integrity check passes
    copy = tmp_path / "reindexed.db"
    copy.write_bytes(generated.read_bytes())
    rebuilt = create_engine(f"sqlite:///{copy}")
    with rebuilt.begin() as conn:
        assert reindex(conn, tmp_path)["requests"] == 1200
    engine.dispose()
    rebuilt.dispose()
    made = entries(generated)
    assert {row[2] for row in made} == {"subject", "letter", "document", "event"}
    assert made == entries(copy)  # same rows, same ids, as `cada db reindex` writes them


def test_cada_search_finds_a_generated_request_by_its_subject(generated, cli):
    con = sqlite3.connect(generated)
    reference, admin, subject = con.execute(
        "SELECT reference, administration_id, subject FROM request WHERE id = 777").fetchone()
    con.close()
    word = max(subject.split(), key=len)
    hits = cli("search", word, "--admin", admin, "--limit", 1000, "--json", ok=True).json()
    assert {"reference": reference, "where": "objet"} in [
        {"reference": h["reference"], "where": h["where"]} for h in hits]
    assert cli("db", "check", ok=True).exit_code == 0


def test_a_database_the_benchmark_cannot_measure_as_it_is_is_rebuilt(bench, generated,
                                                                     monkeypatch):
    """A database from an older schema would be upgraded inside the first timed command,
    one without a search index is not what cada stores: both are named, then rebuilt."""
    assert bench.stale_reason(generated) is None
    con = sqlite3.connect(generated)
    con.execute("DELETE FROM search_entry")
    con.commit()
    assert bench.stale_reason(generated) == "no search index"
    con.execute("UPDATE alembic_version SET version_num = '0017'")
    con.commit()
    con.close()
    assert bench.stale_reason(generated).startswith("schema 0017, cada's is ")
    # ensure_database deletes it and runs the generator for it.
    target = generated.with_name("cada-1k.db")
    generated.rename(target)
    calls = []

    def generator(argv, **_):
        calls.append(argv)
        assert not target.exists()
        target.write_bytes(b"new")
        return subprocess.CompletedProcess(argv, 0)

    monkeypatch.setattr(bench, "DATA_DIR", target.parent)
    monkeypatch.setattr(bench.subprocess, "run", generator)
    assert bench.ensure_database("1k", quiet=True) == target
    assert target.read_bytes() == b"new" and calls[0][-4:] == ["1000", "--out", str(target),
                                                              "--quiet"]


def test_the_generator_leaves_nothing_of_its_temporary_database(tmp_path):
    """Its schema is created by cada's migrations, which take a lock file beside the
    temporary database: removed with it, as its WAL files are."""
    generate = load("bench_generate", "generate.py")
    try:
        tmp = tmp_path / ".cada-1k.db.tmp"
        for suffix in ("", "-wal", "-shm", "-journal", ".lock"):
            Path(f"{tmp}{suffix}").write_bytes(b"")
        generate.remove_db(tmp)
        assert list(tmp_path.glob(".cada-1k.db.tmp*")) == []
    finally:
        del sys.modules["bench_generate"]
