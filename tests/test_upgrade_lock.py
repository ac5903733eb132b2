"""One migration at a time; a file that is not a cada database is refused untouched."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time

import pytest
from alembic import command
from procs import Child, cada, connecting_reported, context, together
from sqlalchemy import create_engine, text
from test_migrations import FIRST_SCHEMA_DATA, _revisions

from cada_tracker import sqlite_file, storage

# These tests are about migrating: every database they open runs the migrations.
pytestmark = pytest.mark.migrations


def _old_database(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        command.upgrade(storage.alembic_config(conn), _revisions()[0])
        for statement in FIRST_SCHEMA_DATA:
            conn.execute(text(statement))
    engine.dispose()


def _together(tmp_path, env: dict, n: int = 6) -> list[tuple[int, str, str]]:
    """``cada show`` in ``n`` processes started at once on the old database."""
    start = together(n)
    members = [Child(cada, "show", "2026-0001", "--json", env={**os.environ, **env},
                     barrier=start) for _ in range(n)]
    start.wait(timeout=120)
    return [member.wait() for member in members]


def test_concurrent_upgrades_keep_the_old_backup_intact(tmp_path):
    first = _revisions()[0]
    for trial in range(3):
        folder = tmp_path / f"essai-{trial}"
        folder.mkdir()
        db = folder / "cada.db"
        _old_database(f"sqlite:///{db}")
        results = _together(tmp_path, {"CADA_DATABASE_URL": f"sqlite:///{db}"})
        assert [code for code, _, _ in results] == [0] * len(results), \
        [err for code, _, err in results if code]  # what the failing ones said
        backups = sorted(p.name for p in folder.glob("*.bak"))
        assert backups == [f"cada.db.schema-{first}.bak"]
        copy = sqlite3.connect(folder / backups[0])
        assert copy.execute("SELECT version_num FROM alembic_version").fetchone()[0] == first
        assert copy.execute("SELECT reference FROM request").fetchone()[0] == "2026-0001"
        copy.close()
        live = sqlite3.connect(db)
        assert live.execute("SELECT version_num FROM alembic_version").fetchone()[0] \
            == storage.SCHEMA_HEAD
        live.close()


def test_a_file_locked_while_it_turns_to_wal_is_waited_for_as_long_as_any_lock(tmp_path):
    """An old database is not in WAL mode yet: the first cada to open it turns it to
    WAL under an exclusive lock, held through its fsyncs (seconds on a busy disk).
    Another command's read-only look at the file waits for it as long as
    CADA_BUSY_TIMEOUT says, not SQLite's default 5 s (the cause of a flake of
    test_concurrent_upgrades_keep_the_old_backup_intact: a member exited 5, busy).

    A timeout well under those 5 s proves it both ways without sleeping past them: the
    member waits at least the 1.5 s asked (no early give-up), and gives up, busy, long
    before SQLite's default would have let it (it used to be a 7 s wait for success)."""
    db = tmp_path / "cada.db"
    _old_database(f"sqlite:///{db}")
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    started = context().Event()
    env = {**os.environ, "CADA_DATABASE_URL": f"sqlite:///{db}", "CADA_BUSY_TIMEOUT": "1.5"}
    member = Child(connecting_reported, started, "show", "2026-0001", "--json", env=env)
    try:
        assert started.wait(timeout=120)
        begun = time.monotonic()
        member.process.join(60)
        waited = time.monotonic() - begun
    finally:
        holder.execute("COMMIT")
        holder.close()
    code, _, err = member.wait()
    assert code == 5 and "occupée depuis 1.5 s" in err, err
    assert 1.4 <= waited < 4.5, waited
    again = Child(cada, "show", "2026-0001", "--json", env=env)
    code, out, err = again.wait()
    assert code == 0, err
    assert json.loads(out)["reference"] == "2026-0001"


def test_a_second_upgrade_never_overwrites_a_backup(tmp_path):
    db = tmp_path / "cada.db"
    _old_database(f"sqlite:///{db}")
    kept = tmp_path / f"cada.db.schema-{_revisions()[0]}.bak"
    kept.write_bytes(b"une sauvegarde plus ancienne")
    storage.open_db(storage.Locations(tmp_path, tmp_path, f"sqlite:///{db}"))
    assert kept.read_bytes() == b"une sauvegarde plus ancienne"
    assert (tmp_path / f"cada.db.schema-{_revisions()[0]}.2.bak").exists()


def test_concurrent_upgrades_on_postgresql(tmp_path, pg_server):
    url = pg_server.create_database()
    _old_database(url)
    results = _together(tmp_path, {"CADA_DATABASE_URL": url})
    assert [code for code, _, _ in results] == [0] * len(results), \
        [err for code, _, err in results if code]  # what the failing ones said
    engine = create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() \
            == storage.SCHEMA_HEAD
        assert conn.execute(text("SELECT count(*) FROM event")).scalar() == 2
    engine.dispose()


@pytest.mark.parametrize("content, what", [
    (b"", "un fichier vide"),
    (b"reference;objet\n2026-0001;cameras\n", "pas une base SQLite"),
])
def test_a_file_that_is_not_a_database_is_refused_untouched(cli, tmp_path, content, what):
    path = tmp_path / "cada.db"
    path.write_bytes(content)
    result = cli("--db", f"sqlite:///{path}", "list")
    assert result.exit_code == 5
    assert "n'est pas une base cada" in result.stderr and what in result.stderr
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cada.db", "work"]


def test_another_programs_sqlite_database_is_refused_untouched(cli, tmp_path):
    path = tmp_path / "autre.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, texte TEXT)")
    conn.commit()
    conn.close()
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    result = cli("--db", f"sqlite:///{path}", "list")
    assert result.exit_code == 5 and "n'est pas une base cada" in result.stderr
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    conn = sqlite3.connect(path)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    conn.close()
    assert tables == {"notes"}


def test_a_file_from_before_wal_is_switched_once_under_the_lock(tmp_path):
    """A database written before cada used WAL mode is switched by the first process
    that opens it, under the migration lock, before any engine connects: while a
    process holds that lock, another one waits for it rather than switching the mode
    itself (which deadlocked against an upgrade running in rollback-journal mode)."""
    import fcntl
    import threading

    from cada_tracker import paths

    db = tmp_path / "cada.db"
    _old_database(f"sqlite:///{db}")
    assert open(db, "rb").read(100)[18:20] != b"\x02\x02"
    fd = os.open(tmp_path / "cada.db.lock", os.O_CREAT | os.O_RDWR, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    done = threading.Event()
    opener = threading.Thread(target=lambda: (sqlite_file.prepare_sqlite_file(db), done.set()))
    opener.start()
    try:
        assert not done.wait(1.0), "the file was switched without the lock"
        assert open(db, "rb").read(100)[18:20] != b"\x02\x02"
    finally:
        os.close(fd)
    opener.join(timeout=30)
    assert done.is_set()
    assert open(db, "rb").read(100)[18:20] == b"\x02\x02"  # WAL, before any engine
    engine = storage.open_db(paths.resolve(f"sqlite:///{db}"))
    assert storage.current_revision(engine) == storage.SCHEMA_HEAD
