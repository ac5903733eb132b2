"""cada search: inside requests, events, letters and the text of stored files."""

from __future__ import annotations

import random
import time
import unicodedata
import zipfile

import pytest
from sqlalchemy import create_engine, text

# The extraction itself is under test: the real worker subprocess (tests/conftest.py).
pytestmark = pytest.mark.real_extraction


def invented_word(seed: int) -> str:
    """A word no template or fixture contains, with accents: made here, not chosen."""
    rng = random.Random(seed)
    letters = "bcdfglmnprstvz"
    vowels = "aeiouéèêàôû"
    return "".join(rng.choice(letters) + rng.choice(vowels) for _ in range(5))


def strip_accents(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))


def make_pdf(path, *pages: str) -> None:
    import weasyprint

    body = "".join(f'<p style="page-break-before: always">{p}</p>' for p in pages)
    weasyprint.HTML(string=f"<html><body>{body}</body></html>").write_pdf(path)


@pytest.fixture
def sent_ref(cli, draft_ref):
    cli("sent", draft_ref, "--on", "2026-11-02", "--via", "email", ok=True)
    return draft_ref


def attach(cli, ref, path, *extra):
    return cli("answer", ref, "--on", "2026-11-20", "--outcome", "full", "--attach", path, *extra)


def test_word_in_an_attached_pdf_is_found_with_and_without_accents(backend, cli, sent_ref,
                                                                   tmp_path):
    word = invented_word(backend == "postgresql")
    pdf = tmp_path / "contrat.pdf"
    make_pdf(pdf, "Contrat de maintenance", f"Le prestataire livre le module {word} en 2027.")
    assert cli("search", word, "--json", ok=True).json() == []
    assert attach(cli, sent_ref, pdf).exit_code == 0
    for query in (word, strip_accents(word), word.upper()):
        hits = cli("search", query, "--json", ok=True).json()
        files = [h for h in hits if h["where"] == "fichier « contrat.pdf »"]
        assert len(files) == 1, (query, hits)
        assert files[0]["reference"] == sent_ref
        assert f"«{word}»" in files[0]["snippet"]
        assert open(files[0]["file"], "rb").read(5) == b"%PDF-"
    shown = cli("search", strip_accents(word), ok=True)
    assert sent_ref in shown.stdout and "contrat.pdf" in shown.stdout
    assert cli("db", "check", ok=True).exit_code == 0


def test_subject_documents_notes_and_letter_are_searched(backend, cli, sent_ref):
    cli("note", sent_ref, "Appel au service juridique", "--on", "2026-11-05", ok=True)
    wheres = {h["where"] for h in cli("search", "juridique", "--json", ok=True).json()}
    assert wheres == {"note du 05/11/2026"}
    wheres = {h["where"] for h in cli("search", "maintenance", "--json", ok=True).json()}
    assert {"document demandé n° 2", "courrier de demande"} <= wheres
    assert "objet" in {h["where"] for h in cli("search", "videosurveillance", "--json").json()}


def test_filters_by_campaign_and_administration(cli, admin_id):
    other = cli("admin", "add", "Mairie de Bron", "--kind", "commune", "--postcode", "69500",
                "--city", "Bron", "--json", ok=True).json()["id"]
    cli("new", "--to", admin_id, "--to", other, "--subject", "Drones", "--doc", "Arrêtés",
        "--campaign", "drones-69", ok=True)
    cli("new", "--to", admin_id, "--subject", "Drones et caméras", "--doc", "Marché", ok=True)
    refs = lambda *a: sorted({h["reference"] for h in cli("search", "drones", *a, "--json",  # noqa: E731
                                                          ok=True).json()})
    assert len(refs()) == 3
    assert len(refs("--campaign", "drones-69")) == 2
    assert len(refs("--admin", other)) == 1
    assert refs("--campaign", "drones-69", "--admin", other) == refs("--admin", other)


def test_empty_query_is_refused_in_french(cli, draft_ref):
    result = cli("search", "« » --")
    assert result.exit_code == 2 and "Texte à chercher vide" in result.stderr


def _office(path, members: dict[str, str]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)


