"""The processes that render a batch of letters: how many, what each gets, how they start.

Standard library only (``pdf`` imports WeasyPrint when a letter is laid out; the
commands that only size a batch need none of it). Workers are forked (Linux): each
inherits its parent's renderer and fonts, ignores Ctrl-C (its parent's) and ends
with its parent.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import count as counting, islice

from cada_tracker.errors import InputError

DEFAULT_CHUNK = 10


#: Letters per batch: one number, or the sizes of the first batches (the last one
#: is repeated for the rest), as :func:`batch_sizes` gives them.
Chunk = int | Sequence[int]


def batched(items: Iterable, chunk: Chunk) -> Iterator[list]:
    sizes = [chunk] if isinstance(chunk, int) else list(chunk)
    if not sizes or min(sizes) < 1:
        raise InputError("La taille des lots doit être d'au moins 1 courrier.")
    iterator = iter(items)
    for i in counting():
        batch = list(islice(iterator, sizes[min(i, len(sizes) - 1)]))
        if not batch:
            return
        yield batch


def read_ahead(workers: int) -> int:
    """Batches ``Renderer._run`` reads before it yields its first result (then one each)."""
    return 2 * workers if workers > 1 and can_fork() else 1


def can_fork() -> bool:
    import sys

    return sys.platform == "linux"


def batch_sizes(count: int, workers: int, most: int = DEFAULT_CHUNK) -> list[int]:
    """The batches of ``count`` letters on ``workers`` processes: at most ``most``
    letters each, as many batches for each process and sizes that differ by one at
    most (50 letters on 2 processes: 9, 9, 8, 8, 8, 8, so that each renders 25; with
    5 of 9 and one of 5, one process renders 4 letters while the other waits)."""
    if count <= 0 or workers <= 1:
        return [most]
    rounds = -(-count // (workers * most))
    batches = min(count, workers * rounds)
    size, bigger = divmod(count, batches)
    return [size + 1] * bigger + [size] * (batches - bigger)


def default_workers() -> int:
    """Processes for a batch: the CPUs this process may use, at most 4 (memory)."""
    import os

    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, 4))


def ignore_sigint() -> None:
    """A worker's start: Ctrl-C is its parent's; it ends with SIGTERM, which Linux
    also sends it if its parent dies (killed after a Ctrl-C that it outlived, say):
    an orphan would wait on the pool's queue for ever, holding the terminal's
    output open."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the pool's terminate() ends a worker
    die_with_parent()


def die_with_parent() -> None:
    """Ask Linux to send SIGTERM to this process if its parent dies (kill -9 included)."""
    import ctypes
    import multiprocessing
    import os
    import signal

    try:
        ctypes.CDLL(None).prctl(1, int(signal.SIGTERM))  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    parent = multiprocessing.parent_process()
    if parent is not None and os.getppid() != parent.pid:
        os.kill(os.getpid(), signal.SIGTERM)  # it died before the request: nobody would


def release_memory() -> None:
    """Give back to the system what a chunk's layout freed (glibc keeps it otherwise)."""
    import ctypes
    import gc

    gc.collect()
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):
        pass
