"""Letters to PDF with WeasyPrint, which is imported only when a PDF is asked for.

One ``Renderer`` per batch: it holds one ``FontConfiguration``, one pre-parsed
stylesheet (``letters/lettre.css``, or ``lettre.css`` in the user's template
folder) and a locked URL fetcher. The fetcher serves only files inside the
letters folder and the user's template folder, plus ``data:`` URLs (they carry
their content and need no I/O); everything else (``file://`` elsewhere,
``http(s)://``, ``ftp://``…) is refused and recorded in ``renderer.refused``,
so a letter containing ``<img src="file:///etc/passwd">`` or an http URL
fetches nothing. Relative URLs resolve against the letters folder; like
templates, a file of the same name in the user's folder wins.

>>> renderer = Renderer(user_dir=None)                           # doctest: +SKIP
>>> renderer.write_pdf(Path("demande.pdf"), html)                # doctest: +SKIP
>>> data = renderer.merged(htmls)        # one PDF, letters in order  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cada_tracker.errors import InputError
from cada_tracker.fileio import atomic_write_bytes, sigint_deferred
from cada_tracker.letters import STYLESHEET, builtin_dir

if TYPE_CHECKING:
    from weasyprint.document import Document

DEFAULT_CHUNK = 25


class ResourceRefused(ValueError):
    """A letter asked for a resource outside the letters folders (never fetched)."""


def _fetcher_class() -> type:
    """The locked fetcher, a subclass of WeasyPrint's (built on first use)."""
    import mimetypes
    from urllib.parse import urlsplit
    from urllib.request import DataHandler, Request, url2pathname

    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LockedURLFetcher(URLFetcher):
        def __init__(self, letters_dir: Path, user_dir: Path | None) -> None:
            super().__init__(allowed_protocols=("file", "data"), allow_redirects=False)
            self.letters_dir = letters_dir
            self.user_dir = user_dir
            self.roots = [d for d in (user_dir, letters_dir) if d is not None]
            self.requested: list[str] = []
            self.served: list[str] = []
            self.refused: list[str] = []

        def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
            self.requested.append(url)
            scheme = url.split(":", 1)[0].lower() if ":" in url else ""
            if scheme == "data":
                response = DataHandler().data_open(Request(url))
                self.served.append(url[:40])
                return URLFetcherResponse(url, body=response.read(), headers=dict(response.headers))
            if scheme == "file":
                path = self._allowed_path(url)
                if path is not None:
                    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                    self.served.append(url)
                    return URLFetcherResponse(
                        path.as_uri(), body=path.read_bytes(), headers={"Content-Type": mime}
                    )
            self.refused.append(url)
            raise ResourceRefused(f"ressource refusée (hors du dossier des modèles) : {url}")

        def _allowed_path(self, url: str) -> Path | None:
            parts = urlsplit(url)
            if parts.netloc not in ("", "localhost"):
                return None
            raw = Path(url2pathname(parts.path))
            candidates = [raw]
            if self.user_dir is not None and raw.is_relative_to(self.letters_dir):
                # Like templates: a file of the same name in the user's folder wins.
                candidates.insert(0, self.user_dir / raw.relative_to(self.letters_dir))
            for candidate in candidates:
                try:
                    real = candidate.resolve(strict=True)
                except (OSError, RuntimeError):
                    continue
                if real.is_file() and any(real.is_relative_to(root) for root in self.roots):
                    return real
            return None

    return LockedURLFetcher


