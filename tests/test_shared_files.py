"""With PostgreSQL, stored files live in the shared database: every member sees them."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import psycopg
import pytest
from alembic import command
from members import sent_request
from sqlalchemy import create_engine, text
from test_migrations import FIRST_SCHEMA_DATA
from test_stored_files import LIMITED

from cada_tracker import storage

#: Address space of the limited commands: cada with psycopg peaks at about 110 MB of it
#: whatever the file (112 MB passes too), and a file larger than it cannot be read whole
#: (it was 384 MB, then 256 MB: the same proof, the time in proportion).
MEMORY = 128 * 1024 * 1024


@pytest.fixture
def shared(pg_server, monkeypatch):
    url = pg_server.create_database()
    monkeypatch.setenv("CADA_DATABASE_URL", url)
    return url


def _as_member(monkeypatch, home, work):
    monkeypatch.setenv("CADA_HOME", str(home))
    work.mkdir(exist_ok=True)
    monkeypatch.chdir(work)


def test_a_file_attached_by_one_member_is_shown_copied_and_checked_by_another(
        cli, shared, tmp_path, monkeypatch):
    alice, bob = tmp_path / "alice", tmp_path / "bob"
    _as_member(monkeypatch, alice, tmp_path / "poste-alice")
    ref = sent_request(cli)
    reply = tmp_path / "réponse de la mairie.pdf"
    content = b"%PDF-1.4 " + os.urandom(3 * 1024 * 1024)  # several chunks
    reply.write_bytes(content)
    cli("answer", ref, "--on", "2026-03-20", "--outcome", "refusal", "--attach", reply, ok=True)
    cli("refer", ref, "--on", "2026-04-22", "--via", "lrar", "--html", "--out", "lettres",
        ok=True)
    assert not (alice / "fichiers").exists(), "nothing kept in one member's folder"

    _as_member(monkeypatch, bob, tmp_path / "poste-bob")
    shown = cli("show", ref, "--json", ok=True).json()["files"]
    assert [f["name"] for f in shown][0] == "réponse de la mairie.pdf"
    assert shown[0]["sha256"] == hashlib.sha256(content).hexdigest()
    copied = cli("files", ref, "--out", "copie", "--json", ok=True).json()
    assert len(copied) == 2 and all(c["written"] for c in copied)
    by_name = {c["name"]: c["copy"] for c in copied}
    with open(by_name["réponse de la mairie.pdf"], "rb") as fh:
        assert fh.read() == content
    again = cli("files", ref, "--out", "copie", "--json", ok=True).json()
    assert not any(c["written"] for c in again)
    report = cli("db", "check", "--json")
    assert report.exit_code == 0, report.stdout
    assert report.json()["files_checked"] == 2

    with psycopg.connect(shared.replace("+psycopg", "")) as conn:
        conn.execute("UPDATE stored_chunk SET data = 'altéré' WHERE seq = 1")
    tampered = cli("db", "check", "--json")
    assert tampered.exit_code == 1
    assert any("SHA-256" in p for p in tampered.json()["problems"])
    refused = cli("files", ref, "--out", "autre")
    assert refused.exit_code == 5 and "modifié" in refused.stderr
    assert not [p for p in (tmp_path / "poste-bob" / "autre").iterdir()
                if p.name.startswith("réponse") or p.name.endswith(".tmp")
                or "r_ponse" in p.name or hashlib.sha256(content).hexdigest()[:16] in p.name]


def test_a_failed_command_leaves_no_content_in_the_database(cli, shared, tmp_path):
    ref = sent_request(cli)
    reply = tmp_path / "reponse.pdf"
    reply.write_bytes(b"%PDF-1.4 reponse")
    failed = cli("answer", ref, "--on", "2026-03-20", "--outcome", "full", "--got", "9",
                 "--attach", reply)
    assert failed.exit_code == 2
    with psycopg.connect(shared.replace("+psycopg", "")) as conn:
        assert conn.execute("SELECT count(*) FROM stored_content").fetchone()[0] == 0


def test_a_large_file_goes_into_the_database_in_flat_memory(cli, shared, tmp_path):
    ref = sent_request(cli)
    video = tmp_path / "video.mp4"
    with open(video, "wb") as fh:
        fh.write(b"debut")
        fh.truncate(MEMORY + 64 * 1024 * 1024)  # more than the memory limit below
    argv = ["answer", ref, "--on", "2026-03-20", "--outcome", "full", "--attach", str(video)]
    done = subprocess.run([sys.executable, "-c", LIMITED, str(MEMORY), *argv],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    checked = subprocess.run([sys.executable, "-c", LIMITED, str(MEMORY), "db", "check"],
                             capture_output=True, text=True, timeout=600)
    assert checked.returncode == 0, checked.stderr


def test_the_migration_moves_existing_files_into_the_database(cli, shared, tmp_path,
                                                              monkeypatch):
    engine = create_engine(shared)
    with engine.begin() as conn:
        command.upgrade(storage.alembic_config(conn), "0003")
        for statement in FIRST_SCHEMA_DATA:
            conn.execute(text(statement))
        for n, (name, data) in enumerate([("a.pdf", b"chez alice"), ("b.pdf", b"chez bob")]):
            sha = hashlib.sha256(data).hexdigest()
            conn.execute(text(
                "INSERT INTO stored_file (request_id, event_id, original_name, path, sha256, "
                "size, created_at) VALUES (1, 2, :n, :p, :s, :z, now())"),
                {"n": name, "p": f"fichiers/2026-0001/{sha[:16]}-{name}", "s": sha,
                 "z": len(data)})
            home = tmp_path / ("alice" if n == 0 else "bob")
            stored = home / "fichiers" / "2026-0001" / f"{sha[:16]}-{name}"
            stored.parent.mkdir(parents=True)
            stored.write_bytes(data)
    engine.dispose()

    _as_member(monkeypatch, tmp_path / "alice", tmp_path / "poste-alice")
    first = cli("list", ok=True)
    assert "1 fichier(s) enregistré(s) déplacé(s)" in first.stderr
    assert "1 fichier(s) enregistré(s) absent(s) de ce poste" in first.stderr
    assert cli("db", "check").exit_code == 1  # bob's file is not in the base yet

    _as_member(monkeypatch, tmp_path / "bob", tmp_path / "poste-bob")
    moved = cli("db", "check", "--json")
    assert moved.exit_code == 0 and moved.json()["files_moved"] == 1

    _as_member(monkeypatch, tmp_path / "claire", tmp_path / "poste-claire")
    copied = cli("files", "2026-0001", "--out", "copie", "--json", ok=True).json()
    contents = sorted(open(c["copy"], "rb").read() for c in copied)
    assert contents == [b"chez alice", b"chez bob"]
