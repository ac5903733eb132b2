"""Eight processes writing at once to one database lose nothing; references stay unique."""

from __future__ import annotations

import os
import subprocess
import sys

WORKER = r"""
import sys
from cada_tracker.cli.main import run
worker = int(sys.argv[1])
for i in range(4):
    import io, contextlib, json
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = run(["new", "--to", "1", "--subject", f"Objet {worker}-{i}", "--doc", "Liste",
                    "--json"])
    assert code == 0, code
    ref = json.loads(buf.getvalue())["reference"]
    assert run(["sent", ref, "--on", "2026-03-02", "--via", "email"]) == 0
    assert run(["note", ref, f"note du processus {worker}", "--on", "2026-03-03"]) == 0
"""


def _race(cli, env_extra):
    cli("init", "--name", "Collectif", "--address", r"1 rue X\n69001 Lyon", "--email",
        "c@example.org", "--city", "Lyon", ok=True)
    cli("admin", "add", "Mairie de Lyon", "--kind", "commune", "--postcode", "69001",
        "--city", "Lyon", ok=True)
    env = {**os.environ, **env_extra}
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, str(n)], env=env,
                              stderr=subprocess.PIPE, text=True) for n in range(8)]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    rows = cli("list", "--json", ok=True).json()
    refs = [r["reference"] for r in rows]
    assert len(refs) == 32 and len(set(refs)) == 32
    assert {r["status"] for r in rows} == {"sent"}
    subjects = {r["subject"] for r in rows}
    assert subjects == {f"Objet {w}-{i}" for w in range(8) for i in range(4)}
    for ref in refs[:: 7]:
        kinds = [e["kind"] for e in cli("show", ref, "--json", ok=True).json()["events"]]
        assert kinds == ["sent", "note"]


def test_eight_writers_on_sqlite(cli, isolated_home):
    _race(cli, {"CADA_HOME": str(isolated_home)})


def test_eight_writers_on_postgresql(cli, isolated_home, pg_server, monkeypatch):
    url = pg_server.create_database()
    monkeypatch.setenv("CADA_DATABASE_URL", url)
    _race(cli, {"CADA_HOME": str(isolated_home), "CADA_DATABASE_URL": url})
