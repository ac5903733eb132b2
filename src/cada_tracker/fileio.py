"""Files written atomically (temporary file in the same folder, then rename)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from cada_tracker.paths import PRIVATE_FILE, ensure_private_dir


def atomic_write_bytes(path: Path, data: bytes, mode: int = PRIVATE_FILE) -> None:
    ensure_private_dir(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def atomic_write_text(path: Path, text: str, mode: int = PRIVATE_FILE) -> None:
    atomic_write_bytes(path, text.encode("utf-8"), mode)


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
