"""Eight processes writing at once to one database lose nothing; references stay unique.

Each writer (tests/procs.py) records four requests, their sending and a note.
"""

from __future__ import annotations

import os

from procs import Child, together, writer


def _race(cli, env_extra):
    cli("init", "--name", "Collectif", "--address", r"1 rue X\n69001 Lyon", "--email",
        "c@example.org", "--city", "Lyon", ok=True)
    cli("admin", "add", "Mairie de Lyon", "--kind", "commune", "--postcode", "69001",
        "--city", "Lyon", ok=True)
    env = {**os.environ, **env_extra}
    start = together(8)
    writers = [Child(writer, n, env=env, barrier=start) for n in range(8)]
    start.wait(timeout=120)
    for one in writers:
        code, _, err = one.wait()
        assert code == 0, err
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
