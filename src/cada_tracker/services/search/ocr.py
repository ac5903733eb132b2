"""OCR of scanned documents with Tesseract (French), so that their words are searchable.

A stored file without text (a scanned PDF, an image) is read page by page:
``pdftoppm`` rasterises a PDF (300 dpi, at most :data:`MAX_PAGES` pages), then
``tesseract -l fra`` reads each image, giving its text and a one-page PDF with an
invisible text layer. The text replaces the file's index entries (status ``ocr``);
the pages with their text layer are written next to the stored file as
``<stored name>.ocr.pdf`` (the original, whose SHA-256 is the record, is never
changed). Each external program runs with a time limit and no shell.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cada_tracker.errors import StateError

MAX_PAGES = 50
PAGE_TIMEOUT = 120
LANGUAGE = "fra"


@dataclass(frozen=True)
class OcrTools:
    tesseract: str | None
    pdftoppm: str | None
    french: bool

    @property
    def ok(self) -> bool:
        return bool(self.tesseract and self.pdftoppm and self.french)

    def missing(self) -> list[str]:
        return [package for package, present in (
            ("tesseract-ocr", self.tesseract), ("tesseract-ocr-fra", self.french),
            ("poppler-utils", self.pdftoppm)) if not present]


def tools() -> OcrTools:
    tesseract = shutil.which("tesseract")
    french = False
    if tesseract:
        try:
            langs = subprocess.run([tesseract, "--list-langs"], capture_output=True, text=True,
                                   timeout=30, check=False).stdout
            french = LANGUAGE in langs.split()
        except (OSError, subprocess.TimeoutExpired):
            tesseract = None
    return OcrTools(tesseract, shutil.which("pdftoppm"), french)


def require() -> OcrTools:
    found = tools()
    if not found.ok:
        raise StateError(
            "Reconnaissance de caractères indisponible : il manque "
            + ", ".join(found.missing()) + ".",
            hint="Debian, Ubuntu : sudo apt install tesseract-ocr tesseract-ocr-fra "
                 "poppler-utils (puis cada doctor).")
    return found


def _run(cmd: list[str], cwd: Path) -> bool:
    try:
        done = subprocess.run(cmd, cwd=cwd, capture_output=True, timeout=PAGE_TIMEOUT,
                              stdin=subprocess.DEVNULL, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


@dataclass(frozen=True)
class OcrResult:
    status: str  # ocr | empty | error
    text: str = ""
    layered: bytes | None = None  # the pages with their text layer (PDF)


def ocr_file(found: OcrTools, source: Path) -> OcrResult:
    """Read a scanned PDF or an image; never raises for a bad file."""
    from cada_tracker.services.search.extract import clean, kind_of

    with source.open("rb") as fh:
        head = fh.read(1024)
    kind = kind_of(head, source.name)
    with tempfile.TemporaryDirectory(prefix="cada-ocr-") as tmp:
        work = Path(tmp)
        if kind == "pdf":
            if not _run([found.pdftoppm, "-r", "300", "-png", "-l", str(MAX_PAGES),
                         str(source), str(work / "page")], work):
                return OcrResult("error")
            images = sorted(work.glob("page*.png"))
        elif kind == "image":
            images = [source]
        else:
            return OcrResult("error")
        texts, pdfs = [], []
        for n, image in enumerate(images):
            out = work / f"ocr-{n:03d}"
            if not _run([found.tesseract, str(image), str(out), "-l", LANGUAGE, "txt", "pdf"],
                        work):
                return OcrResult("error")
            texts.append(Path(f"{out}.txt").read_text(encoding="utf-8", errors="replace"))
            pdfs.append(Path(f"{out}.pdf").read_bytes())
        text = clean("\n".join(texts))
        if not pdfs:
            return OcrResult("error")
        from cada_tracker.pdf import concatenate

        return OcrResult("ocr" if text else "empty", text, concatenate(pdfs))


def pending_files(conn, reference: str | None) -> list:
    """Stored files with no text yet (scans, images): what OCR can add."""
    from sqlalchemy import text

    sql = ("SELECT f.id, f.request_id, f.path, f.original_name, r.reference FROM stored_file f "
           "JOIN request r ON r.id = f.request_id JOIN search_entry e ON e.source = 'file' "
           "AND e.source_id = f.id AND e.chunk = 0 WHERE e.status IN ('empty', 'unsupported')")
    params = {}
    if reference is not None:
        sql += " AND r.reference = :ref"
        params["ref"] = reference
    return conn.execute(text(sql + " ORDER BY f.id"), params).all()


def ocr_and_index(conn, found: OcrTools, file, data_dir: Path) -> str:
    """OCR one stored file, keep its text-layer copy, re-index it; returns the status."""
    from sqlalchemy import text

    from cada_tracker.fileio import atomic_write_bytes
    from cada_tracker.services.search.index import file_rows, insert_rows, ocr_layer, stored_path

    source = stored_path(data_dir, file.path, conn)
    if not source.is_file():
        return "missing"
    result = ocr_file(found, source)
    if result.layered is None or result.status != "ocr":
        return result.status
    atomic_write_bytes(ocr_layer(source), result.layered)
    conn.execute(text("DELETE FROM search_entry WHERE source = 'file' AND source_id = :id"),
                 {"id": file.id})
    rows = file_rows(file, data_dir, conn)
    insert_rows(conn, rows)
    return rows[0]["status"]