def test_every_office_and_text_format_is_read(tmp_path):
    from cada_tracker.services.search.extract import text_of

    word = invented_word(7)
    docx, odt, xlsx, ods = (tmp_path / f"f.{e}" for e in ("docx", "odt", "xlsx", "ods"))
    _office(docx, {"[Content_Types].xml": "<Types/>", "word/document.xml":
                   f"<w:document><w:body><w:p><w:r><w:t>Fournisseur&#160;: {word}</w:t></w:r>"
                   "</w:p></w:body></w:document>"})
    _office(odt, {"mimetype": "application/vnd.oasis.opendocument.text", "content.xml":
                  f"<office:text><text:p>Titulaire {word}</text:p></office:text>"})
    _office(xlsx, {"xl/sharedStrings.xml": f"<sst><si><t>{word}</t></si></sst>",
                   "xl/worksheets/sheet1.xml": "<row><c><v>12500</v></c></row>"})
    _office(ods, {"content.xml": f"<table:table-row><table:table-cell><text:p>{word}"
                                 "</text:p></table:table-cell></table:table-row>"})
    samples = {
        "f.docx": docx.read_bytes(), "f.odt": odt.read_bytes(), "f.xlsx": xlsx.read_bytes(),
        "f.ods": ods.read_bytes(),
        "f.html": f"<html><script>var x='{word}x'</script><p>Objet&nbsp;: {word}</p></html>"
                  .encode(),
        "f.txt": f"Note : {word}\n".encode("cp1252"),
        "f.csv": f"fournisseur;montant\n{word};12500\n".encode(),
    }
    for name, data in samples.items():
        status, found = text_of(data, name)
        assert status == "ok" and word in found.split() or f"{word};12500" in found, name
    assert "12500" in text_of(samples["f.xlsx"], "f.xlsx")[1]
    assert f"{word}x" not in text_of(samples["f.html"], "f.html")[1]  # scripts are not text
    assert text_of(b"\x89PNG\r\n\x1a\n....", "scan.png") == ("unsupported", "")


def test_a_photo_or_binary_file_is_not_given_to_the_worker(tmp_path, monkeypatch):
    """Its format is known from its first KiB: no interpreter is started for it; a file
    whose text may be read still goes to the worker subprocess."""
    from cada_tracker.services.search import worker

    started = []
    real = worker.subprocess.run
    monkeypatch.setattr(worker.subprocess, "run",
                        lambda cmd, **kw: started.append(cmd[-1]) or real(cmd, **kw))
    photo, video, note = tmp_path / "photo.jpg", tmp_path / "film.mp4", tmp_path / "note.txt"
    photo.write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8)
    video.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(4096))
    note.write_bytes("Caméras : 12\n".encode())
    assert worker.extract_file(photo) == worker.Extraction("unsupported")
    assert worker.extract_file(video, "film.mp4") == worker.Extraction("unsupported")
    assert worker.extract_file(note) == worker.Extraction("ok", "Caméras : 12")
    assert started == ["note.txt"]


def test_docx_attachment_is_searchable(cli, sent_ref, tmp_path):
    word = invented_word(11)
    docx = tmp_path / "rapport.docx"
    _office(docx, {"word/document.xml": f"<w:p><w:t>Évaluation {word}</w:t></w:p>"})
    attach(cli, sent_ref, docx)
    hits = cli("search", strip_accents(word), "--json", ok=True).json()
    assert [h["where"] for h in hits] == ["fichier « rapport.docx »"]


def test_document_text_cannot_drive_the_terminal(cli, sent_ref, tmp_path):
    evil = tmp_path / "piege.txt"
    evil.write_bytes(b"zorglub [bold red]rouge[/] [/] \x1b[2J\x1b]0;titre\x07 fin")
    attach(cli, sent_ref, evil)
    shown = cli("search", "zorglub", ok=True)
    assert "[bold red]rouge[/] [/]" in shown.stdout
    assert "\x1b" not in shown.stdout and "\x07" not in shown.stdout


def test_reindex_rebuilds_and_check_sees_a_stale_index(backend, cli, sent_ref, tmp_path):
    word = invented_word(3)
    note = tmp_path / "note.txt"
    note.write_text(f"Le fournisseur retenu est {word}.", encoding="utf-8")
    attach(cli, sent_ref, note)
    from cada_tracker.paths import resolve

    engine = create_engine(resolve().database_url)
    with engine.begin() as db:
        db.execute(text("DELETE FROM search_entry WHERE source = 'file'"))
    engine.dispose()
    assert cli("search", word, "--json", ok=True).json() == []
    check = cli("db", "check", "--json")
    assert check.exit_code == 1
    assert any("absent(s) de l'index" in p for p in check.json()["problems"])
    report = cli("db", "reindex", "--json", ok=True).json()
    assert report["files"] == 1 and report["statuses"] == {"ok": 1}
    assert len(cli("search", word, "--json", ok=True).json()) == 1
    assert cli("db", "check").exit_code == 0


