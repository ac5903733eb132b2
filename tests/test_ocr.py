"""cada ocr: a scanned PDF (an image, no text) becomes searchable; cada doctor says so."""

from __future__ import annotations

import os
import shutil

import pytest

from tests.test_search import invented_word, strip_accents

# The extraction itself is under test: the real worker subprocess (tests/conftest.py).
pytestmark = pytest.mark.real_extraction


def _tesseract_or_skip() -> None:
    from cada_tracker.services.search.ocr import tools

    found = tools()
    if not found.ok:
        reason = f"OCR absent ({', '.join(found.missing())}): cada ocr is not exercised"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; .ci/run must install it")
        pytest.skip(reason)


def scanned_pdf(path, *lines: str) -> None:
    """An image-only PDF, as a scanner makes it: no text layer at all."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("L", (2480, 3508), 255)  # A4 at 300 dpi
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 90)
    for n, line in enumerate(lines):
        draw.text((200, 400 + 160 * n), line, font=font, fill=0)
    image.save(path, resolution=300)


def test_scanned_pdf_is_found_after_ocr(backend, cli, draft_ref, tmp_path):
    _tesseract_or_skip()
    word = strip_accents(invented_word(41 + (backend == "postgresql")))
    scan = tmp_path / "arrete-scanne.pdf"
    scanned_pdf(scan, "Arrêté du maire", f"Le logiciel {word} est autorisé.")
    from pypdf import PdfReader

    assert not (PdfReader(scan).pages[0].extract_text() or "").strip()  # truly a scan
    cli("sent", draft_ref, "--on", "2026-11-02", "--via", "email", ok=True)
    stored = cli("answer", draft_ref, "--on", "2026-11-20", "--outcome", "full", "--attach",
                 scan, ok=True)
    assert "cada ocr" in stored.stderr  # the user is told why it is not searchable yet
    assert cli("search", word, "--json", ok=True).json() == []
    done = cli("ocr", draft_ref, "--json", ok=True).json()
    assert done == [{"reference": draft_ref, "file": "arrete-scanne.pdf", "status": "ocr"}]
    hits = cli("search", word, "--json", ok=True).json()
    assert [h["where"] for h in hits] == ["fichier « arrete-scanne.pdf »"]
    assert "arrete-scanne.pdf" in hits[0]["file"]
    # Rebuilding the index keeps what OCR read; the stored original is untouched.
    cli("db", "reindex", ok=True)
    assert len(cli("search", word, "--json", ok=True).json()) == 1
    assert cli("db", "check").exit_code == 0
    # Nothing left to read.
    assert cli("ocr", "--all", "--json", ok=True).json() == []


def test_ocr_arguments_and_doctor(cli, draft_ref, monkeypatch):
    assert cli("ocr").exit_code == 2
    assert cli("ocr", draft_ref, "--all").exit_code == 2
    assert cli("ocr", "2026-9999").exit_code in (3, 4)
    doctor = cli("doctor")
    assert "Reconnaissance de caractères" in doctor.stderr
    # Without Tesseract: said by the doctor (optional), refused by cada ocr.
    monkeypatch.setattr(shutil, "which", lambda name: None)
    doctor = cli("doctor")
    assert "– Reconnaissance de caractères (cada ocr) : indisponible" in doctor.stderr
    assert doctor.exit_code == 0  # optional: not a problem to fix
    refused = cli("ocr", draft_ref)
    assert refused.exit_code == 4 and "tesseract-ocr" in refused.stderr
