"""Stored files in the shared PostgreSQL database, a chunk at a time.

Content-addressed: ``stored_content`` holds one row per SHA-256, ``stored_chunk`` its
bytes in 1 MiB rows. A file is read twice when stored: once to hash it (its key),
once to copy it, hashed again, so that a file changed between the two reads is
refused. Nothing larger than a chunk is ever in memory; the rows are written in the
command's transaction, so a failed or killed command leaves nothing behind.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import text

from cada_tracker.errors import InputError
from cada_tracker.filestore import CHUNK, Stored, _too_big, max_attachment_bytes, safe_name


def uses_database(session_or_conn) -> bool:
    bind = session_or_conn.get_bind() if hasattr(session_or_conn, "get_bind") \
        else session_or_conn
    return bind.dialect.name == "postgresql"


def _name(folder: Path, sha: str, name: str) -> Path:
    """The file's name in the record: as it would be in the data folder's layout."""
    return folder / f"{sha[:16]}-{safe_name(name)}"


def put_path(session, source: Path, folder: Path) -> Stored:
    """Store the file ``source`` (recorded under ``folder``, the request's folder)."""
    limit = max_attachment_bytes()
    try:
        with open(source, "rb") as fh:
            sha, size = _hash(fh, limit, str(source))
            if not _exists(session, sha):
                fh.seek(0)
                _insert(session, fh, sha, str(source))
    except OSError as exc:
        from cada_tracker.faults import reason

        raise InputError(f"--attach : lecture impossible de {source} ({reason(exc)}).") \
            from exc
    return Stored(path=_name(folder, sha, source.name), sha256=sha, size=size)


def put_bytes(session, data: bytes, name: str, folder: Path) -> Stored:
    import io

    sha = hashlib.sha256(data).hexdigest()
    if not _exists(session, sha):
        _insert(session, io.BytesIO(data), sha, name)
    return Stored(path=_name(folder, sha, name), sha256=sha, size=len(data))


def _hash(fh: BinaryIO, limit: int, what: str) -> tuple[str, int]:
    sha, size = hashlib.sha256(), 0
    while chunk := fh.read(CHUNK):
        size += len(chunk)
        if size > limit:
            raise _too_big(what, limit)
        sha.update(chunk)
    return sha.hexdigest(), size


def _exists(session, sha: str) -> bool:
    return session.execute(text("SELECT 1 FROM stored_content WHERE sha256 = :s"),
                           {"s": sha}).first() is not None


def _insert(session, fh: BinaryIO, sha: str, what: str) -> None:
    # Another member storing the same content at the same moment: the unique key
    # makes us wait for their transaction; if it commits, theirs is the copy.
    inserted = session.execute(text(
        "INSERT INTO stored_content (sha256, size, created_at) VALUES (:s, 0, now()) "
        "ON CONFLICT (sha256) DO NOTHING"), {"s": sha}).rowcount
    if not inserted:
        return
    digest, size, seq = hashlib.sha256(), 0, 0
    while chunk := fh.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
        session.execute(text("INSERT INTO stored_chunk (sha256, seq, data) "
                             "VALUES (:s, :n, :d)"), {"s": sha, "n": seq, "d": chunk})
        seq += 1
    if digest.hexdigest() != sha:
        raise InputError(f"--attach : {what} a changé pendant sa copie : réessayez.")
    session.execute(text("UPDATE stored_content SET size = :n WHERE sha256 = :s"),
                    {"n": size, "s": sha})


def chunks(conn, sha: str) -> Iterator[bytes]:
    """The content's bytes, a chunk per row, fetched one row at a time."""
    last = -1
    while True:
        row = conn.execute(text("SELECT seq, data FROM stored_chunk WHERE sha256 = :s "
                                "AND seq > :n ORDER BY seq LIMIT 1"),
                           {"s": sha, "n": last}).first()
        if row is None:
            return
        last = row[0]
        yield bytes(row[1])


def verify(conn, sha: str, size: int) -> str | None:
    """None if the content is there, whole and unaltered; else what is wrong (French)."""
    if conn.execute(text("SELECT 1 FROM stored_content WHERE sha256 = :s"),
                    {"s": sha}).first() is None:
        return "absent de la base"
    digest, total = hashlib.sha256(), 0
    for chunk in chunks(conn, sha):
        digest.update(chunk)
        total += len(chunk)
    if total != size or digest.hexdigest() != sha:
        return "modifié dans la base (SHA-256 différent)"
    return None


def upload_local(conn, sha: str, source: Path) -> bool:
    """Move a file recorded before 0004 from this member's data folder (db check)."""
    try:
        with open(source, "rb") as fh:
            with conn.begin_nested():
                _insert(conn, fh, sha, str(source))
                if verify(conn, sha, source.stat().st_size) is not None:
                    raise InputError("altered")
    except (OSError, InputError):
        return False
    return True


CACHE_DIR = "cache"


def local_copy(conn, data_dir: Path, relative: str) -> Path:
    """A readable local path for the stored file ``relative``.

    SQLite keeps stored files in the data folder: that path. PostgreSQL keeps them
    in the shared database: the bytes are copied, a chunk at a time, into this
    member's private cache folder (``cache/``, never ``fichiers/``: the base stays
    the only record) the first time a reader such as the search index or OCR needs
    them; OCR keeps its text-layer copy beside it.
    """
    from cada_tracker.fileio import write_stream_atomically

    path = data_dir / relative
    if path.is_file() or not uses_database(conn):
        return path
    path = data_dir / CACHE_DIR / relative
    if path.is_file():
        return path
    row = conn.execute(text("SELECT sha256 FROM stored_file WHERE path = :p LIMIT 1"),
                       {"p": relative}).first()
    if row is None or not _exists_conn(conn, row[0]):
        return path
    write_stream_atomically(path, chunks(conn, row[0]))
    return path


def shown_path(data_dir: Path, relative: str) -> Path:
    """The local path to show for a stored file: the data folder's, else the cache's."""
    cached = data_dir / CACHE_DIR / relative
    own = data_dir / relative
    return cached if not own.is_file() and cached.is_file() else own


def _exists_conn(conn, sha: str) -> bool:
    return conn.execute(text("SELECT 1 FROM stored_content WHERE sha256 = :s"),
                        {"s": sha}).first() is not None
