"""PDF rendering: text, geometry, page numbers, merging and the locked URL fetcher.

PDFs are checked by their text (pypdf) and coordinates (pdfplumber), never by bytes.
"""

from __future__ import annotations

import builtins
import io
import re
import socket
import urllib.request
from pathlib import Path

import pytest

from cada_tracker import letters, pdf_workers
from cada_tracker.errors import InputError

from .conftest import base_context

pdf = pytest.importorskip("cada_tracker.pdf")
pypdf = pytest.importorskip("pypdf")
pdfplumber = pytest.importorskip("pdfplumber")

MM = 72 / 25.4  # PDF points per millimetre
PAGE_NUMBER = re.compile(r"page\s+(\d+)/(\d+)")
HOSTILE = '<img src="file:///etc/passwd"><img src="http://example.invalid/x.png">'
FRENCH = "Cœur de ville : caméras « safe city » à l’école, façade, hôtel, système, 1 000 €"


def page_texts(data: bytes) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return [" ".join((page.extract_text() or "").split()) for page in reader.pages]


@pytest.fixture
def no_outside_access(monkeypatch):
    """Record (and block) every network connection, urllib opening and file opening."""
    calls: dict[str, list] = {"connect": [], "urlopen": [], "open": []}

    def connect(self, address, *args, **kwargs):
        calls["connect"].append(address)
        raise AssertionError(f"network access to {address}")

    def urlopen(self, url, *args, **kwargs):
        calls["urlopen"].append(getattr(url, "full_url", url))
        raise AssertionError(f"urllib opened {url}")

    real_open = builtins.open

    def recording_open(file, *args, **kwargs):
        calls["open"].append(str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(urllib.request.OpenerDirector, "open", urlopen)
    monkeypatch.setattr(builtins, "open", recording_open)
    monkeypatch.setattr(io, "open", recording_open)
    return calls


@pytest.fixture(scope="module")
def renderer():
    return pdf.Renderer()


@pytest.fixture(scope="module")
def short_letter(renderer):
    """A one-page request whose first document holds HTML, hostile URLs and French text."""
    context = base_context()
    context["request"]["subject"] = FRENCH
    context["request"]["documents"][0]["description"] = "<b>x</b><script>" + HOSTILE
    html = letters.render("demande", context)
    before = len(renderer.fetcher.requested)
    data = renderer.pdf(html)
    return {"html": html, "pdf": data, "requested": renderer.fetcher.requested[before:]}


# ---------------------------------------------------------------------------- one letter


def test_text_keeps_french_characters(short_letter):
    (text,) = page_texts(short_letter["pdf"])
    for char in "éèàçôœ«»’€":
        assert char in text, char
    assert "« safe city »" in text
    assert "1 000 €" in text
    assert "Lyon, le 15 mars 2026" in text
    assert "Monsieur le Maire," in text


def test_typed_html_is_shown_as_text(short_letter):
    (text,) = page_texts(short_letter["pdf"])
    assert "<b>x</b><script>" in text
    assert '<img src="file:///etc/passwd">' in text
    # Escaped, so nothing asked the fetcher for anything.
    assert short_letter["requested"] == []


def test_short_letter_has_no_page_number(short_letter):
    texts = page_texts(short_letter["pdf"])
    assert len(texts) == 1
    assert not PAGE_NUMBER.search(texts[0])


def test_recipient_lies_in_the_envelope_window(short_letter):
    with pdfplumber.open(io.BytesIO(short_letter["pdf"])) as document:
        words = document.pages[0].extract_words()
    wanted = {"Mairie", "ETIENNE", "42000", "TSA"}
    found = {w["text"]: w for w in words if w["text"] in wanted}
    assert {"Mairie", "ETIENNE", "42000"} <= set(found)
    for text in ("Mairie", "ETIENNE", "42000"):
        word = found[text]
        assert 110 <= word["x0"] / MM and word["x1"] / MM <= 195, (text, word["x0"] / MM)
        assert 55 <= word["top"] / MM and word["bottom"] / MM <= 88, (text, word["top"] / MM)
    # The sender stays top left, outside the window.
    sender = next(w for w in words if w["text"] == "Technopolice")
    assert sender["x0"] / MM < 110 and sender["top"] / MM < 55


def test_long_letter_runs_over_and_numbers_its_pages(renderer):
    context = base_context()
    context["request"]["documents"] = [
        {"position": i, "description": f"Document numéro {i} relatif au dispositif",
         "outcome": "pending"}
        for i in range(1, 41)
    ]
    texts = page_texts(renderer.pdf(letters.render("demande", context)))
    assert len(texts) >= 2
    total = len(texts)
    for number, text in enumerate(texts, start=1):
        assert PAGE_NUMBER.findall(text) == [(str(number), str(total))]


# ---------------------------------------------------------------------------- URL fetcher


def _png(path: Path) -> None:
    from PIL import Image

    Image.new("RGB", (4, 4), (200, 0, 0)).save(path)


def test_user_template_cannot_fetch_outside(tmp_path, no_outside_access):
    user = tmp_path / "modeles"
    user.mkdir()
    _png(user / "logo.png")
    (user / "lien.png").symlink_to("/etc/passwd")
    (user / "piege.html.j2").write_text(
        '{% extends "_base.html.j2" %}\n'
        "{% block subject %}Piège{% endblock %}\n"
        "{% block body %}\n"
        f"{HOSTILE}\n"
        '<img src="logo.png"><img src="lien.png">\n'
        # Enough ".." to reach / from wherever the letters folder is installed.
        f'<img src="{"../" * 40}etc/passwd?relative">\n'
        '<link rel="stylesheet" href="https://example.invalid/s.css">\n'
        "<p>Corps de la lettre.</p>\n"
        "{% endblock %}\n",
        encoding="utf-8",
    )
    renderer = pdf.Renderer(user_dir=user)
    html = letters.render("piege", base_context(), user_dir=user)
    texts = page_texts(renderer.pdf(html))
    assert "Corps de la lettre." in texts[0]
    refused = renderer.refused
    assert "file:///etc/passwd" in refused
    assert "http://example.invalid/x.png" in refused
    assert "https://example.invalid/s.css" in refused
    assert any(url.endswith("/lien.png") for url in refused)
    assert "file:///etc/passwd?relative" in refused
    assert [u for u in renderer.fetcher.served if u.endswith("/logo.png")]
    assert no_outside_access["connect"] == [] and no_outside_access["urlopen"] == []
    assert not [p for p in no_outside_access["open"] if "passwd" in p]


def test_edited_html_cannot_fetch_outside(renderer, no_outside_access):
    """The stored letter can be edited by hand (``cada edit``): raw HTML is locked too."""
    before = len(renderer.refused)
    html = letters.render("demande", base_context()).replace(
        "<main", f'{HOSTILE}<div style="background: url(http://example.invalid/b.png)"></div><main')
    renderer.pdf(html)
    assert set(renderer.refused[before:]) >= {
        "file:///etc/passwd", "http://example.invalid/x.png", "http://example.invalid/b.png"}
    assert no_outside_access["connect"] == [] and no_outside_access["urlopen"] == []
    assert not [p for p in no_outside_access["open"] if "passwd" in p]


def test_data_urls_are_allowed(renderer):
    pixel = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4"
             "nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg==")
    before = len(renderer.refused)
    renderer.pdf(f'<html><body><img src="{pixel}"><p>x</p></body></html>')
    assert renderer.refused[before:] == []