def _batched(items: Iterable[str], size: int) -> Iterator[list[str]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


class Renderer:
    """Renders letters (full HTML documents) to PDF; create one per batch."""

    def __init__(self, *, user_dir: Path | None = None) -> None:
        from weasyprint import CSS
        from weasyprint.css.counters import CounterStyle
        from weasyprint.text.fonts import FontConfiguration

        self.letters_dir = builtin_dir().resolve()
        self.user_dir = Path(user_dir).expanduser().resolve() if user_dir is not None else None
        self.fetcher = _fetcher_class()(self.letters_dir, self.user_dir)
        self.font_config = FontConfiguration()
        # @counter-style rules of the stylesheet live here; each rendering gets a copy.
        self._counter_style = CounterStyle()
        self.stylesheet_path = self._stylesheet_path()
        self.stylesheet = CSS(
            filename=str(self.stylesheet_path),
            font_config=self.font_config,
            counter_style=self._counter_style,
            url_fetcher=self.fetcher,
        )

    def _stylesheet_path(self) -> Path:
        if self.user_dir is not None and (self.user_dir / STYLESHEET).is_file():
            return self.user_dir / STYLESHEET
        path = self.letters_dir / STYLESHEET
        if not path.is_file():
            raise InputError(f"Feuille de style des courriers introuvable : {path}")
        return path

    @property
    def refused(self) -> list[str]:
        """URLs the letters asked for and that were refused (nothing was fetched)."""
        return self.fetcher.refused

    def document(self, html: str) -> Document:
        """The laid-out WeasyPrint document of one letter."""
        from weasyprint import HTML
        from weasyprint.css.counters import CounterStyle

        return HTML(
            string=html, base_url=str(self.letters_dir) + "/", url_fetcher=self.fetcher
        ).render(
            font_config=self.font_config,
            counter_style=CounterStyle(self._counter_style),
            stylesheets=[self.stylesheet],
        )

    def pdf(self, html: str) -> bytes:
        """One letter as PDF bytes."""
        return self.document(html).write_pdf()

    def merged(
        self, htmls: Iterable[str], chunk: int = DEFAULT_CHUNK, *, title: str | None = None,
        workers: int = 1, on_progress: Callable[[int], None] | None = None,
    ) -> bytes:
        """One PDF of every letter, in order, each keeping its own page numbers.

        Each letter is laid out as its own WeasyPrint document (so that "page 1/2"
        counts the pages of the letter, not of the batch). Letters are rendered
        ``chunk`` at a time: the pages of a chunk are gathered with ``Document.copy``
        and written as one PDF (fonts embedded and subset once per chunk), then the
        laid-out pages are dropped, and the chunk PDFs are concatenated with pypdf.
        Memory grows with the chunk, not with the batch (gathering 500 letters in
        one document used to peak at ≈ 310 MB). With ``workers`` > 1, chunks are
        rendered by that many forked processes (Linux), in order.
        ``on_progress(n)`` is called with the number of letters of each finished chunk.
        """
        if chunk < 1:
            raise InputError("La taille des lots doit être d'au moins 1 courrier.")
        parts = []
        for data, count in self._run(_chunk_pdf_job, _batched(htmls, chunk), workers):
            parts.append(data)
            if on_progress is not None:
                on_progress(count)
        if not parts:
            raise InputError("Aucun courrier à assembler.")
        return concatenate(parts, title=title)

    def write_many(
        self, items: Iterable[tuple[Path, str]], chunk: int = DEFAULT_CHUNK, *,
        workers: int = 1, on_progress: Callable[[int], None] | None = None,
    ) -> int:
        """Write each ``(path, html)`` letter to its own PDF, atomically; the count.

        Workers render, this process writes: a worker stopped by Ctrl-C can then
        leave no half-written file behind.
        """
        total = 0
        for written, count in self._run(_render_chunk_job, _batched(items, chunk), workers):
            for path, data in written:
                atomic_write_bytes(Path(path), data)
            total += count
            if on_progress is not None:
                on_progress(count)
        return total

    def many(
        self, htmls: Iterable[str], chunk: int = DEFAULT_CHUNK, *, workers: int = 1
    ) -> list[bytes]:
        """Each letter as its own PDF, in memory, in order."""
        return [data for datas, _ in self._run(_pdfs_job, _batched(htmls, chunk), workers)
                for data in datas]

    def _run(self, job: Callable, batches: Iterable[list], workers: int) -> Iterator[tuple]:
        """``job(renderer, batch)`` for every batch, in order, here or in worker processes.

        Workers are forked from this process, so they share the loaded WeasyPrint,
        the font configuration and the parsed stylesheet; each sends back its
        result and the URLs it refused (added to ``self.refused``).
        """
        if workers <= 1 or not _can_fork():
            for batch in batches:
                yield job(self, batch)
            return
        import multiprocessing

        from collections import deque

        global _POOL_RENDERER
        _POOL_RENDERER = self
        try:
            # Workers ignore Ctrl-C: the parent alone gets KeyboardInterrupt and the
            # pool's exit terminates them (a worker interrupted while holding the
            # pool's queue lock would otherwise hang the parent).
            # Ctrl-C is held back while forking: delivered during a fork, it would
            # land in the at-fork hooks, where Python prints and swallows it.
            context = multiprocessing.get_context("fork")
            with sigint_deferred() as interrupted:
                pool = context.Pool(workers, initializer=_ignore_sigint)
            with pool:
                if interrupted:
                    raise KeyboardInterrupt  # pressed while forking: stop now, cleanly
                # Batches are read here, in this thread (they may come from a database
                # cursor), a few ahead of the results: memory stays bounded.
                pending: deque = deque()
                for batch in batches:
                    pending.append(pool.apply_async(_pool_call, ((job, batch),)))
                    if len(pending) >= 2 * workers:
                        yield self._collect(pending.popleft())
                while pending:
                    yield self._collect(pending.popleft())
        finally:
            _POOL_RENDERER = None

    def _collect(self, async_result) -> tuple:
        result, refused = async_result.get()
        self.fetcher.refused.extend(refused)
        return result

    def write_pdf(self, path: Path, html: str) -> None:
        """Write one letter to ``path`` atomically."""
        atomic_write_bytes(Path(path), self.pdf(html))

    def write_merged(
        self, path: Path, htmls: Iterable[str], chunk: int = DEFAULT_CHUNK, *,
        title: str | None = None, workers: int = 1,
        on_progress: Callable[[int], None] | None = None,
    ) -> None:
        """Write every letter to one PDF at ``path`` atomically."""
        data = self.merged(htmls, chunk, title=title, workers=workers, on_progress=on_progress)
        atomic_write_bytes(Path(path), data)


# --------------------------------------------------------------------------- batch jobs

_POOL_RENDERER: Renderer | None = None


def _can_fork() -> bool:
    import sys

    return sys.platform == "linux"


def default_workers() -> int:
    """Processes for a batch: the CPUs this process may use, at most 4 (memory)."""
    import os

    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, 4))


