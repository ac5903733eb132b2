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
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cada_tracker.errors import InputError
from cada_tracker.fileio import atomic_write_bytes, sigint_deferred
from cada_tracker.letters import STYLESHEET, builtin_dir
from cada_tracker.pdf_fetcher import ResourceRefused, fetcher_class
from cada_tracker.pdf_import import import_weasyprint
from cada_tracker.pdf_pages import concatenate, info_of, split
from cada_tracker.pdf_workers import (DEFAULT_CHUNK, Chunk, batched, can_fork, ignore_sigint,
                                      read_ahead, release_memory)

__all__ = ["Renderer", "ResourceRefused", "concatenate", "harfbuzz_subset_available",
           "import_weasyprint"]

if TYPE_CHECKING:
    from weasyprint.document import Document


class Renderer:
    """Renders letters (full HTML documents) to PDF; create one per batch."""

    def __init__(self, *, user_dir: Path | None = None) -> None:
        import_weasyprint()
        from weasyprint import CSS
        from weasyprint.css.counters import CounterStyle
        from weasyprint.text.fonts import FontConfiguration

        self.letters_dir = builtin_dir().resolve()
        self.user_dir = Path(user_dir).expanduser().resolve() if user_dir is not None else None
        self.fetcher = fetcher_class()(self.letters_dir, self.user_dir)
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

    def pdfs(self, htmls: list[str]) -> list[bytes]:
        """Each letter as its own PDF, in order.

        Each letter is laid out alone (its own page numbers), then the pages of all
        are written as one PDF and split into one file per letter (``pdf_pages``):
        one write instead of one per letter. Letters with links, bookmarks or
        attachments, which a split would lose, are written one by one."""
        documents = [self.document(html) for html in htmls]
        if len(documents) < 2 or not all(map(_splittable, documents)):
            return [document.write_pdf() for document in documents]
        pages = [page for document in documents for page in document.pages]
        return split(documents[0].copy(pages).write_pdf(),
                     [len(d.pages) for d in documents], [info_of(d.metadata) for d in documents],
                     [d.metadata.lang for d in documents])

    def merged(
        self, htmls: Iterable[str], chunk: Chunk = DEFAULT_CHUNK, *, title: str | None = None,
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
        return merge_results(self._run(_chunk_pdf_job, batched(htmls, chunk), workers),
                             title=title, on_progress=on_progress)

    def write_many(
        self, items: Iterable[tuple[Path, str]], chunk: Chunk = DEFAULT_CHUNK, *,
        workers: int = 1, on_progress: Callable[[int], None] | None = None,
    ) -> int:
        """Write each ``(path, html)`` letter to its own PDF, atomically; the count.

        Workers render, this process writes: a worker stopped by Ctrl-C can then
        leave no half-written file behind.
        """
        return write_results(self._run(_render_chunk_job, batched(items, chunk), workers),
                             on_progress=on_progress)

    def many(
        self, htmls: Iterable[str], chunk: Chunk = DEFAULT_CHUNK, *, workers: int = 1
    ) -> list[bytes]:
        """Each letter as its own PDF, in memory, in order."""
        return [data for datas, _ in self._run(_pdfs_job, batched(htmls, chunk), workers)
                for data in datas]

    def _run(self, job: Callable, batches: Iterable[list], workers: int) -> Iterator[tuple]:
        """``job(renderer, batch)`` for every batch, in order, here or in worker processes.

        With ``workers`` > 1, this process forks that many workers and only hands them
        batches: each worker takes the next batch from the pool's queue as soon as it
        is done, ``read_ahead(workers)`` batches are queued ahead. (When this process
        rendered batches itself, the workers had nothing queued while it rendered and
        waited for it: a tenth of a 50-letter export, on two cores.) Workers are forked
        from this process, so they share the loaded WeasyPrint, the font configuration
        and the parsed stylesheet; each sends back its result and the URLs it refused
        (added to ``self.refused``).
        """
        if workers <= 1 or not can_fork():
            for batch in batches:
                yield job(self, batch)
            return
        import gc
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
            if job in _SPLITTING:
                # Imported once here rather than by each worker at its first split:
                # ≈ 0.1 s of CPU per worker (a 50-letter export on 2: 4.6 -> 4.2 s).
                import pypdf  # noqa: F401
            # What is loaded now (WeasyPrint, fonts, stylesheet) is kept out of the
            # garbage collector's passes: a worker's collection would otherwise write
            # to every object's page and make the worker copy what it shares.
            gc.freeze()
            with sigint_deferred() as interrupted:
                pool = context.Pool(workers, initializer=ignore_sigint)
            with pool:
                if interrupted:
                    raise KeyboardInterrupt  # pressed while forking: stop now, cleanly
                # Batches are read here, in this thread (they may come from a database
                # cursor), a few ahead of the results: memory stays bounded.
                pending: deque = deque()
                for batch in batches:
                    pending.append(pool.apply_async(_pool_call, ((job, batch),)))
                    if len(pending) >= read_ahead(workers):
                        yield self._collect(pending.popleft())
                while pending:
                    yield self._collect(pending.popleft())
        finally:
            _POOL_RENDERER = None

    def _collect(self, pending) -> tuple:
        result, refused = pending.get()
        self.fetcher.refused.extend(refused)
        return result

    def write_pdf(self, path: Path, html: str) -> None:
        """Write one letter to ``path`` atomically."""
        atomic_write_bytes(Path(path), self.pdf(html))

    def write_merged(
        self, path: Path, htmls: Iterable[str], chunk: Chunk = DEFAULT_CHUNK, *,
        title: str | None = None, workers: int = 1,
        on_progress: Callable[[int], None] | None = None,
    ) -> None:
        """Write every letter to one PDF at ``path`` atomically."""
        data = self.merged(htmls, chunk, title=title, workers=workers, on_progress=on_progress)
        atomic_write_bytes(Path(path), data)


def write_results(results: Iterable[tuple[list[tuple[Path, bytes]], int]], *,
                  on_progress: Callable[[int], None] | None = None) -> int:
    """Write the ``(path, pdf)`` files of each chunk's result, atomically; the count."""
    total = 0
    for written, count in results:
        for path, data in written:
            atomic_write_bytes(Path(path), data)
        total += count
        if on_progress is not None:
            on_progress(count)
    return total


def merge_results(results: Iterable[tuple[bytes, int]], *, title: str | None = None,
                  on_progress: Callable[[int], None] | None = None) -> bytes:
    """One PDF of the chunk PDFs of ``results``, in order."""
    parts = []
    for data, count in results:
        parts.append(data)
        if on_progress is not None:
            on_progress(count)
    if not parts:
        raise InputError("Aucun courrier à assembler.")
    return concatenate(parts, title=title)


# --------------------------------------------------------------------------- batch jobs

_POOL_RENDERER: Renderer | None = None


def _pool_call(task: tuple[Callable, list]) -> tuple[tuple, list[str]]:
    job, batch = task
    renderer = _POOL_RENDERER
    assert renderer is not None
    before = len(renderer.fetcher.refused)
    result = job(renderer, batch)
    release_memory()
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


def _splittable(document: Document) -> bool:
    """Whether nothing of ``document`` but its pages and information would be lost."""
    metadata = document.metadata
    return not (metadata.attachments or metadata.custom or document.make_bookmark_tree()
                or any(page.links for page in document.pages))


def _pdfs_job(renderer: Renderer, htmls: list[str]) -> tuple[list[bytes], int]:
    return renderer.pdfs(htmls), len(htmls)


def _render_chunk_job(
    renderer: Renderer, items: list[tuple[Path, str]]
) -> tuple[list[tuple[Path, bytes]], int]:
    datas = renderer.pdfs([html for _, html in items])
    return [(path, data) for (path, _), data in zip(items, datas, strict=True)], len(items)


#: Jobs that split a chunk's PDF with pypdf (``pdf_pages.split``).
_SPLITTING = frozenset({_pdfs_job, _render_chunk_job})


def harfbuzz_subset_available() -> bool:
    """Whether ``libharfbuzz-subset.so.0`` loads (fast font subsetting, ≈ 15× faster PDFs)."""
    import ctypes
    import ctypes.util

    # The soname first: find_library runs ldconfig and gcc, only needed elsewhere.
    for name in ("libharfbuzz-subset.so.0", "libharfbuzz-subset.0.dylib", None):
        if name is None:
            name = ctypes.util.find_library("harfbuzz-subset")
            if not name:
                return False
        try:
            ctypes.CDLL(name)
        except OSError:
            continue
        return True
    return False
