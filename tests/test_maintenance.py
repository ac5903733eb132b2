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
