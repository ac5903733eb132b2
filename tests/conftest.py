"""Every test runs against a temporary CADA_HOME: no test touches the user's real data."""

from __future__ import annotations

import json
import os
import signal
from dataclasses import dataclass

import pytest
from hypothesis import settings

# The same examples on every run and no per-example deadline: a busy machine must not
# turn a property test red (a failure found once is replayed from .hypothesis/).
settings.register_profile("cada", derandomize=True, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "cada"))


def pytest_configure(config):
    """Ctrl-C as a user's terminal delivers it, even when pytest was started in the
    background: a shell without job control starts ``pytest &`` with SIGINT ignored
    (POSIX), every child inherits that, and a Python started so never raises
    KeyboardInterrupt. The Ctrl-C tests would then fail for a reason that is not
    cada's. Restoring the handler here (the controller and each xdist worker) gives
    the processes the tests start the disposition a user's ``cada`` has."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(scope="session", autouse=True)
def real_user_dirs_untouched():
    """Fails the run if any test created cada's real data or config folder."""
    import platformdirs

    real = [platformdirs.user_data_dir("cada", appauthor=False),
            platformdirs.user_config_dir("cada", appauthor=False)]
    before = {p: os.path.exists(p) for p in real}
    yield
    for path, existed in before.items():
        assert existed or not os.path.exists(path), f"a test wrote to the real {path}"


@pytest.fixture(scope="session", autouse=True)
def warm_processes():
    """Stops the forkserver of tests/procs.py, if a test started it."""
    yield
    import sys

    procs = sys.modules.get("procs")
    if procs is not None:
        procs.stop_server()


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory):
    """One empty SQLite database migrated to the head by ``open_db`` itself, per test
    process: a copy of it is what ``open_db`` makes of a missing file (see below)."""
    from cada_tracker import storage

    folder = tmp_path_factory.mktemp("schema-head")
    path = folder / "cada.db"
    engine = storage.open_db(storage.Locations(folder, folder, f"sqlite:///{path}"))
    assert storage.current_revision(engine) == storage.SCHEMA_HEAD
    storage.take_upgrade(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    for key in [k for k, e in storage._engines.items() if e is engine]:
        del storage._engines[key]
    return path.read_bytes()


@pytest.fixture(autouse=True)
def fresh_schema_from_template(request, monkeypatch):
    """A new SQLite database starts as a copy of ``migrated_sqlite``, not by running
    every migration again (≈ 0.1 s of CPU per test). Only the schema's *creation* is
    skipped: the copy is created as ``_create_sqlite_file`` creates an empty one
    (private, beside its name, linked into place), and it is what the migrations
    produce from nothing, which tests marked ``migrations`` check, running them."""
    if request.node.get_closest_marker("migrations"):
        return
    template = request.getfixturevalue("migrated_sqlite")
    from cada_tracker import sqlite_file

    def from_template(path):
        tmp = path.with_name(f".{path.name}.{os.getpid()}.template")
        fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, sqlite_file.PRIVATE_FILE)
        os.fchmod(fd, sqlite_file.PRIVATE_FILE)
        with os.fdopen(fd, "wb") as fh:
            fh.write(template)
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()

    monkeypatch.setattr(sqlite_file, "_create_sqlite_file", from_template)


@pytest.fixture(autouse=True)
def warm_extraction(request, monkeypatch):
    """Attachments' text is read by ``procs.run_worker``, a child of the warm server,
    except in the tests of the extraction itself (marked ``real_extraction``)."""
    if request.node.get_closest_marker("real_extraction"):
        return
    from cada_tracker.services.search import worker

    import procs

    monkeypatch.setattr(worker, "run_worker", procs.run_worker)


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch):
    home = tmp_path / "cada-home"
    monkeypatch.setenv("CADA_HOME", str(home))
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "user" / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "user" / "config"))
    monkeypatch.delenv("CADA_DATABASE_URL", raising=False)
    monkeypatch.delenv("CADA_TODAY", raising=False)
    monkeypatch.delenv("CADA_DEBUG", raising=False)
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.setenv("COLUMNS", "200")
    # Commands that write letters default to the current folder: keep it temporary.
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    yield home
    # Engines are cached per URL for the life of a process: close this test's, so a
    # run of hundreds of PostgreSQL tests never exhausts the server's connections.
    import sys

    storage = sys.modules.get("cada_tracker.storage")
    for key, engine in list(getattr(storage, "_engines", {}).items()):
        engine.dispose()
        storage._engines.pop(key, None)


