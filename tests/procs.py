"""cada commands in separate processes, forked from a warm interpreter.

Races and locks need real processes, but a fresh ``python -m cada_tracker`` pays
for importing cada, SQLAlchemy and Alembic each time (about a second of CPU on a
loaded 2-core machine, dozens of times per test). A multiprocessing *forkserver*
imports them once per test process; each command then runs in a child forked
from that single-threaded server: its own process, its own database connections
and file locks, its own environment and folder, and nothing inherited from the
test process (no engine, no open file). ``together`` holds the children at a
barrier until every one is ready, so their commands really overlap.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import tempfile
from pathlib import Path

PRELOAD = ["procs", "cada_tracker.cli.main", "cada_tracker.storage",
           "cada_tracker.services.events", "cada_tracker.services.escalation",
           "cada_tracker.services.drafting", "cada_tracker.directory", "alembic.command",
           # Text extraction's libraries: see ``run_worker`` below.
           "cada_tracker.services.search.worker", "cada_tracker.services.search.extract",
           "pypdf"]

_context = None


def context():
    """The forkserver context, its server started with this folder importable."""
    global _context
    if _context is None:
        from multiprocessing import forkserver

        _context = multiprocessing.get_context("forkserver")
        _context.set_forkserver_preload(PRELOAD)
        here = Path(__file__).resolve().parent
        before = os.environ.get("PYTHONPATH")
        os.environ["PYTHONPATH"] = os.pathsep.join(
            [str(here), str(here.parent), *([before] if before else [])])
        try:
            forkserver.ensure_running()
        finally:
            if before is None:
                del os.environ["PYTHONPATH"]
            else:
                os.environ["PYTHONPATH"] = before
    return _context


def stop_server() -> None:
    """End this process's forkserver (it is started on first use)."""
    from multiprocessing import forkserver

    if _context is not None:
        forkserver._forkserver._stop()


def together(n: int):
    """A barrier for ``n`` children and the test: ``barrier.wait()`` releases all."""
    return context().Barrier(n + 1)


class Child:
    """One command in a forked child; ``wait()`` gives (exit code, stdout, stderr)."""

    def __init__(self, target, *args, env=None, cwd=None, barrier=None) -> None:
        self.dir = tempfile.mkdtemp(prefix="cada-child-")
        self.out, self.err = Path(self.dir, "out"), Path(self.dir, "err")
        environ = dict(os.environ if env is None else env)
        self.process = context().Process(
            target=_main, args=(target, args, environ, str(cwd or os.getcwd()),
                                str(self.out), str(self.err), barrier))
        self.process.start()
        self.pid = self.process.pid

    def poll(self) -> int | None:
        return self.process.exitcode

    def kill(self) -> None:
        self.process.kill()

    def wait(self, timeout: float = 300) -> tuple[int, str, str]:
        self.process.join(timeout)
        if self.process.exitcode is None:
            self.process.kill()
            self.process.join()
            raise AssertionError(f"child {self.pid} still running after {timeout} s")
        out = self.out.read_text(encoding="utf-8", errors="replace")
        err = self.err.read_text(encoding="utf-8", errors="replace")
        for path in (self.out, self.err):
            path.unlink(missing_ok=True)
        os.rmdir(self.dir)
        return self.process.exitcode, out, err


def _main(target, args, environ, cwd, out, err, barrier) -> None:
    import signal

    signal.signal(signal.SIGINT, signal.default_int_handler)  # the server ignores Ctrl-C
    os.environ.clear()
    os.environ.update(environ)
    os.chdir(cwd)
    for fd, path in ((1, out), (2, err)):
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(handle, fd)
        os.close(handle)
    if barrier is not None:
        barrier.wait(timeout=120)
    try:
        code = target(*args)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    sys.exit(code or 0)


def cada(*argv: str) -> int:
    """``cada ARGV`` as the console command runs it."""
    from cada_tracker.cli.main import run

    return run([str(a) for a in argv])


def writer(worker: int) -> int:
    """Four times: a new request to administration 1, its sending, a note."""
    import contextlib
    import io
    import json

    for i in range(4):
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            code = cada("new", "--to", "1", "--subject", f"Objet {worker}-{i}", "--doc",
                        "Liste", "--json")
        if code != 0:
            return code
        ref = json.loads(buf.getvalue())["reference"]
        for argv in (["sent", ref, "--on", "2026-03-02", "--via", "email"],
                     ["note", ref, f"note du processus {worker}", "--on", "2026-03-03"]):
            code = cada(*argv)
            if code != 0:
                return code
    return 0


def paused_at_first_letter(started, resume, *argv: str) -> int:
    """``cada ARGV`` with its first letter's rendering held: ``started`` is set when it
    begins, and the rendering goes on once ``resume`` is set (or after 120 s)."""
    from cada_tracker import letters

    real = letters.render

    def render(*args, **kwargs):
        if not started.is_set():
            started.set()
            resume.wait(timeout=120)
        return real(*args, **kwargs)

    letters.render = render
    return cada(*argv)


def connecting_reported(started, *argv: str) -> int:
    """``cada ARGV``, ``started`` set as it opens its first raw SQLite connection (the
    read-only look at a file not yet in WAL mode, before the engine's first one)."""
    import sqlite3

    real = sqlite3.connect

    def connect(*args, **kwargs):
        started.set()
        return real(*args, **kwargs)

    sqlite3.connect = connect
    return cada(*argv)


def run_worker(path, name: str, timeout: int, memory: int) -> tuple[int, bytes]:
    """``services.search.worker.run_worker`` in a child of the warm server.

    The real worker is a fresh ``python -I``: about 0.15 s of CPU a file, most of it
    importing pypdf, hundreds of times a run for tests whose subject is not the
    extraction. This child runs the same ``worker.main`` with the same CPU and memory
    limits, pypdf already imported; the tests of the extraction itself (marked
    ``real_extraction``) keep the real subprocess. What differs is only what a fork
    cannot give: no file-size limit (the child's output is a file, not a pipe)."""
    import subprocess

    child = Child(_extract, str(path), name, timeout, memory)
    child.process.join(timeout)
    if child.process.exitcode is None:
        child.process.kill()
        child.wait()
        raise subprocess.TimeoutExpired("worker", timeout)
    code, out, _err = child.wait()
    return code, out.encode("utf-8")


def _extract(path: str, name: str, timeout: int, memory: int) -> int:
    from cada_tracker.services.search import worker

    worker.apply_limits(timeout, memory, writes=True)  # stdout is a file here
    return worker.main([path, name])
