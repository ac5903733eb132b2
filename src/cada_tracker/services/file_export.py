"""``cada files``: copy a request's stored files out of the record.

SQLite keeps them in the data folder; PostgreSQL in the shared database, so a
member gets the files another one recorded. Copies are written a chunk at a time
beside their name, then linked into place: never a partial file, never over an
existing one (a file already there with the same content is left as it is).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from sqlmodel import Session

from cada_tracker import dbfiles
from cada_tracker.errors import InputError, StorageError
from cada_tracker.filestore import CHUNK, sha256_of
from cada_tracker.models import Request
from cada_tracker.paths import PRIVATE_FILE, ensure_private_dir
from cada_tracker.services.events import files_of


def export_files(session: Session, request: Request, *, data_dir: Path, out: Path,
                 event_id: int | None = None) -> list[tuple[str, Path, bool]]:
    """(name as recorded, copy, written now) for each stored file of ``request``."""
    shared = dbfiles.uses_database(session)
    done = []
    for stored in files_of(session, request.id):
        if event_id is not None and stored.event_id != event_id:
            continue
        target = out / Path(stored.path).name
        if target.exists():
            if sha256_of(target) != stored.sha256:
                raise InputError(f"--out : {target} existe déjà avec un autre contenu : "
                                 "choisissez un autre dossier.")
            done.append((stored.original_name, target, False))
            continue
        source = (dbfiles.chunks(session.connection(), stored.sha256) if shared
                  else _read(data_dir / stored.path))
        _write(source, target, stored.sha256)
        done.append((stored.original_name, target, True))
    return done


def _read(path: Path) -> Iterator[bytes]:
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(CHUNK):
                yield chunk
    except FileNotFoundError:
        raise StorageError(f"Fichier enregistré manquant : {path}.",
                           hint="cada db check liste les fichiers manquants.") from None


def _write(chunks: Iterator[bytes], target: Path, sha: str) -> None:
    ensure_private_dir(target.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name[:40]}.", suffix=".tmp",
                               dir=target.parent)
    try:
        digest = hashlib.sha256()
        with os.fdopen(fd, "wb") as fh:
            for chunk in chunks:
                digest.update(chunk)
                fh.write(chunk)
            fh.flush()
            os.fsync(fh.fileno())
        if digest.hexdigest() != sha:
            raise StorageError(f"Le fichier enregistré {target.name} a été modifié "
                               "(SHA-256 différent) : il n'a pas été copié.",
                               hint="cada db check le signale aussi.")
        os.chmod(tmp, PRIVATE_FILE)
        os.link(tmp, target)
    finally:
        Path(tmp).unlink(missing_ok=True)
