"""Files written atomically (temporary file in the same folder, then rename)."""

from __future__ import annotations

import errno
import os
import signal
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

from cada_tracker.paths import PRIVATE_FILE, ensure_private_dir


@contextmanager
def sigint_deferred():
    """Within the block, Ctrl-C is only noted (in the list yielded), not raised.

    Python runs signal handlers in the main thread whatever thread the kernel
    picked (a progress bar's refresh thread, say), so replacing the handler is
    what holds Ctrl-C back, where blocking the signal in one thread would not.
    Forked children inherit this quiet handler until their initializer ignores
    SIGINT. Outside the main thread handlers cannot change: nothing is deferred.
    Where Ctrl-C is ignored (the rendering service, which forks its workers here),
    it stays ignored: noting it would raise KeyboardInterrupt in a process that
    must never see one (a traceback in an export interrupted as its workers forked).
    """
    noted: list = []
    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGINT) is signal.SIG_IGN):
        yield noted
        return
    previous = signal.signal(signal.SIGINT, lambda *_: noted.append(True))
    try:
        yield noted
    finally:
        signal.signal(signal.SIGINT, previous)


@contextmanager
def _whole_or_gone():
    """A Ctrl-C while a file is written takes effect once the file is whole, or gone.

    KeyboardInterrupt may otherwise land between the creation of the temporary file
    and the ``try`` that removes it, leaving a ``.tmp`` behind (a parallel export
    interrupted by Ctrl-C did). The write is short (bytes already in memory): the
    signal is held for its duration, then delivered to the previous handler."""
    with sigint_deferred() as noted:
        yield
    if noted:
        signal.raise_signal(signal.SIGINT)


def _temporary_copy(path: Path, data: bytes, mode: int) -> str:
    """``data`` written and synced to a temporary file beside ``path``; returns its name."""
    ensure_private_dir(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
    except BaseException:
        _remove(tmp)
        raise
    return tmp


def _remove(tmp: str) -> None:
    try:
        os.unlink(tmp)
    except FileNotFoundError:
        pass


def _replace(tmp: str, path: Path) -> None:
    """``os.replace``, whose error names ``path`` (the user's), not the temporary file."""
    try:
        os.replace(tmp, path)
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(path)) from exc


def atomic_write_bytes(path: Path, data: bytes, mode: int = PRIVATE_FILE) -> None:
    with _whole_or_gone():
        tmp = _temporary_copy(path, data, mode)
        try:
            _replace(tmp, path)
        except BaseException:
            _remove(tmp)
            raise


def write_stream_atomically(path: Path, chunks, mode: int = PRIVATE_FILE) -> None:
    """Like :func:`atomic_write_bytes` for bytes that come in chunks (memory stays flat)."""
    ensure_private_dir(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            for chunk in chunks:
                fh.write(chunk)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        _replace(tmp, path)
    except BaseException:
        _remove(tmp)
        raise


def atomic_write_text(path: Path, text: str, mode: int = PRIVATE_FILE) -> None:
    atomic_write_bytes(path, text.encode("utf-8"), mode)


def read_bounded(path: Path, limit: int) -> bytes | None:
    """The bytes of ``path``, or None if it holds more than ``limit``. Read, not sized:
    a device or a pipe (``/dev/zero``, ``/dev/stdin``) has no size to check first."""
    with open(path, "rb") as fh:
        data = fh.read(limit + 1)
    return data if len(data) <= limit else None


def read_option_file(path: Path, option: str, limit: int, expected: str) -> bytes:
    """The bytes of the file an option names (``--to-file``, ``--from-file``), read up
    to ``limit``; InputError in French naming the option and the file otherwise.
    ``expected`` says what a line holds (« une demande par ligne attendue »)."""
    from cada_tracker.errors import InputError
    from cada_tracker.faults import reason

    try:
        data = read_bounded(path, limit)
    except FileNotFoundError:
        raise InputError(f"{option} : fichier introuvable : {path}") from None
    except OSError as exc:  # a folder among them: « c'est un dossier, pas un fichier »
        raise InputError(f"{option} : lecture impossible de {path} ({reason(exc)}).") from None
    if data is None:
        raise InputError(f"{option} : {path} fait plus de {limit // 1_000_000} Mo ({expected}).")
    return data


def numbered(path: Path, n: int) -> Path:
    """``lettre.pdf`` → ``lettre-2.pdf`` (``n`` ≥ 2)."""
    suffixes = "".join(path.suffixes[-1:])
    stem = path.name[: len(path.name) - len(suffixes)] if suffixes else path.name
    return path.with_name(f"{stem}-{n}{suffixes}")


def write_new_file(path: Path, data: bytes, mode: int = PRIVATE_FILE) -> Path:
    """Write ``data`` atomically to ``path`` without replacing an existing file.

    If ``path`` exists, the copy goes to ``path-2``, ``path-3``…; returns the path
    written. The complete file appears under its name in one step (a hard link from
    the temporary file, which fails instead of replacing, even against another writer).
    """
    with _whole_or_gone():
        tmp = _temporary_copy(path, data, mode)
        try:
            candidate, n = path, 2
            while True:
                try:
                    _link_or_claim(tmp, candidate)
                    return candidate
                except FileExistsError:
                    candidate = numbered(path, n)
                    n += 1
        finally:
            _remove(tmp)


def _link_or_claim(tmp: str, candidate: Path) -> None:
    """Give ``tmp`` the name ``candidate`` unless that name exists (FileExistsError)."""
    try:
        os.link(tmp, candidate)
    except FileExistsError:
        raise
    except OSError as exc:  # no hard links here (FAT, some network shares)
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
            raise
        os.close(os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        os.replace(tmp, candidate)


def refuse_existing(path: Path, *, force: bool, flag: str = "--out") -> None:
    """An output file given by the user is replaced only with ``--force``."""
    from cada_tracker.errors import InputError

    if path.is_dir():
        raise InputError(f"{flag} : {path} est un dossier ; donnez un nom de fichier.")
    if not force and (path.exists() or path.is_symlink()):
        raise InputError(f"{flag} : le fichier {path} existe déjà ; ajoutez --force pour le "
                         "remplacer, ou choisissez un autre nom.")


def prepare_out_dir(out: Path, *, flag: str = "--out") -> Path:
    """Create the output folder ``out`` if needed; a French error if it cannot be."""
    from cada_tracker.errors import InputError

    if out.exists() and not out.is_dir():
        raise InputError(f"{flag} : {out} existe et n'est pas un dossier.")
    try:
        ensure_private_dir(out)
    except OSError as exc:
        from cada_tracker.faults import reason

        raise InputError(f"{flag} : impossible de créer le dossier {out} ({reason(exc)}).") \
            from exc
    return out