def test_index_follows_the_transaction(cli, sent_ref, tmp_path, monkeypatch):
    """A command that fails after storing a file leaves neither file nor index entry."""
    from cada_tracker.services import events

    word = invented_word(5)
    note = tmp_path / "reponse.txt"
    note.write_text(f"Réponse {word}", encoding="utf-8")

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patched:
        patched.setattr(events, "refresh", boom)
        assert attach(cli, sent_ref, note).exit_code == 5
    assert cli("search", word, "--json", ok=True).json() == []
    assert cli("db", "check").exit_code == 0


# ---------------------------------------------------------------------------
# Hostile and large files: refused or indexed within the limits, never a hang.


def _pdf(objects: list[bytes]) -> bytes:
    """A PDF whose objects are given (1: catalog, 2: pages, 3: page, 4: content)."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def _page_objects(content: bytes, extra: bytes = b"") -> list[bytes]:
    return [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >>"
        + extra + b" >>",
        content,
    ]


def compression_bomb() -> bytes:
    """A FlateDecode stream of 1 GiB of zeros in about 1 MB, made in well under a second:
    one deflate block (a full flush resets the window) repeated, then the checksum."""
    import zlib

    chunk = b"0" * (1 << 20)
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH)
    checksum = 1
    for _ in range(1024):
        checksum = zlib.adler32(chunk, checksum)
    data = (b"\x78\xda" + block * 1024 + packer.flush()
            + checksum.to_bytes(4, "big"))
    assert zlib.decompressobj().decompress(data[:200_000], 10_000) == b"0" * 10_000
    return _pdf(_page_objects(b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data)
                              + data + b"\nendstream"))


def deep_nesting() -> bytes:
    depth = 200_000
    return _pdf(_page_objects(b"<< /Length 20 >>\nstream\nBT /F1 12 Tf ET\nendstream",
                              extra=b" /Deep " + b"[" * depth + b"]" * depth))


@pytest.mark.parametrize("make", [compression_bomb, deep_nesting])
def test_hostile_pdf_is_kept_without_hang_or_traceback(cli, sent_ref, tmp_path, make):
    hostile = tmp_path / "piege.pdf"
    hostile.write_bytes(make())
    started = time.monotonic()
    result = attach(cli, sent_ref, hostile)
    assert time.monotonic() - started < 60
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    shown = cli("show", sent_ref, "--json", ok=True).json()
    assert "piege.pdf" in str(shown)
    # Its name is indexed, and the index is in step.
    assert [h["where"] for h in cli("search", "piege", "--json", ok=True).json()] \
        == ["fichier « piege.pdf »"]
    assert cli("db", "check").exit_code == 0


def test_twenty_megabyte_attachment_within_the_time_limit(cli, sent_ref, tmp_path, monkeypatch):
    monkeypatch.setenv("CADA_EXTRACT_TIMEOUT", "4")
    word = invented_word(13)
    line = b"BT /F1 10 Tf 50 800 Td (" + word.encode("latin-1", "replace") + b" montant) Tj ET\n"
    content = line * (20 * 1024 * 1024 // len(line))
    big = tmp_path / "annexes.pdf"
    big.write_bytes(_pdf(_page_objects(b"<< /Length %d >>\nstream\n" % len(content) + content
                                       + b"\nendstream")))
    assert big.stat().st_size > 20_000_000
    started = time.monotonic()
    result = attach(cli, sent_ref, big)
    elapsed = time.monotonic() - started
    assert result.exit_code == 0 and "Traceback" not in result.stderr
    assert elapsed < 30, elapsed
    statuses = _file_statuses()
    assert statuses in (["ok"], ["truncated"], ["timeout"])
    if statuses == ["timeout"]:
        assert "interrompue" in result.stderr


def _file_statuses() -> list[str]:
    from cada_tracker.paths import resolve

    engine = create_engine(resolve().database_url)
    with engine.connect() as db:
        rows = db.execute(text("SELECT DISTINCT status FROM search_entry "
                               "WHERE source = 'file'")).scalars().all()
    engine.dispose()
    return list(rows)


def test_upgrade_builds_the_index_of_existing_requests(tmp_path, cli):
    from alembic import command

    from cada_tracker import storage
    from tests.test_migrations import FIRST_SCHEMA_DATA

    db = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        command.upgrade(storage.alembic_config(conn), "0003")
        for statement in FIRST_SCHEMA_DATA:
            conn.execute(text(statement))
    engine.dispose()
    hits = cli("--db", f"sqlite:///{db}", "search", "cameras", "--json", ok=True).json()
    assert sorted((h["reference"], h["where"]) for h in hits) == [
        ("2026-0001", "document demandé n° 1"), ("2026-0001", "objet")]