@pytest.fixture(scope="session")
def pg_server():
    """One PostgreSQL cluster for the whole run (a fresh database per test)."""
    from pg_server import PgServer

    try:
        server = PgServer().start()
    except (FileNotFoundError, OSError) as exc:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL must run under CI, but cannot start: {exc}")
        pytest.skip(f"PostgreSQL server binaries unavailable: {exc}")
    except Exception as exc:  # noqa: BLE001 - a CalledProcessError with its output
        detail = getattr(exc, "stderr", "") or exc
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL failed to start under CI: {detail}")
        pytest.skip(f"PostgreSQL failed to start: {detail}")
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request, monkeypatch):
    """Run a test on the embedded SQLite file and on a fresh PostgreSQL database."""
    if request.param == "postgresql":
        server = request.getfixturevalue("pg_server")
        migrated = request.node.get_closest_marker("migrations") is None
        monkeypatch.setenv("CADA_DATABASE_URL", server.create_database(migrated=migrated))
    return request.param


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    def json(self):
        return json.loads(self.stdout)


#: Click commands built by ``cli.lazy.module_commands``, kept for the test process.
_built_commands: dict = {}


def _module_commands_once(real):
    """``module_commands`` that builds each command once per test process.

    A real ``cada`` builds the one command it runs, once; in-process, every call of
    the ``cli`` fixture built it again (Typer inspecting every parameter: about 10 ms,
    tens of thousands of times a run). Click commands are reused across invocations
    (each has its own context); what a test changes in a command's module is still
    seen, as the callbacks read it when they run."""
    def cached(module_name: str, only: str | None = None) -> dict:
        key = (module_name, only)
        if key not in _built_commands:
            _built_commands[key] = real(module_name, only)
        return dict(_built_commands[key])
    return cached


@pytest.fixture
def cli(capsys, monkeypatch):
    """Run ``cada ARGS`` in-process; returns exit code, stdout and stderr."""
    from cada_tracker.cli import lazy
    from cada_tracker.cli.main import run

    monkeypatch.setattr(lazy, "module_commands", _module_commands_once(lazy.module_commands))

    def invoke(*args: str, ok: bool | None = None) -> Result:
        capsys.readouterr()
        code = run([str(a) for a in args])
        captured = capsys.readouterr()
        result = Result(code, captured.out, captured.err)
        if ok is True:
            assert code == 0, f"cada {' '.join(map(str, args))} → {code}\n{result.stderr}"
        return result

    return invoke


@pytest.fixture
def profile(cli):
    cli("init", "--name", "Technopolice Lyon", "--address", r"12 rue de la Paix\n69003 Lyon",
        "--email", "lyon@technopolice.example", "--city", "Lyon", ok=True)


@pytest.fixture
def admin_id(cli, profile):
    result = cli("admin", "add", "Mairie de Lyon", "--kind", "commune", "--addressee",
                 "Monsieur le maire", "--street", "1 place de la Comédie", "--postcode", "69001",
                 "--city", "Lyon", "--prada-email", "prada@mairie-lyon.example",
                 "--tag", "rhone", "--json", ok=True)
    return result.json()["id"]


@pytest.fixture
def draft_ref(cli, admin_id):
    result = cli("new", "--to", admin_id, "--subject", "Vidéosurveillance",
                 "--doc", "Liste des caméras", "--doc", "Marché de maintenance",
                 "--doc", "Délibérations", "--json", ok=True)
    return result.json()["reference"]


def set_reference(old: str, new: str) -> None:
    """Renumber a request in the test database (to reach rare references cheaply)."""
    from sqlalchemy import create_engine, text

    from cada_tracker.paths import resolve

    engine = create_engine(resolve().database_url)
    with engine.begin() as db:
        db.execute(text("UPDATE request SET reference = :new WHERE reference = :old"),
                   {"new": new, "old": old})
    engine.dispose()


def fill_disk_in(monkeypatch, folder) -> None:
    """Every atomic write into ``folder`` fails as on a full disk; others proceed."""
    from pathlib import Path

    from cada_tracker import fileio

    def failing(real):
        def disk_full(path, data, mode=fileio.PRIVATE_FILE):
            if Path(path).parent == Path(folder):
                raise OSError(28, "No space left on device")
            return real(path, data, mode)
        return disk_full

    for name in ("atomic_write_bytes", "write_new_file"):
        monkeypatch.setattr(fileio, name, failing(getattr(fileio, name)))


def stored_bytes(cli, home, reference: str, relpath: str, scratch) -> bytes:
    """The bytes of a stored file, wherever the back end keeps it.

    SQLite keeps files in the data folder; PostgreSQL in the shared database, from
    which ``cada files`` copies them out (named as in the record).
    """
    from pathlib import Path

    local = Path(home) / relpath
    if local.exists():
        return local.read_bytes()
    cli("files", reference, "--out", scratch, ok=True)
    return (Path(scratch) / Path(relpath).name).read_bytes()
