"""readdb: SQLite at the current schema is read without SQLAlchemy; anything else
goes through open_engine (its upgrades, recovery and messages)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

from cada_tracker import paths
from cada_tracker.filestore import JOURNAL_DIR
from cada_tracker.readdb import in_list, sqlite_reader


def test_reads_current_sqlite_without_sqlalchemy(cli, draft_ref, tmp_path):
    db = sqlite_reader(paths.resolve())
    assert db is not None and db.dialect == "sqlite"
    try:
        listed, params = in_list("ref", [draft_ref, "nope"])
        assert list(db.rows(f"SELECT reference FROM request WHERE reference IN {listed}",
                            params)) == [(draft_ref,)]
    finally:
        db.close()
    code = ("import sys\nfrom cada_tracker.cli.main import run\n"
            f"codes = [run(['show', '{draft_ref}']), run(['overdue'])]\n"
            "assert codes == [0, 0], codes\n"
            "assert 'sqlalchemy' not in sys.modules, 'sqlalchemy imported'\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=os.environ.copy(), timeout=120)
    assert done.returncode == 0, done.stderr


def test_other_states_go_through_open_engine(cli, draft_ref):
    loc = paths.resolve()
    journal = loc.data_dir / JOURNAL_DIR
    journal.mkdir(exist_ok=True)
    assert sqlite_reader(loc) is not None  # an empty journal folder: nothing to recover
    (journal / "1-abcd").write_text("")
    assert sqlite_reader(loc) is None
    (journal / "1-abcd").unlink()
    conn = sqlite3.connect(loc.sqlite_path)
    (revision,) = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.commit()
    assert sqlite_reader(loc) is None
    newer = cli("show", draft_ref)  # refused by open_db, with its message
    assert newer.exit_code != 0 and "version plus récente de cada" in newer.stderr
    conn.execute("UPDATE alembic_version SET version_num = ?", (revision,))
    conn.commit()
    conn.close()
    assert sqlite_reader(loc) is not None


def test_a_foreign_file_is_refused_as_before(cli, tmp_path):
    other = tmp_path / "autre.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    for command in (("show", "2026-0001"), ("overdue",)):
        result = cli("--db", f"sqlite:///{other}", *command)
        assert result.exit_code != 0 and "n'est pas une base cada" in result.stderr
    assert sqlite_reader(paths.resolve(f"sqlite:///{other}")) is None
