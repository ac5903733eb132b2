"""The SQLite file of a database: created atomically in WAL mode, refused when it is
not cada's, locked while it is upgraded, copied consistently (the backup API).

Standard library only: the commands that read SQLite without SQLAlchemy
(readdb.py) use its header check too.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cada_tracker.errors import StorageError
from cada_tracker.faults import busy_timeout
from cada_tracker.paths import PRIVATE_FILE, ensure_private_dir

SQLITE_HEADER = b"SQLite format 3\x00"


def prepare_sqlite_file(path: Path) -> None:
    """Refuse a file that is not an SQLite database; create a new one atomically.

    A new database is created beside its final name, in WAL mode (so that it has
    SQLite's header from the start), then linked into place: no process ever sees
    a zero-byte file, and a zero-byte or foreign file is refused, never "migrated".
    """
    ensure_private_dir(path.parent)
    try:
        with open(path, "rb") as fh:
            head = fh.read(100)
    except FileNotFoundError:
        _create_sqlite_file(path)
        return
    except IsADirectoryError:
        head = None
    if head is None or not head.startswith(SQLITE_HEADER):
        what = "un dossier" if head is None else ("un fichier vide" if not head
                                                  else "pas une base SQLite")
        raise not_a_cada_database(path, what)
    if head[18:20] != b"\x02\x02":
        # Not in WAL mode: never opened by cada. Look before turning it to WAL, which
        # rewrites the header of someone else's file.
        if _foreign_tables(path):
            raise not_a_cada_database(path, "une base SQLite d'un autre logiciel")
        _turn_to_wal(path)


def _turn_to_wal(path: Path) -> None:
    """Put a database written before cada used WAL mode into it, one process at a time.

    Left to each connection's ``PRAGMA journal_mode=WAL``, several processes opening
    such a file at once deadlocked: one that could not switch the mode stayed in
    rollback-journal mode and upgraded the schema holding its write lock, while the
    others held a read lock waiting to switch it, until their busy timeout ended
    ("occupée depuis 30 s"). Under the migration lock, the first switches it and the
    others find it switched.
    """
    from cada_tracker.faults import busy_message, storage_error

    with file_lock(path):
        try:
            conn = sqlite3.connect(path, timeout=busy_timeout())
            try:
                mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            finally:
                conn.close()
        except sqlite3.Error as exc:
            known = storage_error(exc, f"sqlite:///{path}")
            raise (known or StorageError(f"Base « {path} » illisible ({exc}).")) from exc
    if mode != "wal":  # SQLite keeps the old mode when it cannot take the lock
        raise busy_message(f"« {path} »", busy_timeout())


def _foreign_tables(path: Path) -> bool:
    """Whether the file has tables but no Alembic version (read only). Waits for a
    write lock as long as any command does: another cada may be turning this file
    to WAL mode (an exclusive lock, held through its fsyncs)."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True,
                           timeout=busy_timeout())
    try:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        conn.close()
    return bool(names) and "alembic_version" not in names


def not_a_cada_database(path: Path, what: str) -> StorageError:
    return StorageError(
        f"Ce fichier n'est pas une base cada : {path} ({what}). cada n'y a pas touché.",
        hint="Indiquez une autre base avec --db ou CADA_DATABASE_URL, ou déplacez ce fichier.",
    )


def _create_sqlite_file(path: Path) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.new")
    try:
        fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, PRIVATE_FILE)
        os.fchmod(fd, PRIVATE_FILE)  # whatever the umask; SQLite gives -wal/-shm this mode
        os.close(fd)
        conn = sqlite3.connect(tmp)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
        finally:
            conn.close()
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another command created it first: use theirs
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + "-wal"), tmp.with_name(tmp.name + "-shm")):
            leftover.unlink(missing_ok=True)


@contextmanager
def file_lock(sqlite_file: Path) -> Iterator[None]:
    """``fcntl`` on the lock file beside an SQLite database, released by the kernel
    if the process dies."""
    import fcntl

    fd = os.open(sqlite_file.with_name(f"{sqlite_file.name}.lock"),
                 os.O_CREAT | os.O_RDWR, PRIVATE_FILE)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def backup_sqlite(source: Path, target: Path, *, keep_existing: bool = False) -> Path:
    """A consistent copy of a live SQLite database (online backup API), private.

    Written beside ``target`` and linked into place once complete: a failure
    (disk full) leaves no partial file, and an existing file is never replaced.
    With ``keep_existing``, a target that exists gets a numbered name instead
    (``….2.bak``); otherwise it is refused. Returns the path written.
    """
    ensure_private_dir(target.parent)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, PRIVATE_FILE)
        os.fchmod(fd, PRIVATE_FILE)
        os.close(fd)
        src = sqlite3.connect(source, timeout=busy_timeout())
        try:
            dst = sqlite3.connect(tmp)
            try:
                src.backup(dst)
            finally:
                dst.close()
        finally:
            src.close()
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        return _link_new(tmp, target, numbered=keep_existing)
    finally:
        tmp.unlink(missing_ok=True)


def _link_new(tmp: Path, target: Path, *, numbered: bool) -> Path:
    candidate, n = target, 1
    while True:
        try:
            os.link(tmp, candidate)
            return candidate
        except FileExistsError:
            if not numbered:
                raise StorageError(f"{target} existe déjà : choisissez un autre nom.") from None
            n += 1
            stem, dot, ext = target.name.rpartition(".")
            candidate = target.with_name(f"{stem}.{n}.{ext}" if dot else f"{target.name}.{n}")
