"""A throwaway PostgreSQL cluster for the tests (initdb + pg_ctl on 127.0.0.1).

``initdb`` refuses to run as root, so as root the cluster belongs to the
``postgres`` system user. Without server binaries the PostgreSQL tests skip,
except under CI (``CI=true``), where a skip would hide a missing install step.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path


def find_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    return candidates[0] if candidates else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgServer:
    def __init__(self) -> None:
        self.initdb = find_bin("initdb")
        self.pg_ctl = find_bin("pg_ctl")
        if not (self.initdb and self.pg_ctl):
            raise FileNotFoundError("initdb/pg_ctl introuvables")
        self.dir = tempfile.mkdtemp(prefix="cada-pg-")
        self.data = os.path.join(self.dir, "data")
        self.port = _free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]

    def _run(self, *args: str) -> None:
        subprocess.run([*self.as_user, *args], check=True, capture_output=True, text=True,
                       cwd=self.dir)

    def start(self) -> PgServer:
        self._run(self.initdb, "-D", self.data, "-U", "cada", "-A", "trust", "--no-sync",
                  "-E", "UTF8", "--locale", "C.UTF-8")
        # Test processes run side by side (pytest-xdist), each with its own cluster: a
        # port another one took between our probe and the server's bind is retried.
        for attempt in range(5):
            opts = (f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
                    "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                    "-c max_connections=200")
            try:
                self._run(self.pg_ctl, "-D", self.data, "-o", opts, "-l",
                          os.path.join(self.dir, "log"), "-w", "start")
                return self
            except subprocess.CalledProcessError:
                if attempt == 4:
                    raise
                self.port = _free_port()
        return self

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://cada@127.0.0.1:{self.port}/{database}"

    def create_database(self, *, migrated: bool = False) -> str:
        """A new empty database, or with ``migrated`` a copy of one that ``open_db``
        migrated to the head (PostgreSQL copies a template database's files: far
        cheaper than running every migration again for each test)."""
        import psycopg

        name = "t_" + uuid.uuid4().hex[:12]
        template = f' TEMPLATE "{self._migrated_template()}"' if migrated else ""
        with psycopg.connect(f"postgresql://cada@127.0.0.1:{self.port}/postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"{template}')
        return self.url(name)

    _template: str | None = None

    def _migrated_template(self) -> str:
        if self._template is None:
            from cada_tracker import storage

            url = self.create_database()
            folder = tempfile.mkdtemp(prefix="cada-pg-template-")
            try:
                engine = storage.open_db(storage.Locations(Path(folder), Path(folder), url))
                assert storage.current_revision(engine) == storage.SCHEMA_HEAD
                storage.take_upgrade(engine)
                engine.dispose()  # a template must have no connection when copied
                for key in [k for k, e in storage._engines.items() if e is engine]:
                    del storage._engines[key]
            finally:
                shutil.rmtree(folder, ignore_errors=True)
            self._template = url.rsplit("/", 1)[1]
        return self._template

    def stop(self) -> None:
        try:
            self._run(self.pg_ctl, "-D", self.data, "-m", "immediate", "-w", "stop")
        except subprocess.CalledProcessError:
            pass
        deadline = time.time() + 5
        while time.time() < deadline:
            try:
                shutil.rmtree(self.dir)
                return
            except OSError:
                time.sleep(0.1)
