"""A rendering process started before the database is read: plain data in, PDF bytes out.

``cada export`` starts a :class:`RenderService` first thing. On Linux it forks one
process that imports WeasyPrint, loads the fonts and parses the stylesheet while
this process imports the ORM, opens the database and selects the letters: on two
cores the two start-ups overlap, and a single letter pays for one WeasyPrint
import, in that process only. Batches of workers are forked from it, so they share
its loaded WeasyPrint and never hold the ORM, the session or its objects: they
receive HTML strings over a pipe and send back PDF bytes, which this process
writes (a worker stopped by Ctrl-C never leaves a half-written file). Where
processes cannot be forked, the same calls render here with a :class:`Renderer`.

>>> with RenderService(user_dir=None) as service:                 # doctest: +SKIP
...     rows = select_rows()       # meanwhile WeasyPrint loads in the service
...     service.write_many(zip(paths, htmls), workers=2)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from cada_tracker.errors import CadaError
from cada_tracker.fileio import atomic_write_bytes, sigint_deferred
from cada_tracker.pdf import merge_results, write_results
from cada_tracker.pdf_workers import (DEFAULT_CHUNK, Chunk, batched, can_fork, die_with_parent,
                                      read_ahead)

#: What the service can run on a batch: ``pdf`` job functions, by name (picklable).
JOBS = ("pdfs", "chunk_pdf")


class RenderFailed(CadaError):
    """The rendering process stopped or failed (its message says why)."""


class RenderService:
    """Renders letters in a process of its own (forked now); a local Renderer elsewhere."""

    def __init__(self, *, user_dir: Path | None = None, fork: bool | None = None) -> None:
        self.refused: list[str] = []
        self._local = None
        self._proc = None
        global _PRESTARTED
        if _PRESTARTED is not None and fork is not False and user_dir is not LATER:
            started, _PRESTARTED = _PRESTARTED, None  # adopted: it gets its folder now
            self._proc, self._conn = started._proc, started._conn
            started._proc = None
            self._send(None if user_dir is None else str(user_dir))
            return
        if not (can_fork() if fork is None else fork):
            from cada_tracker.pdf import Renderer

            self._local = Renderer(user_dir=user_dir)
            self.refused = self._local.refused
            return
        import gc
        import multiprocessing

        gc.freeze()  # shared with the service: no collection copies these pages (see pdf)
        context = multiprocessing.get_context("fork")
        self._conn, child = context.Pipe()
        # Ctrl-C is held back while forking (see Renderer._run); the child ignores it.
        with sigint_deferred() as interrupted:
            self._proc = context.Process(target=_serve, args=(child, user_dir),
                                         name="cada-rendu")
            self._proc.start()
        child.close()
        if interrupted:
            self.close()
            raise KeyboardInterrupt

    def __enter__(self) -> RenderService:
        return self

    def __exit__(self, exc_type, *exc) -> None:
        self.close(failed=exc_type is not None)

    def close(self, *, failed: bool = True) -> None:
        """Stop the process: at once after an error or Ctrl-C, else once it is done."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if not failed:
            try:
                self._conn.send(None)
            except OSError:
                pass
            proc.join(10)
        if proc.is_alive():
            proc.terminate()  # SIGTERM: the service stops its workers, then exits
            proc.join(10)
        if proc.is_alive():
            proc.kill()
            proc.join()
        self._conn.close()

    # ------------------------------------------------------------------- the batches

    def write_many(
        self, items: Iterable[tuple[Path, str]], chunk: Chunk = DEFAULT_CHUNK, *,
        workers: int = 1, on_progress: Callable[[int], None] | None = None,
    ) -> int:
        """Write each ``(path, html)`` letter to its own PDF, atomically; the count."""
        if self._local is not None:
            return self._local.write_many(items, chunk, workers=workers, on_progress=on_progress)
        results = ((list(zip([path for path, _ in batch], datas, strict=True)), count)
                   for batch, (datas, count) in self._run(
                       "pdfs", batched(items, chunk), workers,
                       lambda batch: [html for _, html in batch]))
        return write_results(results, on_progress=on_progress)

    def write_merged(
        self, path: Path, htmls: Iterable[str], chunk: Chunk = DEFAULT_CHUNK, *,
        title: str | None = None, workers: int = 1,
        on_progress: Callable[[int], None] | None = None,
    ) -> None:
        """Write every letter to one PDF at ``path``, in order, atomically."""
        if self._local is not None:
            self._local.write_merged(path, htmls, chunk, title=title, workers=workers,
                                     on_progress=on_progress)
            return
        results = (result for _, result in self._run(
            "chunk_pdf", batched(htmls, chunk), workers, lambda batch: batch))
        data = merge_results(results, title=title, on_progress=on_progress)
        atomic_write_bytes(Path(path), data)

    def _run(self, job: str, batches: Iterable[list], workers: int,
             payload: Callable[[list], list[str]]) -> Iterator[tuple[list, tuple]]:
        """(batch, result) for each batch, in order, rendered by the service.

        The service reads ``read_ahead(workers)`` batches before it sends a result,
        then one batch per result: sending no more than that in advance, neither
        side ever waits on a full pipe while the other does."""
        from collections import deque

        ahead = read_ahead(workers)
        sent: deque = deque()
        self._send((job, workers))
        for batch in batches:
            self._send(payload(batch))
            sent.append(batch)
            if len(sent) >= ahead:
                yield sent.popleft(), self._receive()
        self._send(None)  # no more batches
        while sent:
            yield sent.popleft(), self._receive()
        self._receive(expect="done")

    def _send(self, message) -> None:
        try:
            self._conn.send(message)
        except OSError:
            self._receive()  # the service stopped: its error, if it sent one
            raise RenderFailed("Le processus de rendu des PDF s'est arrêté.") from None

    def _receive(self, expect: str = "result"):
        try:
            kind, value, refused = self._conn.recv()
        except (EOFError, OSError):
            raise RenderFailed("Le processus de rendu des PDF s'est arrêté.") from None
        self.refused.extend(refused)
        if kind == "error":
            error_class, message, hint = value
            raise error_class(message, hint=hint)
        if kind != expect:
            raise RenderFailed(f"Réponse inattendue du processus de rendu : {kind}.")
        return value


