"""Letters rendered in chunks and by the rendering process of ``cada export``.

A chunk of letters is written as one PDF then split: each file must be the letter
as it was written alone (same pages, text, word positions, page numbers,
metadata). The rendering process receives plain data only and starts before the
database is opened. PDFs are compared by text and coordinates, never by bytes.
"""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from cada_tracker import letters, pdf_workers

from .conftest import base_context

pdf = pytest.importorskip("cada_tracker.pdf")
pypdf = pytest.importorskip("pypdf")
pdfplumber = pytest.importorskip("pdfplumber")
pdf_service = pytest.importorskip("cada_tracker.pdf_service")


def letter(subject: str, documents: int = 2, **request) -> str:
    context = base_context()
    context["request"]["subject"] = subject
    context["request"]["documents"] = [
        {"position": i, "description": f"Pièce {i} du dossier « {subject} »",
         "outcome": "pending"} for i in range(1, documents + 1)]
    context["request"].update(request)
    return letters.render("demande", context)


def layout(data: bytes) -> list[dict]:
    """What a reader sees of each page: its text, its words and where they are."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    with pdfplumber.open(io.BytesIO(data)) as doc:
        words = [[(w["text"], round(w["x0"], 1), round(w["top"], 1))
                  for w in page.extract_words()] for page in doc.pages]
    return [{"text": " ".join((page.extract_text() or "").split()), "words": w,
             "size": tuple(page.mediabox)} for page, w in zip(reader.pages, words, strict=True)]


def info(data: bytes) -> tuple:
    reader = pypdf.PdfReader(io.BytesIO(data))
    meta = reader.metadata
    return (meta.title, meta.author, meta.get("/Creator"), meta.producer,
            str(reader.trailer["/Root"].get("/Lang")))


@pytest.fixture(scope="module")
def renderer():
    return pdf.Renderer()


def test_a_chunk_split_into_letters_gives_each_letter_as_written_alone(renderer):
    htmls = [letter("Premier courrier"), letter("Deuxième courrier, long", 45),
             letter("Troisième courrier", 1, reference="2026-0043")]
    alone = [renderer.pdf(html) for html in htmls]
    split = renderer.pdfs(htmls)
    assert [layout(d) for d in split] == [layout(d) for d in alone]
    assert [info(d) for d in split] == [info(d) for d in alone]
    assert [len(layout(d)) for d in split] == [1, 2, 1]
    assert "Deuxième courrier" in info(split[1])[0] and info(split[0])[4] == "fr"
    pages = [page["text"] for page in layout(split[1])]
    assert "page 1/2" in pages[0] and "page 2/2" in pages[1]


def test_letters_with_links_are_written_one_by_one(renderer):
    linked = letter("Avec lien").replace(
        "</body>", '<p><a href="https://www.cada.fr/">cada.fr</a></p></body>')
    datas = renderer.pdfs([letter("Sans lien"), linked])
    annots = pypdf.PdfReader(io.BytesIO(datas[1])).pages[0].get("/Annots")
    assert annots, "the link of the letter survives"
    assert [layout(d) for d in datas] == [layout(renderer.pdf(h))
                                          for h in (letter("Sans lien"), linked)]


@pytest.mark.skipif(not pdf_workers.can_fork(), reason="the rendering process is forked (Linux)")
@pytest.mark.parametrize("workers", [1, 2])
def test_service_renders_in_order_and_reports_refused_urls(tmp_path, workers):
    htmls = [letter(f"Courrier numéro {i}").replace(
        "</body>", f'<img src="http://example.invalid/{i}.png"></body>') for i in range(5)]
    paths = [tmp_path / f"{i}.pdf" for i in range(5)]
    with pdf_service.RenderService(user_dir=None) as service:
        assert service.write_many(zip(paths, htmls, strict=True), chunk=2,
                                  workers=workers) == 5
        service.write_merged(tmp_path / "lot.pdf", iter(htmls), chunk=2, title="Lot",
                             workers=workers)
        proc = service._proc
    assert not proc.is_alive()
    for i, path in enumerate(paths):
        assert f"Courrier numéro {i}" in layout(path.read_bytes())[0]["text"]
        assert path.stat().st_mode & 0o777 == 0o600
    merged = [page["text"] for page in layout((tmp_path / "lot.pdf").read_bytes())]
    assert [f"Courrier numéro {i}" in t for i, t in enumerate(merged)] == [True] * 5
    assert sorted(service.refused) == sorted(
        [f"http://example.invalid/{i}.png" for i in range(5)] * 2)


@pytest.mark.skipif(not pdf_workers.can_fork(), reason="the rendering process is forked (Linux)")
def test_service_stops_at_once_when_the_command_fails():
    with pytest.raises(RuntimeError), pdf_service.RenderService(user_dir=None) as service:
        proc = service._proc
        raise RuntimeError("sélection impossible")
    assert not proc.is_alive()


@pytest.mark.skipif(not pdf_workers.can_fork(), reason="the rendering process is forked (Linux)")
def test_export_starts_rendering_before_the_database_and_sends_plain_data(
        cli, draft_ref, tmp_path, monkeypatch):
    from cada_tracker import readdb
    from cada_tracker.cli import common

    order, sent = [], []
    real_init, real_send = pdf_service.RenderService.__init__, pdf_service.RenderService._send
    real_open, real_current = common.open_engine, readdb.sqlite_reader

    def init(self, **kwargs):
        order.append("rendering process")
        real_init(self, **kwargs)

    def send(self, message):
        sent.append(message)
        real_send(self, message)

    def open_engine():
        order.append("database")
        return real_open()

    def sqlite_reader(loc):  # the database read with sqlite3 (readdb)
        order.append("database")
        return real_current(loc)

    monkeypatch.setattr(pdf_service.RenderService, "__init__", init)
    monkeypatch.setattr(pdf_service.RenderService, "_send", send)
    monkeypatch.setattr(common, "open_engine", open_engine)
    monkeypatch.setattr(readdb, "sqlite_reader", sqlite_reader)
    cli("export", draft_ref, "--out", tmp_path, ok=True)
    assert order == ["rendering process", "database"]
    assert len(list(tmp_path.glob("*.pdf"))) == 1

    def plain(value) -> bool:
        if isinstance(value, (tuple, list)):
            return all(map(plain, value))
        return value is None or type(value) in (str, int)

    assert sent and all(map(plain, sent)), sent
    assert any(isinstance(m, list) and "Vidéosurveillance" in m[0] for m in sent)


def test_weasyprint_is_imported_without_searching_libraries():
    """cffi's find_library fallback spawns ldconfig/gcc for each name tried."""
    code = (
        "import ctypes.util as u\n"
        "calls = []\n"
        "real = u.find_library\n"
        "def spy(name):\n"
        "    calls.append(name)\n"
        "    return real(name)\n"
        "u.find_library = spy\n"
        "from cada_tracker.pdf import import_weasyprint\n"
        "import_weasyprint()\n"
        "import weasyprint.text.ffi as ffi\n"
        "assert u.find_library is spy, 'find_library restored'\n"
        "print(len(calls), ffi.pango is not None)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["0", "True"]


def test_harfbuzz_subsetting_is_present_and_used_by_weasyprint():
    """Without it separate PDFs are ≈ 5× slower: CI installs it (.ci/run), cada doctor
    fails without it; this makes a CI machine that lost it fail too."""
    pdf.import_weasyprint()
    from weasyprint.text import ffi

    assert pdf.harfbuzz_subset_available()
    assert ffi.harfbuzz_subset is not None
