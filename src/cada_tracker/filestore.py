"""Stored files (received documents, letters sent) in the private data folder.

A file is copied in chunks while its SHA-256 is computed, so memory stays flat
whatever its size (runs of zeros are skipped, so a sparse file stays sparse),
then renamed ``<sha256[:16]>-<safe name>`` in its request's folder; the name as
given is kept in the record. Files are written before the transaction that
records them commits; a :class:`Journal` lists them first, so that what a killed
command leaves behind (a ``.tmp``, a file no event refers to) is removed by the
next command (:func:`recover`).
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import os
import stat
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from cada_tracker.envvars import env_int
from cada_tracker.errors import InputError
from cada_tracker.paths import PRIVATE_FILE, ensure_private_dir

CHUNK = 1 << 20
_ZEROS = bytes(CHUNK)
JOURNAL_DIR = ".en-cours"
#: Longest stored name, in UTF-8 bytes (file systems allow 255; the hash prefix takes 17).
NAME_BYTES = 150
DEFAULT_MAX_MB = 8192


@dataclass(frozen=True)
class Stored:
    path: Path  # the stored file
    sha256: str
    size: int


def safe_name(name: str, limit: int = NAME_BYTES) -> str:
    """A portable file name no longer than ``limit`` UTF-8 bytes, extension kept.

    >>> safe_name("Réponse de la mairie (2).PDF")
    'Réponse_de_la_mairie__2_.PDF'
    >>> len(safe_name("é" * 120 + ".pdf").encode())
    150
    """
    name = unicodedata.normalize("NFC", name)
    clean = "".join(c if c.isalnum() or c in "._-" else "_" for c in name).lstrip(".")
    stem, dot, ext = clean.rpartition(".")
    if not dot or not stem or len(ext.encode()) > 16:
        stem, ext = clean, ""
    suffix = f".{ext}" if ext else ""
    room = limit - len(suffix.encode())
    stem = stem.encode()[:room].decode("utf-8", "ignore")
    return (stem or "fichier") + suffix


def max_attachment_bytes(env: dict[str, str] | None = None) -> int:
    """The size limit of an attachment: ``CADA_MAX_ATTACHMENT_MB`` (default 8192 Mo)."""
    return env_int("CADA_MAX_ATTACHMENT_MB", DEFAULT_MAX_MB, 1, 10**7, "mégaoctets",
                   env) * 1024 * 1024


def _too_big(source: str, limit: int) -> InputError:
    return InputError(
        f"--attach : {source} dépasse la taille maximale d'une pièce jointe "
        f"({limit // (1024 * 1024)} Mo).",
        hint="Réglez la limite avec CADA_MAX_ATTACHMENT_MB (en mégaoctets).",
    )


def check_size(source: Path) -> None:
    """Refuse an attachment above the limit before anything is written."""
    limit = max_attachment_bytes()
    if source.stat().st_size > limit:
        raise _too_big(str(source), limit)


def store_path(source: Path, folder: Path, journal: list[Path] | None = None) -> Stored:
    """Copy the file ``source`` into ``folder``; an unreadable or too big file is an
    input error naming it."""
    limit = max_attachment_bytes()
    try:
        fh = open(source, "rb")
    except OSError as exc:
        raise InputError(f"--attach : lecture impossible de {source} "
                         f"({_reason(exc)}).") from exc
    with fh:
        if os.fstat(fh.fileno()).st_size > limit:
            raise _too_big(str(source), limit)
        return _store(fh, source.name, folder, journal, limit=limit, what=str(source))


def store_bytes(data: bytes, name: str, folder: Path,
                journal: list[Path] | None = None) -> Stored:
    """Store content cada produced (a letter)."""
    import io

    return _store(io.BytesIO(data), name, folder, journal, limit=None, what=name)


def _reason(exc: OSError) -> str:
    from cada_tracker.faults import reason

    return reason(exc)


def _store(reader: BinaryIO, name: str, folder: Path, journal, *, limit: int | None,
           what: str) -> Stored:
    folder = ensure_private_dir(folder)
    announce = getattr(journal, "announce", None)
    fd = -1
    tmp = folder / f".{uuid.uuid4().hex}.tmp"
    try:
        # Journaled before it exists: a command killed right after creating it
        # still leaves it listed for the next command to remove.
        if announce is not None:
            announce(tmp)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
        digest, size = _copy(reader, fd, limit=limit, what=what, folder=folder)
        os.fchmod(fd, PRIVATE_FILE)
        os.close(fd)
        fd = -1
        target = folder / f"{digest[:16]}-{safe_name(name)}"
        if target.exists():
            tmp.unlink()
        else:
            if announce is not None:
                announce(target)
            os.replace(tmp, target)
            if journal is not None:
                journal.append(target)
        return Stored(path=target, sha256=digest, size=size)
    except OSError as exc:
        from cada_tracker.faults import os_error

        raise os_error(OSError(exc.errno, exc.strerror, str(exc.filename or folder))) from exc
    finally:
        if fd >= 0:
            os.close(fd)
        tmp.unlink(missing_ok=True)


def _copy(reader: BinaryIO, fd: int, *, limit: int | None, what: str,
          folder: Path) -> tuple[str, int]:
    sha = hashlib.sha256()
    size = 0
    while True:
        chunk = reader.read(CHUNK)
        if not chunk:
            break
        size += len(chunk)
        if limit is not None and size > limit:
            raise _too_big(what, limit)
        sha.update(chunk)
        if chunk == _ZEROS[:len(chunk)]:
            os.lseek(fd, len(chunk), os.SEEK_CUR)  # a hole: no disk block, no write
        else:
            view = memoryview(chunk)
            while view:
                view = view[os.write(fd, view):]
    os.ftruncate(fd, size)
    os.fsync(fd)
    return sha.hexdigest(), size


def sha256_of(path: Path) -> str:
    """The file's SHA-256, read in chunks."""
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


