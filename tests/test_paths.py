"""One resolver for every path; data private to its owner; cada db path."""

from __future__ import annotations

import os
import stat

import pytest

from cada_tracker import paths
from members import sent_request


def test_cada_home_moves_data_and_config_together(tmp_path):
    loc = paths.resolve(env={"CADA_HOME": str(tmp_path / "h")})
    assert loc.data_dir == loc.config_dir == tmp_path / "h"
    assert loc.database_url == f"sqlite:///{tmp_path / 'h' / 'cada.db'}"


def test_database_url_precedence(tmp_path):
    env = {"CADA_HOME": str(tmp_path), "CADA_DATABASE_URL": "postgresql+psycopg://u:pw@h/db"}
    assert paths.resolve(env=env).database_url.startswith("postgresql")
    assert paths.resolve("sqlite:///x.db", env=env).database_url == "sqlite:///x.db"
    assert paths.resolve(env=env).sqlite_path is None


def test_default_uses_platform_dirs(tmp_path):
    env = {"HOME": str(tmp_path)}
    loc = paths.resolve(env=env)
    assert "cada" in str(loc.data_dir)


def test_db_path_command_hides_passwords(cli, monkeypatch):
    monkeypatch.setenv("CADA_DATABASE_URL", "postgresql+psycopg://cada:secret@127.0.0.1/cada")
    data = cli("db", "path", "--json", ok=True).json()
    assert "secret" not in data["database"] and data["database_file"] is None


def test_db_path_lists_everything(cli, isolated_home):
    text = cli("db", "path", ok=True).stdout
    assert str(isolated_home / "cada.db") in text and "Profils" in text


def test_profiles_file_is_private(cli, isolated_home, profile):
    path = isolated_home / "profils.json"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(isolated_home).st_mode) == 0o700


def test_an_existing_folder_keeps_its_permissions(cli, tmp_path):
    shared = tmp_path / "partage"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    cli("--db", f"sqlite:///{shared / 'cada.db'}", "admin", "list", ok=True)
    assert stat.S_IMODE(os.stat(shared).st_mode) == 0o755
    assert stat.S_IMODE(os.stat(shared / "cada.db").st_mode) == 0o600


@pytest.fixture
def permissive_umask():
    old = os.umask(0)
    yield
    os.umask(old)


def test_every_folder_and_file_is_private_whatever_the_umask(cli, tmp_path, monkeypatch,
                                                             permissive_umask):
    home = tmp_path / "loin" / "maison"
    db = tmp_path / "ailleurs" / "base" / "cada.db"
    out = tmp_path / "courriers" / "cada"
    monkeypatch.setenv("CADA_HOME", str(home))
    monkeypatch.setenv("CADA_DATABASE_URL", f"sqlite:///{db}")
    ref = sent_request(cli)
    reply = tmp_path / "reponse.pdf"
    reply.write_bytes(b"%PDF-1.4 reponse")
    cli("answer", ref, "--on", "2026-03-20", "--outcome", "refusal", "--attach", reply, ok=True)
    cli("refer", ref, "--on", "2026-04-22", "--via", "lrar", "--html", "--out", out, ok=True)
    cli("db", "backup", ok=True)
    created = [p for root in (tmp_path / "loin", tmp_path / "ailleurs", tmp_path / "courriers")
               for p in [root, *root.rglob("*")]]
    assert any(p.name == "cada.db-wal" for p in created)
    assert any(p.parent.name == ref for p in created), "a stored file"
    assert any(p.parent.name == "sauvegardes" for p in created), "a backup"
    for path in created:
        mode = stat.S_IMODE(os.stat(path).st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), f"{path}: {oct(mode)}"
