"""A full disk, a read-only disk or a busy database are expected: exit 5, French, no SQL."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import time

import pytest
from members import sent_request

ENGLISH_OR_SQL = ("INSERT", "UPDATE", "SELECT", "Traceback", "locked", "disk is full",
                  "readonly", "[SQL", "parameters", "Errno", "No space left")


def _clean(message: str) -> None:
    for word in ENGLISH_OR_SQL:
        assert word not in message, message


@pytest.fixture
def small_disk(tmp_path):
    """A real 3 MB file system (tmpfs), unmounted at the end."""
    mount = tmp_path / "disque"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m,mode=0700", "tmpfs",
                           str(mount)], capture_output=True, text=True)
    if done.returncode != 0:
        if os.environ.get("CI"):
            pytest.fail(f"cannot mount a tmpfs under CI: {done.stderr}")
        pytest.skip(f"cannot mount a tmpfs: {done.stderr}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(folder) -> None:
    with open(folder / "remplissage", "wb", buffering=0) as fh:
        try:
            while True:
                fh.write(b"\0" * 65536)  # unbuffered: nothing left for close() to flush
        except OSError:
            pass
    for size in (4096, 512, 1):  # the last few blocks too
        try:
            with open(folder / f"remplissage-{size}", "wb", buffering=0) as fh:
                while True:
                    fh.write(b"\0" * size)
        except OSError:
            pass


def test_full_disk_is_reported_and_leaves_no_partial_file(cli, small_disk, monkeypatch,
                                                          tmp_path):
    home = small_disk / "cada"
    monkeypatch.setenv("CADA_HOME", str(home))
    ref = sent_request(cli)
    reply = tmp_path / "reponse.pdf"
    reply.write_bytes(os.urandom(1_500_000))
    _fill(small_disk)
    attached = cli("answer", ref, "--on", "2026-03-20", "--outcome", "full", "--attach", reply)
    assert attached.exit_code == 5, attached.stderr
    assert "disque plein" in attached.stderr.lower()
    _clean(attached.stderr)
    assert not [p for p in home.rglob("*") if p.name.endswith(".tmp")]
    assert not list((home / "fichiers").rglob("*.pdf")) if (home / "fichiers").exists() else True

    note = cli("note", ref, "x" * 2000, "--on", "2026-03-21")
    assert note.exit_code == 5, note.stderr
    assert "disque plein" in note.stderr.lower() or "entrée-sortie" in note.stderr
    _clean(note.stderr)

    backup = cli("db", "backup")
    assert backup.exit_code == 5, backup.stderr
    _clean(backup.stderr)
    saved = home / "sauvegardes"
    assert not (saved.exists() and list(saved.iterdir())), "no partial backup is left"

    for filler in small_disk.glob("remplissage*"):
        filler.unlink()
    shown = cli("show", ref, "--json", ok=True).json()
    assert [e["kind"] for e in shown["events"]] == ["sent"]
    assert cli("db", "check").exit_code == 0


def test_read_only_disk_is_named(cli, small_disk, monkeypatch):
    home = small_disk / "cada"
    monkeypatch.setenv("CADA_HOME", str(home))
    ref = sent_request(cli)
    from cada_tracker import storage

    for engine in storage._engines.values():  # as a new process would: no open handle
        engine.dispose()
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    result = cli("note", ref, "une note", "--on", "2026-03-21")
    assert result.exit_code == 5, result.stderr
    assert "disque en lecture seule" in result.stderr
    assert str(home) in result.stderr
    _clean(result.stderr)


def test_busy_sqlite_database_names_the_likely_cause(cli, isolated_home, monkeypatch):
    ref = sent_request(cli)
    monkeypatch.setenv("CADA_BUSY_TIMEOUT", "0.5")
    other = sqlite3.connect(isolated_home / "cada.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another cada command writing
    try:
        started = time.monotonic()
        result = cli("note", ref, "une note", "--on", "2026-03-21")
        waited = time.monotonic() - started
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert result.exit_code == 5, result.stderr
    assert "occupée depuis 0.5 s" in result.stderr
    assert "une autre commande cada" in result.stderr and "CADA_BUSY_TIMEOUT" in result.stderr
    _clean(result.stderr)
    assert 0.4 < waited < 10
    assert cli("note", ref, "une note", "--on", "2026-03-21").exit_code == 0


def test_busy_timeout_is_checked(cli, isolated_home, monkeypatch):
    monkeypatch.setenv("CADA_BUSY_TIMEOUT", "bientôt")
    result = cli("list")
    assert result.exit_code == 2 and "CADA_BUSY_TIMEOUT" in result.stderr


def test_busy_row_on_postgresql_names_the_likely_cause(cli, pg_server, monkeypatch):
    import psycopg

    url = pg_server.create_database()
    monkeypatch.setenv("CADA_DATABASE_URL", url)
    ref = sent_request(cli)
    monkeypatch.setenv("CADA_BUSY_TIMEOUT", "0.5")
    with psycopg.connect(url.replace("+psycopg", "")) as other:
        other.execute("SELECT id FROM request WHERE reference = %s FOR UPDATE", (ref,))
        result = cli("received", ref, "--on", "2026-03-04")
    assert result.exit_code == 5, result.stderr
    assert "occupée depuis 0.5 s" in result.stderr
    _clean(result.stderr)
    assert cli("received", ref, "--on", "2026-03-04").exit_code == 0


def test_a_name_too_long_is_named_in_french(cli, tmp_path):
    ref = sent_request(cli)
    cli("answer", ref, "--on", "2026-03-20", "--outcome", "refusal", ok=True)
    out = tmp_path / ("é" * 200)
    result = cli("refer", ref, "--on", "2026-04-22", "--via", "lrar", "--html", "--out", out)
    assert result.exit_code == 5
    assert "nom de fichier trop long" in result.stderr
    _clean(result.stderr)
    assert "File name too long" not in result.stderr