class Journal(list):
    """The files one command writes before its commit (and a list of the new ones).

    The journal file, under ``<data>/.en-cours/``, is locked (``fcntl``) for the
    command's life: the kernel releases the lock if the process is killed, which
    tells :func:`recover` that the files it lists may be orphans.
    """

    def __init__(self, data_dir: Path) -> None:
        super().__init__()
        self.data_dir = data_dir
        self.fd = -1
        self.path: Path | None = None

    def announce(self, path: Path) -> None:
        if self.fd < 0:
            folder = ensure_private_dir(self.data_dir / JOURNAL_DIR)
            self.path = folder / f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
            self.fd = os.open(self.path, os.O_CREAT | os.O_WRONLY | os.O_APPEND, PRIVATE_FILE)
            fcntl.flock(self.fd, fcntl.LOCK_EX)
        os.write(self.fd, (str(path) + "\n").encode("utf-8", "surrogateescape"))
        os.fsync(self.fd)

    def close(self, *, failed: bool) -> None:
        if failed:
            for path in self:
                path.unlink(missing_ok=True)
        if self.fd >= 0:
            if self.path is not None:
                self.path.unlink(missing_ok=True)
            os.close(self.fd)
            self.fd = -1


def recover(data_dir: Path, is_recorded: Callable[[Path], bool]) -> int:
    """Remove what killed commands left: their ``.tmp`` files and the stored files
    no record refers to. Journals still locked belong to running commands and are
    left alone. Returns the number of files removed."""
    folder = data_dir / JOURNAL_DIR
    try:
        journals = list(folder.iterdir())
    except FileNotFoundError:
        return 0
    removed = 0
    for journal in journals:
        try:
            fd = os.open(journal, os.O_RDONLY)
        except FileNotFoundError:
            continue
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                continue  # not a journal cada wrote (a folder put there): left alone
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                if exc.errno in (errno.EAGAIN, errno.EACCES):
                    continue  # its command is still running
                raise
            with os.fdopen(os.dup(fd), "rb") as fh:
                listed = [Path(line.decode("utf-8", "surrogateescape"))
                          for line in fh.read().splitlines() if line]
            for path in listed:
                if path.exists() and (path.name.endswith(".tmp") or not is_recorded(path)):
                    path.unlink(missing_ok=True)
                    removed += 1
            journal.unlink(missing_ok=True)
        finally:
            os.close(fd)
    return removed
