"""Assembling the dossier with pypdf: bordereau, then each piece's pages, stamped."""

from __future__ import annotations

from datetime import date
from io import BytesIO


def checked_pdf(data: bytes) -> bool:
    """Whether a stored PDF can be merged as it is (parses, has pages, not locked)."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            return False
        return len(reader.pages) > 0
    except (PyPdfError, ValueError, KeyError, TypeError, RecursionError, OSError):
        return False


def assemble(renderer, *, request, admin, pieces, parts: list[list[bytes]], purpose: str,
             today: date, opinions: list[dict] = ()) -> bytes:
    from pypdf import PdfReader, PdfWriter, Transformation

    from cada_tracker.dates import format_fr
    from cada_tracker.services import dossier_pages as pages

    readers = [[PdfReader(BytesIO(p), strict=False) for p in piece_parts]
               for piece_parts in parts]
    for piece, piece_readers in zip(pieces, readers, strict=True):
        piece.pages = sum(len(r.pages) for r in piece_readers)
    bordereau = renderer.pdf(pages.page(
        "bordereau", reference=request.reference, administration=admin.name,
        subject=request.subject, today=format_fr(today), purpose=purpose, pieces=pieces,
        opinions=[{**a, "date": format_fr(a["date"]) if a.get("date") else None}
                  for a in opinions]))
    stamps = PdfReader(BytesIO(renderer.pdf(pages.page(
        "stamps", numbers=[p.number for p in pieces]))))
    writer = PdfWriter()
    writer.append(PdfReader(BytesIO(bordereau)))
    for piece, piece_readers in zip(pieces, readers, strict=True):
        stamp = stamps.pages[piece.number - 1]
        sw, sh = float(stamp.mediabox.width), float(stamp.mediabox.height)
        for reader in piece_readers:
            for page in reader.pages:
                added = writer.add_page(page)
                box = added.mediabox
                added.merge_transformed_page(stamp, Transformation().translate(
                    float(box.right) - sw - 8, float(box.top) - sh - 6))
    writer.add_metadata({"/Title": f"Dossier {request.reference} — pièces pour "
                                   f"{'le tribunal' if purpose == 'court' else 'la CADA'}",
                         "/Producer": "cada"})
    buffer = BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
