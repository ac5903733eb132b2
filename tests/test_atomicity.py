"""A crash in the middle of a command leaves the database (and the files) as they were."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest


def _crash(*args, **kwargs):
    raise RuntimeError("simulated crash")


def test_crash_while_recording_an_event_writes_nothing(cli, draft_ref, tmp_path, isolated_home):
    from cada_tracker.services import events

    cli("sent", draft_ref, "--on", "2026-03-02", "--via", "lrar", ok=True)
    before = cli("show", draft_ref, "--json", ok=True).json()
    reply = tmp_path / "r.pdf"
    reply.write_bytes(b"data")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(events, "refresh", _crash)
        result = cli("answer", draft_ref, "--on", "2026-03-20", "--outcome", "full",
                     "--attach", reply)
    assert result.exit_code == 70 and "Traceback" not in result.stderr
    assert cli("show", draft_ref, "--json", ok=True).json() == before
    stored = isolated_home / "fichiers" / draft_ref
    assert not stored.exists() or not any(stored.iterdir()), "no orphan attachment"


def test_crash_while_drafting_leaves_no_request(cli, admin_id):
    from cada_tracker import letters

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(letters, "render", _crash)
        assert cli("new", "--to", admin_id, "--subject", "X", "--doc", "Y").exit_code == 70
    assert cli("list", "--json", ok=True).json() == []


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_killed_process_leaves_the_database_as_it_was(cli, draft_ref, isolated_home):
    """SIGKILL in the middle of a write transaction: SQLite rolls it back."""
    code = """
import os, signal
from cada_tracker import paths, storage
from cada_tracker.models import Event
from sqlmodel import select
engine = storage.open_db(paths.resolve())
with storage.session_scope(engine, write=True) as s:
    s.add(Event(request_id=1, kind="note", on=__import__("datetime").date(2026, 1, 1),
                text="half-written"))
    s.flush()
    os.kill(os.getpid(), signal.SIGKILL)
"""
    env = {**os.environ, "CADA_HOME": str(isolated_home)}
    proc = subprocess.run([sys.executable, "-c", code], env=env)
    assert proc.returncode == -signal.SIGKILL
    shown = cli("show", draft_ref, "--json", ok=True).json()
    assert shown["events"] == []
    assert cli("db", "check").exit_code == 0


def test_ctrl_c_while_a_file_is_written_lands_once_it_is_whole(tmp_path, monkeypatch):
    """The Ctrl-C that left a .tmp in an interrupted parallel export: it now waits for
    the file to be complete, then interrupts."""
    import os
    import signal

    from cada_tracker import fileio

    real_fsync = os.fsync

    def fsync_then_ctrl_c(fd):
        real_fsync(fd)
        signal.raise_signal(signal.SIGINT)  # between the temporary file and its rename

    out = tmp_path / "courriers"
    out.mkdir()
    monkeypatch.setattr(os, "fsync", fsync_then_ctrl_c)
    for write, name in ((fileio.atomic_write_bytes, "a.pdf"), (fileio.write_new_file, "b.pdf")):
        with pytest.raises(KeyboardInterrupt):
            write(out / name, b"%PDF-1.7 lettre")
        assert (out / name).read_bytes() == b"%PDF-1.7 lettre"
    assert sorted(p.name for p in out.iterdir()) == ["a.pdf", "b.pdf"]  # no .tmp
