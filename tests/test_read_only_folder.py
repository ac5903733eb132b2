"""A data folder or database the user cannot write is named, in French, exit 5.

Root ignores file permissions, so as root the command runs without the capabilities
that let it (setpriv, util-linux): the permissions then apply as to any user."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest


def _cada(env, *args):
    prefix = []
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        assert setpriv, "setpriv (util-linux) is needed to drop root's file capabilities"
        caps = "-dac_override,-dac_read_search,-fowner"
        prefix = [setpriv, f"--bounding-set={caps}", f"--inh-caps={caps}"]
    return subprocess.run([*prefix, sys.executable, "-m", "cada_tracker", *args], env=env,
                          capture_output=True, text=True, timeout=60)


@pytest.fixture
def home(isolated_home):
    env = {**os.environ, "CADA_HOME": str(isolated_home)}
    assert _cada(env, "admin", "add", "Mairie de Lyon", "--kind", "commune",
                 "--postcode", "69001", "--city", "Lyon").returncode == 0
    yield isolated_home, env
    isolated_home.chmod(0o700)
    (isolated_home / "cada.db").chmod(0o600)


def test_a_read_only_data_folder_is_named(home):
    folder, env = home
    folder.chmod(0o500)
    for args in (("overdue",), ("list",), ("admin", "add", "X", "--postcode", "69001",
                                             "--city", "Lyon")):
        done = _cada(env, *args)
        assert done.returncode == 5, (args, done.stderr)
        assert f"Le dossier de la base « {folder} » est en lecture seule" in done.stderr
        assert "unable" not in done.stderr and "Traceback" not in done.stderr
    backup = _cada(env, "db", "backup")
    assert backup.returncode == 5 and "permission refusée" in backup.stderr
    assert str(folder) in backup.stderr


def test_a_read_only_database_file_is_named(home):
    folder, env = home
    (folder / "cada.db").chmod(0o400)
    done = _cada(env, "admin", "add", "X", "--postcode", "69001", "--city", "Lyon")
    assert done.returncode == 5, done.stderr
    assert f"La base « {folder / 'cada.db'} » est en lecture seule" in done.stderr