# ---------------------------------------------------------------------------- merging


def test_merged_keeps_order_and_per_letter_page_numbers(renderer, tmp_path):
    def letter(subject: str, count: int) -> str:
        context = base_context()
        context["request"]["subject"] = subject
        context["request"]["documents"] = [
            {"position": i, "description": f"Pièce {i} du dossier", "outcome": "pending"}
            for i in range(1, count + 1)
        ]
        return letters.render("demande", context)

    htmls = [letter("Premier courrier", 2), letter("Deuxième courrier", 40),
             letter("Troisième courrier", 2)]
    path = tmp_path / "lot.pdf"
    renderer.write_merged(path, iter(htmls), chunk=2, title="Lot de courriers")
    data = path.read_bytes()
    texts = page_texts(data)
    assert len(texts) == 4
    assert "Premier courrier" in texts[0]
    assert "Deuxième courrier" in texts[1] and "Troisième courrier" in texts[3]
    assert [PAGE_NUMBER.findall(t) for t in texts] == [[], [("1", "2")], [("2", "2")], []]
    assert pypdf.PdfReader(io.BytesIO(data)).metadata.title == "Lot de courriers"


@pytest.mark.skipif(not pdf_workers.can_fork(), reason="worker processes are forked (Linux)")
def test_workers_keep_order_and_report_refused_urls(tmp_path):
    renderer = pdf.Renderer()
    htmls = []
    for i in range(7):
        context = base_context()
        context["request"]["subject"] = f"Courrier numéro {i}"
        htmls.append(letters.render("demande", context).replace(
            "</body>", f'<img src="http://example.invalid/{i}.png"></body>'))
    merged = page_texts(renderer.merged(iter(htmls), chunk=2, workers=3))
    firsts = [t for t in merged if "Notre référence" in t]
    assert [f"Courrier numéro {i}" in t for i, t in enumerate(firsts)] == [True] * 7
    assert sorted(renderer.refused) == sorted(f"http://example.invalid/{i}.png" for i in range(7))
    paths = [tmp_path / f"{i}.pdf" for i in range(7)]
    assert renderer.write_many(zip(paths, htmls, strict=True), chunk=3, workers=2) == 7
    for i, path in enumerate(paths):
        assert f"Courrier numéro {i}" in page_texts(path.read_bytes())[0]
        assert path.stat().st_mode & 0o777 == 0o600


