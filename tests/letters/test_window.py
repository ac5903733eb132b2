"""The address block lies in the DL envelope's window, proven from the PDFs.

Letters are rendered for a deterministic sample of the two real directories
(tests/directory/data): the 50 administrations of each file whose stored address
is the longest (the ones that used to run out of the window), the three named in
issue 13, and a seeded random draw, 120 letters in all. For each, the word boxes
on page 1 must show every word of the block inside the window (110 mm from the
left, 55 mm from the top, 85 x 33 mm) with a margin, and no other word there.

The boxes are PDFium's (the library pdfplumber's own page images use): a word is
a run of non-blank characters, its box the union of their font boxes (ascent to
descent, as pdfplumber's), its line their baseline. Reading the characters
through PDFium's C API takes a twentieth of pdfplumber's time for these letters.
"""

from __future__ import annotations

import ctypes
import io
import random
from pathlib import Path

import pytest

from cada_tracker import letters
from cada_tracker.directory import AdminRecord, parse_directory
from cada_tracker.models import Administration
from cada_tracker.services.directory_import import _record_values
from cada_tracker.services.letter_context import recipient_of

from .conftest import base_context

pdf = pytest.importorskip("cada_tracker.pdf")
pdfplumber = pytest.importorskip("pdfplumber")
pdfium = pytest.importorskip("pypdfium2")
pdfium_c = pytest.importorskip("pypdfium2.raw")

MM = 72 / 25.4
WINDOW = (110 * MM, 55 * MM, 195 * MM, 88 * MM)  # x0, top, x1, bottom in points
MARGIN = 1 * MM
DATA = Path(__file__).parents[1] / "directory" / "data"
NAMED = ("Préfecture du Rhône", "(ANDRA)", "(ANSES)")
SAMPLE_SIZE = 120


def stored_length(record: AdminRecord) -> tuple[int, int]:
    """Lines and characters of the address as stored (what the old block printed)."""
    lines = [record.name, record.addressee or "", record.prada_name or "",
             *record.street_lines, f"{record.postcode} {record.city}"]
    lines = [line for line in lines if line]
    return len(lines), sum(map(len, lines))


def sample() -> list[AdminRecord]:
    chosen: dict[str, AdminRecord] = {}
    everything: list[AdminRecord] = []
    for name in ("annuaire_des_prada.csv", "administrations_alaveteli_sample.csv"):
        records = parse_directory(DATA / name).records
        everything += records
        for record in sorted(records, key=stored_length, reverse=True)[:50]:
            chosen[record.key] = record
        for record in records:
            if record.name.startswith(NAMED[0]) or record.name.endswith(NAMED[1:]):
                chosen[record.key] = record
    rest = [r for r in everything if r.key not in chosen]
    for record in random.Random(13).sample(rest, SAMPLE_SIZE - len(chosen)):
        chosen[record.key] = record
    return list(chosen.values())


def page_words(data: bytes) -> list[dict]:
    """Words of page 1 with their boxes (points from the top left, as pdfplumber's)
    and ``line``, the baseline's height from the top."""
    document = pdfium.PdfDocument(data)
    try:
        page = document[0]
        height = page.get_height()
        text = page.get_textpage()
        box, x, y = pdfium_c.FS_RECTF(), ctypes.c_double(), ctypes.c_double()
        words: list[dict] = []
        word = None
        for i in range(text.count_chars()):
            char = chr(pdfium_c.FPDFText_GetUnicode(text, i))
            if not char.strip():
                word = None
                continue
            pdfium_c.FPDFText_GetLooseCharBox(text, i, box)
            x0, top, x1, bottom = box.left, height - box.top, box.right, height - box.bottom
            if word is None:
                pdfium_c.FPDFText_GetCharOrigin(text, i, x, y)
                word = {"text": char, "x0": x0, "top": top, "x1": x1, "bottom": bottom,
                        "line": round(height - y.value, 1)}
                words.append(word)
                continue
            word["text"] += char
            word["x0"], word["top"] = min(word["x0"], x0), min(word["top"], top)
            word["x1"], word["bottom"] = max(word["x1"], x1), max(word["bottom"], bottom)
        return words
    finally:
        document.close()


def window_words(data: bytes) -> tuple[list[dict], list[dict]]:
    """Words of page 1 touching the window, and those of them not inside its margin."""
    x0, top, x1, bottom = WINDOW
    touching = [w for w in page_words(data)
                if w["x1"] > x0 and w["x0"] < x1 and w["bottom"] > top and w["top"] < bottom]
    outside = [w for w in touching
               if w["x0"] < x0 + MARGIN or w["x1"] > x1 - MARGIN
               or w["top"] < top + MARGIN or w["bottom"] > bottom - MARGIN]
    return touching, outside


@pytest.fixture(scope="module")
def rendered():
    records = sample()
    recipients = [recipient_of(Administration(**_record_values(r))) for r in records]
    htmls = []
    for recipient in recipients:
        context = base_context(recipient=recipient)
        context["request"]["documents"] = context["request"]["documents"][:1]
        htmls.append(letters.render("demande", context))
    pdfs = pdf.Renderer().many(htmls, workers=2)
    return list(zip(records, recipients, pdfs, strict=True))


def test_sample_holds_the_longest_and_the_named_blocks(rendered):
    assert len(rendered) == SAMPLE_SIZE
    names = [record.name for record, _, _ in rendered]
    for needle in NAMED:
        assert any(needle in name for name in names), needle


def test_every_address_word_is_in_the_window_and_nothing_else(rendered):
    failures = []
    for record, recipient, data in rendered:
        touching, outside = window_words(data)
        in_order = sorted(touching, key=lambda w: (w["line"], w["x0"]))
        printed = " ".join(w["text"] for w in in_order)
        expected = " ".join(" ".join(recipient["postal_lines"]).split())
        if printed != expected or outside:
            failures.append((record.name, printed, expected, [w["text"] for w in outside]))
    assert not failures, failures[:5]


def test_named_letters_of_issue_13_fit(rendered):
    for record, recipient, _ in rendered:
        if any(needle in record.name for needle in NAMED):
            assert len(recipient["postal_lines"]) <= 6
            assert recipient["postal_lines"][0].startswith(("Préfecture", "Agence"))
            assert recipient["postal_lines"][-1].startswith(record.postcode)


def test_fold_marks_of_a_dl_envelope(rendered):
    """Two short rules in the left margin, at a third and two thirds of the page."""
    _, _, data = rendered[0]
    with pdfplumber.open(io.BytesIO(data)) as document:
        page = document.pages[0]
        marks = sorted(round(r["top"] / MM) for r in page.rects if r["x1"] < 15 * MM)
    assert marks == [99, 198]
