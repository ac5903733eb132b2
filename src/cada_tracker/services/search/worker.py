"""Text extraction in a subprocess, with limits: a hostile file must not hang cada.

:func:`extract_file` runs ``python -I -m cada_tracker.services.search.worker FILE NAME``
with a CPU-time and address-space limit set in the child, and a wall-clock timeout
in the parent; the child prints one JSON line ``{"status", "text"}``. Whatever goes
wrong (compression bomb, deep nesting, a crash of the PDF library) becomes a status
for that file: the command goes on, the file is kept, only its name is indexed.

Statuses: ok, truncated, empty, unsupported, too_big, timeout, error.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

#: Files larger than this are stored but not read for their text.
MAX_FILE_BYTES = 64 * 1024 * 1024
TIMEOUT_SECONDS = 30
MEMORY_BYTES = 1024 * 1024 * 1024

STATUS_LABELS = {
    "ok": "texte indexé",
    "truncated": "texte indexé en partie (trop long)",
    "empty": "aucun texte (document scanné ? voir cada ocr)",
    "unsupported": "format non lu (seul le nom est indexé)",
    "too_big": "fichier trop gros pour en lire le texte",
    "timeout": "lecture du texte interrompue (trop longue)",
    "error": "texte illisible (fichier abîmé ou hostile)",
    "missing": "fichier introuvable",
}
#: Statuses that deserve a warning when a file is stored.
PROBLEMS = {"too_big", "timeout", "error", "missing"}


@dataclass(frozen=True)
class Extraction:
    status: str
    text: str = ""


def _limits() -> tuple[int, int]:
    """(seconds, bytes) a worker may take: ``CADA_EXTRACT_TIMEOUT`` (1 s to an hour) and
    ``CADA_EXTRACT_MEMORY_MB`` (64 MB, below which Python cannot start, to 1 TB)."""
    from cada_tracker.envvars import env_int

    timeout = env_int("CADA_EXTRACT_TIMEOUT", TIMEOUT_SECONDS, 1, 3600, "secondes")
    memory = env_int("CADA_EXTRACT_MEMORY_MB", MEMORY_BYTES // 2**20, 64, 2**20,
                     "mégaoctets")
    return timeout, memory * 2**20


def extract_file(path: Path, name: str | None = None) -> Extraction:
    """The text of ``path`` read by the worker subprocess, within the limits."""
    try:
        size = path.stat().st_size
    except OSError:
        return Extraction("missing")
    if size > MAX_FILE_BYTES:
        return Extraction("too_big")
    from cada_tracker.services.search.extract import kind_of

    try:
        with path.open("rb") as fh:
            head = fh.read(1024)
    except OSError:
        return Extraction("missing")
    if kind_of(head, name or path.name) in ("image", "unsupported"):
        # Decided from the first KiB, as the worker would: no interpreter to start
        # for a photo, a video or a binary file (nothing is parsed here).
        return Extraction("unsupported")
    timeout, memory = _limits()
    try:
        returncode, stdout = run_worker(path, name or path.name, timeout, memory)
    except subprocess.TimeoutExpired:
        return Extraction("timeout")
    if returncode != 0:
        # SIGXCPU when the CPU limit is reached; a MemoryError or crash otherwise.
        return Extraction("timeout" if returncode == -24 else "error")
    try:
        result = json.loads(stdout)
        return Extraction(str(result["status"]), str(result["text"]))
    except (ValueError, KeyError, TypeError):
        return Extraction("error")


def run_worker(path: Path, name: str, timeout: int, memory: int) -> tuple[int, bytes]:
    """Run the worker on ``path`` within the limits: its exit status (negative: the
    signal that ended it) and what it printed; ``TimeoutExpired`` after ``timeout``."""
    cmd = [sys.executable, "-I", "-m", "cada_tracker.services.search.worker", str(path), name]
    done = subprocess.run(cmd, capture_output=True, timeout=timeout,
                          preexec_fn=lambda: apply_limits(timeout, memory),  # in the child
                          stdin=subprocess.DEVNULL, check=False)
    return done.returncode, done.stdout


def apply_limits(timeout: int, memory: int, *, writes: bool = False) -> None:
    """The worker's limits, set in its own process: CPU seconds, address space, no
    core dump and, unless ``writes``, no file written."""
    import resource

    resource.setrlimit(resource.RLIMIT_CPU, (timeout, timeout + 1))
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    if not writes:
        resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def main(argv: list[str]) -> int:
    import logging
    import warnings

    logging.disable(logging.CRITICAL)  # the PDF library's complaints are not for users
    warnings.simplefilter("ignore")
    from cada_tracker.services.search.extract import text_of

    path, name = Path(argv[0]), argv[1]
    with path.open("rb") as fh:
        data = fh.read(MAX_FILE_BYTES + 1)
    try:
        status, text = text_of(data, name)
    except (MemoryError, RecursionError):
        return 3
    except Exception:  # noqa: BLE001 - any failure of a parser on a hostile file
        status, text = "error", ""
    sys.stdout.write(json.dumps({"status": status, "text": text}, ensure_ascii=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
