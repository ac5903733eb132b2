"""PDF pages moved between files with pypdf: join PDFs, or split one into letters.

Writing a PDF costs WeasyPrint a fixed share per file (fonts embedded and subset,
objects serialised, streams compressed): for one-page letters it was as much as
their layout. A chunk of letters is therefore written as ONE PDF (their pages
gathered from their own laid-out documents, so each keeps its own page numbers)
and :func:`split` cuts it back into one PDF per letter, each with its own metadata
(title, author, subject, keywords, creator, language). The pages are the same
pages; only the font subsets are those of the chunk (a few KB more per file).
"""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO
from typing import Any


def concatenate(parts: list[bytes], *, title: str | None = None) -> bytes:
    """The pages of the PDFs ``parts``, in order, as one PDF (pypdf)."""
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


def info_of(metadata: Any) -> dict[str, str]:
    """The PDF information entries WeasyPrint writes for a document's ``metadata``."""
    info = {"/Title": metadata.title, "/Author": ", ".join(metadata.authors or []),
            "/Subject": metadata.description, "/Keywords": ", ".join(metadata.keywords or []),
            "/Creator": metadata.generator}
    return {key: value for key, value in info.items() if value}


def split(data: bytes, page_counts: Sequence[int], infos: Sequence[dict[str, str]],
          langs: Sequence[str | None]) -> list[bytes]:
    """The PDF ``data`` cut into consecutive files of ``page_counts`` pages each.

    Each file gets the information dictionary of ``data`` (producer, dates) with its
    own entries ``infos[i]`` (see :func:`info_of`) and its language ``langs[i]``.
    """
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject, TextStringObject

    reader = PdfReader(BytesIO(data))
    if sum(page_counts) != len(reader.pages):
        raise ValueError(f"{sum(page_counts)} pages expected, {len(reader.pages)} found")
    common = {key: str(value) for key, value in (reader.metadata or {}).items()
              if key in ("/Producer", "/CreationDate", "/ModDate")}
    files, first = [], 0
    for count, info, lang in zip(page_counts, infos, langs, strict=True):
        writer = PdfWriter()
        for number in range(first, first + count):
            writer.add_page(reader.pages[number])
        first += count
        writer.add_metadata({**common, **info})
        if lang:
            writer.root_object[NameObject("/Lang")] = TextStringObject(lang)
        buffer = BytesIO()
        writer.write(buffer)
        files.append(buffer.getvalue())
    return files