def _ignore_sigint() -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _pool_call(task: tuple[Callable, list]) -> tuple[tuple, list[str]]:
    job, batch = task
    renderer = _POOL_RENDERER
    assert renderer is not None
    before = len(renderer.fetcher.refused)
    result = job(renderer, batch)
    return result, renderer.fetcher.refused[before:]


def _chunk_pdf_job(renderer: Renderer, htmls: list[str]) -> tuple[bytes, int]:
    first: Document | None = None
    pages: list[Any] = []
    for html in htmls:
        document = renderer.document(html)
        if first is None:
            first = document
        pages.extend(document.pages)
    assert first is not None
    return first.copy(pages).write_pdf(), len(htmls)


def _pdfs_job(renderer: Renderer, htmls: list[str]) -> tuple[list[bytes], int]:
    return [renderer.pdf(html) for html in htmls], len(htmls)


def _render_chunk_job(
    renderer: Renderer, items: list[tuple[Path, str]]
) -> tuple[list[tuple[Path, bytes]], int]:
    return [(path, renderer.pdf(html)) for path, html in items], len(items)


def concatenate(parts: list[bytes], *, title: str | None = None) -> bytes:
    """The pages of the PDFs ``parts``, in order, as one PDF (pypdf)."""
    from io import BytesIO

    from pypdf import PdfReader, PdfWriter

    if len(parts) == 1 and title is None:
        return parts[0]
    writer = PdfWriter()
    for part in parts:
        writer.append(PdfReader(BytesIO(part)))
    if title is not None:
        writer.add_metadata({"/Title": title})
    buffer = BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def harfbuzz_subset_available() -> bool:
    """Whether ``libharfbuzz-subset.so.0`` loads (fast font subsetting, ≈ 15× faster PDFs)."""
    import ctypes
    import ctypes.util

    names = [ctypes.util.find_library("harfbuzz-subset"), "libharfbuzz-subset.so.0"]
    for name in names:
        if not name:
            continue
        try:
            ctypes.CDLL(name)
        except OSError:
            continue
        return True
    return False