def test_merged_refuses_an_empty_batch(renderer):
    with pytest.raises(InputError):
        renderer.merged([])


def test_write_pdf_is_atomic_and_private(renderer, tmp_path):
    path = tmp_path / "sortie" / "demande.pdf"
    renderer.write_pdf(path, letters.render("demande", base_context()))
    assert path.read_bytes().startswith(b"%PDF")
    assert path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["demande.pdf"]


def test_harfbuzz_subset_probe():
    assert isinstance(pdf.harfbuzz_subset_available(), bool)


def test_ctrl_c_while_forking_is_deferred_even_with_another_thread_alive():
    import os
    import signal
    import threading

    from cada_tracker.fileio import sigint_deferred

    stop = threading.Event()
    ticker = threading.Thread(target=stop.wait, daemon=True)  # as a progress bar's refresh
    ticker.start()
    try:
        with sigint_deferred() as noted:
            os.kill(os.getpid(), signal.SIGINT)
            for _ in range(1000):  # let the handler run, here, in the main thread
                if noted:
                    break
        assert noted == [True]
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        stop.set()


def test_ctrl_c_ignored_stays_ignored_while_forking():
    """The rendering service ignores Ctrl-C and forks its workers inside
    sigint_deferred: a Ctrl-C then must not be noted (the service would raise
    KeyboardInterrupt, and print its traceback, as a load run of the export test saw)."""
    import signal

    from cada_tracker.fileio import sigint_deferred

    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with sigint_deferred() as noted:
            assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
            signal.raise_signal(signal.SIGINT)
        assert noted == []
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)


def test_no_hyphenation_of_emails_names_or_references(renderer):
    context = base_context()
    context["sender"]["email"] = "personne.responsable.acces.documents@technopolice-lyon.example"
    context["sender"]["name"] = "Nicolas Administrationnellement"
    context["request"]["reference"] = "2026-0042"
    data = renderer.pdf(letters.render("demande", context))
    text = " ".join(page_texts(data))
    assert "\u2010" not in text and "\u00ad" not in text  # WeasyPrint's hyphen, soft hyphen
    assert "personne.responsable.acces.documents@technopolice-lyon.example" in text.replace(
        " ", "")
    assert "Nicolas Administrationnellement" in text  # never "Ni‐colas"