# ------------------------------------------------------- started before the CLI is imported

#: ``user_dir`` of a service started before the user's template folder is known.
LATER = Path("(later)")

_PRESTARTED: RenderService | None = None


def prestart() -> None:
    """Start the rendering process now, from ``cada export``'s entry point.

    Importing the CLI (Typer, the commands) takes a tenth of a second that WeasyPrint's
    import, the longest part of a single letter, can overlap. The process then waits
    for the template folder, which the first :class:`RenderService` created sends it;
    if the command ends without one (a wrong option, ``--help``), it is stopped at exit.
    """
    global _PRESTARTED
    if _PRESTARTED is None and can_fork():
        import atexit

        _PRESTARTED = RenderService(user_dir=LATER)
        atexit.register(_stop_unused)


def _stop_unused() -> None:
    global _PRESTARTED
    started, _PRESTARTED = _PRESTARTED, None
    if started is not None:
        started.close()


# ------------------------------------------------------------------- the service process

def _serve(conn, user_dir: Path | None) -> None:
    """The service: build the Renderer, then run the jobs the parent sends, in order."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    signal.signal(signal.SIGTERM, _stop)
    die_with_parent()
    from cada_tracker import pdf

    jobs = {"pdfs": pdf._pdfs_job, "chunk_pdf": pdf._chunk_pdf_job}
    try:
        if user_dir == LATER:
            pdf.import_weasyprint()  # meanwhile the command's process imports the CLI
            sent = conn.recv()
            user_dir = None if sent is None else Path(sent)
        renderer = pdf.Renderer(user_dir=user_dir)
        while (request := conn.recv()) is not None:
            job, workers = request
            seen = len(renderer.refused)
            for result in renderer._run(jobs[job], iter(conn.recv, None), workers):
                conn.send(("result", result, renderer.refused[seen:]))
                seen = len(renderer.refused)
            conn.send(("done", None, renderer.refused[seen:]))
    except (EOFError, BrokenPipeError):
        return  # the parent is gone or stopped listening
    except CadaError as exc:
        _send_error(conn, type(exc), exc.message, exc.hint)
    except Exception as exc:  # noqa: BLE001 — reported to the parent, in French
        _send_error(conn, RenderFailed, f"Le rendu PDF a échoué : {type(exc).__name__}: {exc}",
                    None)


def _send_error(conn, error_class: type, message: str, hint: str | None) -> None:
    try:
        conn.send(("error", (error_class, message, hint), []))
    except OSError:
        pass


def _stop(*_) -> None:
    """SIGTERM in the service: unwind, so that its worker pool is terminated too."""
    import signal

    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    raise SystemExit(1)
