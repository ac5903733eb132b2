"""cada db backup and cada db check."""

from __future__ import annotations

import os
import sqlite3
import stat


def test_backup_is_a_consistent_private_copy(cli, draft_ref, isolated_home, tmp_path):
    target = tmp_path / "copie.db"
    result = cli("db", "backup", target, ok=True)
    assert str(target) in result.stdout
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    conn = sqlite3.connect(target)
    assert conn.execute("SELECT reference FROM request").fetchone()[0] == draft_ref
    conn.close()
    again = cli("db", "backup", target)
    assert again.exit_code == 2 and "existe déjà" in again.stderr
    default = cli("db", "backup", ok=True).stdout.strip()
    assert default.startswith(str(isolated_home / "sauvegardes"))


def test_backup_on_postgresql_prints_pg_dump(cli, monkeypatch):
    monkeypatch.setenv("CADA_DATABASE_URL", "postgresql+psycopg://cada:pw@db.example/cada")
    result = cli("db", "backup", ok=True)
    assert result.stdout.startswith("pg_dump") and "pw" not in result.stdout + result.stderr
    # pg_dump would take "***" for the password: the URL has none, PGPASSWORD gives it.
    assert result.stdout.rstrip().endswith(" postgresql://cada@db.example/cada")
    assert "PGPASSWORD" in result.stderr


def test_check_finds_tampered_and_missing_files(cli, draft_ref, isolated_home, tmp_path):
    cli("sent", draft_ref, "--on", "2026-03-02", "--via", "lrar", ok=True)
    reply = tmp_path / "reponse.pdf"
    reply.write_bytes(b"original")
    cli("answer", draft_ref, "--on", "2026-03-20", "--outcome", "full", "--attach", reply,
        ok=True)
    healthy = cli("db", "check", "--json")
    assert healthy.exit_code == 0 and healthy.json()["files_checked"] == 1
    stored = isolated_home / cli("show", draft_ref, "--json", ok=True).json()["files"][0]["path"]
    stored.write_bytes(b"altered")
    tampered = cli("db", "check", "--json")
    assert tampered.exit_code == 1
    assert "SHA-256" in tampered.json()["problems"][0]
    stored.unlink()
    missing = cli("db", "check")
    assert missing.exit_code == 1 and "manquant" in missing.stderr


def _attach_reply(cli, draft_ref, tmp_path) -> None:
    cli("sent", draft_ref, "--on", "2026-03-02", "--via", "lrar", ok=True)
    reply = tmp_path / "reponse.pdf"
    reply.write_bytes(b"original")
    cli("answer", draft_ref, "--on", "2026-03-20", "--outcome", "full", "--attach", reply,
        ok=True)


def test_quick_check_finds_a_damaged_database_in_french(cli, draft_ref, isolated_home):
    assert "Base saine (vérification rapide)." in cli("db", "check", "--quick", ok=True).stderr
    db = isolated_home / "cada.db"
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        root = conn.execute("SELECT rootpage FROM sqlite_master "
                            "WHERE name = 'ix_administration_name'").fetchone()[0]
        size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with open(db, "r+b") as fh:  # the cell pointers of one index page point nowhere
        fh.seek((root - 1) * size + 8)
        fh.write(b"\xff" * 16)
    damaged = cli("db", "check", "--quick", "--json")
    assert damaged.exit_code == 1 and damaged.json()["quick"] is True
    [problem] = damaged.json()["problems"]
    assert problem.startswith("intégrité SQLite : base abîmée (")
    assert f"PRAGMA quick_check, page(s) {root})" in problem and "cell" not in problem


def test_quick_check_compares_sizes_not_hashes(cli, draft_ref, isolated_home, tmp_path):
    _attach_reply(cli, draft_ref, tmp_path)
    stored = isolated_home / cli("show", draft_ref, "--json", ok=True).json()["files"][0]["path"]
    stored.write_bytes(b"ORIGINAL")  # same size: only the full check sees it
    assert cli("db", "check", "--quick").exit_code == 0
    assert "SHA-256 différent" in cli("db", "check").stderr
    stored.write_bytes(b"longer than before")
    resized = cli("db", "check", "--quick")
    assert resized.exit_code == 1 and "18 octets au lieu de 8" in resized.stderr
    stored.unlink()
    assert "fichier manquant" in cli("db", "check", "--quick").stderr


def test_quick_check_counts_the_bytes_in_the_shared_base(cli, pg_server, monkeypatch,
                                                         tmp_path):
    url = pg_server.create_database()
    monkeypatch.setenv("CADA_DATABASE_URL", url)
    cli("init", "--name", "Technopolice Lyon", "--address", r"12 rue de la Paix\n69003 Lyon",
        "--email", "lyon@technopolice.example", "--city", "Lyon", ok=True)
    admin = cli("admin", "add", "Mairie de Lyon", "--kind", "commune", "--postcode", "69001",
                "--city", "Lyon", "--json", ok=True).json()["id"]
    ref = cli("new", "--to", admin, "--subject", "Caméras", "--doc", "Liste", "--json",
              ok=True).json()["reference"]
    _attach_reply(cli, ref, tmp_path)
    healthy = cli("db", "check", "--quick", "--json", ok=True).json()
    assert healthy["files_checked"] == 1 and healthy["problems"] == []
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE stored_chunk SET data = :d"), {"d": b"cut"})
    short = cli("db", "check", "--quick")
    assert short.exit_code == 1 and "modifié dans la base (3 octets au lieu de 8)" in short.stderr
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM stored_content"))
    assert "absent de la base" in cli("db", "check", "--quick").stderr
    engine.dispose()
