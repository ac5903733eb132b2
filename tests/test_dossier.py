"""cada dossier: bordereau, then every piece in order, each page stamped (checked with pypdf)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.test_search import deep_nesting, invented_word, make_pdf


def _png(path: Path) -> None:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (400, 200), "white")
    ImageDraw.Draw(image).rectangle((20, 20, 380, 180), outline="black", width=6)
    image.save(path)


@pytest.fixture
def refused_ref(cli, draft_ref, tmp_path):
    word = invented_word(21)
    refusal = tmp_path / "refus-mairie.pdf"
    make_pdf(refusal, f"Décision de refus : secret des affaires ({word}).", "Voies de recours.")
    scan = tmp_path / "scan-refus.png"
    _png(scan)
    mail = tmp_path / "refus.eml"
    mail.write_bytes(b"From: prada@mairie-lyon.example\r\nTo: lyon@technopolice.example\r\n"
                     b"Subject: Votre demande\r\nDate: Fri, 20 Nov 2026 09:00:00 +0100\r\n\r\n"
                     b"Nous ne pouvons donner suite <script>x</script> a votre demande.\r\n")
    cli("sent", draft_ref, "--on", "2026-11-02", "--via", "lrar", "--tracking", "1A99999",
        ok=True)
    cli("received", draft_ref, "--on", "2026-11-04", ok=True)
    cli("ack", draft_ref, "--on", "2026-11-06", ok=True)
    cli("answer", draft_ref, "--on", "2026-11-20", "--outcome", "refusal",
        "--attach", refusal, "--attach", scan, "--attach", mail, ok=True)
    cli("remind", draft_ref, "--on", "2026-11-23", "--out", tmp_path / "courriers", ok=True)
    return draft_ref, word


def _pages_text(path: str) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(path).pages]


def test_dossier_for_the_cada_has_the_bordereau_and_every_piece_in_order(backend, cli,
                                                                         refused_ref, tmp_path):
    ref, word = refused_ref
    result = cli("dossier", ref, "--out", tmp_path / "dossier", "--json", ok=True).json()
    titles = [p["title"] for p in result["pieces"]]
    assert [p["number"] for p in result["pieces"]] == [1, 2, 3, 4, 5]
    assert titles[0].startswith("Demande de communication")
    assert titles[1] == "Preuve de l'envoi et de la réception de la demande"
    assert titles[2] == "Accusé de réception de l'administration du 06/11/2026"
    assert titles[3] == ("Décision de refus du 20/11/2026 "
                         "(refus-mairie.pdf, scan-refus.png, refus.eml)")
    assert titles[4] == f"Relance du 23/11/2026 ({ref}-relance-2026-11-23.pdf)"

    pages = _pages_text(result["path"])
    bordereau = pages[0]
    assert "Bordereau des pièces" in bordereau and "Pièce n°" not in bordereau
    for title in titles:
        assert title.split(" (")[0] in " ".join(bordereau.split())
    assert len(pages) == 1 + sum(p["pages"] for p in result["pieces"])
    # Each page carries its piece's number, in order, after the bordereau.
    numbers = [re.search(r"Pièce n° (\d+)", text) for text in pages[1:]]
    assert all(numbers), "every page is stamped"
    expected = [p["number"] for p in result["pieces"] for _ in range(p["pages"])]
    assert [int(m.group(1)) for m in numbers] == expected
    by_piece = {}
    for number, text in zip(expected, pages[1:], strict=True):
        by_piece.setdefault(number, []).append(text)
    assert "Vidéosurveillance" in by_piece[1][0]  # the request letter itself
    assert "1A99999" in by_piece[2][0] and "04/11/2026" in by_piece[2][0]
    refusal = "\n".join(by_piece[4])
    assert word in refusal and "Voies de recours" in refusal  # the stored PDF, merged as is
    assert "prada@mairie-lyon.example" in refusal and "<script>x</script>" in refusal
    assert "scan-refus.png" in refusal  # the image page
    assert "Relance" in by_piece[5][0]
    assert result["separate"] == []


def test_dossier_for_the_court_adds_the_referral_and_the_opinion(cli, refused_ref, tmp_path):
    ref, _ = refused_ref
    cli("refer", ref, "--on", "2026-11-24", "--html", "--out", tmp_path / "courriers", ok=True)
    cli("refer", ref, "--registered", "2026-11-26", "--cada-ref", "20265555", ok=True)
    cli("opinion", ref, "--on", "2026-11-30", "--verdict", "favorable", ok=True)
    cada = cli("dossier", ref, "--json", ok=True).json()
    court = cli("dossier", ref, "--for", "court", "--json", ok=True).json()
    extra = [p["title"] for p in court["pieces"][len(cada["pieces"]):]]
    assert [p["title"] for p in court["pieces"][:len(cada["pieces"])]] \
        == [p["title"] for p in cada["pieces"]]
    assert extra[0].startswith("Saisine de la CADA du 24/11/2026")
    assert "Enregistrement de la saisine par la CADA le 26/11/2026, dossier n° 20265555" \
        in extra
    assert extra[-1] == "Avis de la CADA du 30/11/2026 (favorable)"
    assert Path(court["path"]).name == f"{ref}-dossier-court.pdf"
    assert len(PdfReader(court["path"]).pages) == 1 + sum(p["pages"] for p in court["pieces"])


def test_referral_letter_lists_the_same_numbered_pieces(cli, refused_ref, tmp_path):
    from tests.letters.test_escalation_letters import text_of_html

    ref, _ = refused_ref
    dossier = cli("dossier", ref, "--json", ok=True).json()
    letter = cli("refer", ref, "--on", "2026-11-24", "--html", "--json", "--out",
                 tmp_path / "courriers", ok=True).json()
    text = text_of_html(Path(letter["copy"]))
    for piece in dossier["pieces"]:  # letters print apostrophes typographic (’)
        title = piece["title"].replace("'", "’")
        assert f"Pièce n° {piece['number']} : {title}" in text


def test_files_that_cannot_be_pages_are_given_separately(cli, draft_ref, tmp_path):
    import zipfile

    docx = tmp_path / "cctp.docx"
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("word/document.xml", "<w:p><w:t>CCTP</w:t></w:p>")
    hostile = tmp_path / "piege.pdf"
    hostile.write_bytes(deep_nesting())
    cli("sent", draft_ref, "--on", "2026-11-02", "--via", "email", ok=True)
    cli("answer", draft_ref, "--on", "2026-11-20", "--outcome", "partial", "--got", "1",
        "--attach", docx, "--attach", hostile, ok=True)
    result = cli("dossier", draft_ref, "--out", tmp_path / "d", "--json", ok=True).json()
    separate = sorted(Path(p).name for p in result["separate"])
    assert separate == sorted(f"{draft_ref}-piece-3-{n}" for n in (
        Path(p).name for p in _stored(draft_ref)))
    for path in result["separate"]:
        assert Path(path).read_bytes() in (docx.read_bytes(), hostile.read_bytes())
    text = " ".join(_pages_text(result["path"]))
    assert text.count("fourni séparément") == 2


def test_a_huge_file_is_given_beside_the_dossier(cli, draft_ref, tmp_path):
    big = tmp_path / "registre.csv"
    big.write_bytes(b"camera;adresse\n" + b"C1;1 place de la Mairie\n" * 900_000)
    assert big.stat().st_size > 20 * 1024 * 1024
    cli("sent", draft_ref, "--on", "2026-11-02", "--via", "email", ok=True)
    cli("answer", draft_ref, "--on", "2026-11-20", "--outcome", "full", "--attach", big,
        ok=True)
    result = cli("dossier", draft_ref, "--out", tmp_path / "d", "--json", ok=True).json()
    assert [Path(p).name.endswith("registre.csv") for p in result["separate"]] == [True]
    assert "trop volumineux" in " ".join(_pages_text(result["path"]))


def _stored(reference: str) -> list[str]:
    from cada_tracker.paths import resolve

    return sorted(str(p) for p in (resolve().files_dir / reference).iterdir())


def test_bad_requests_for_a_dossier(cli, draft_ref):
    unknown = cli("dossier", "2026-9999")
    assert unknown.exit_code == 3 and "2026-9999" in unknown.stderr
    bad = cli("dossier", draft_ref, "--for", "prefet")
    assert bad.exit_code == 2 and "--for" in bad.stderr
    # A draft has only its letter: a dossier of one piece.
    only = cli("dossier", draft_ref, "--json", ok=True).json()
    assert [p["number"] for p in only["pieces"]] == [1]
    assert io.BytesIO(Path(only["path"]).read_bytes()).read(5) == b"%PDF-"


def test_court_petition_lists_the_pieces_of_the_court_dossier(cli, refused_ref, tmp_path):
    from tests.letters.test_escalation_letters import text_of_html

    ref, _ = refused_ref
    cli("refer", ref, "--on", "2026-11-24", "--no-letter", ok=True)
    cli("refer", ref, "--registered", "2026-11-26", "--cada-ref", "20265555", ok=True)
    cli("opinion", ref, "--on", "2026-11-30", "--verdict", "unfavorable", ok=True)
    dossier = cli("dossier", ref, "--for", "court", "--json", ok=True).json()
    petition = cli("court", ref, "--preview", "--force", "--html", "--json", "--out",
                   tmp_path / "courriers", ok=True).json()
    text = text_of_html(Path(petition["preview"]))
    inventory = text[text.index("Inventaire des pièces"):]
    for piece in dossier["pieces"]:  # letters print apostrophes typographic (’)
        title = piece["title"].replace("'", "’")
        assert f"Pièce n° {piece['number']} : {title}" in inventory
    assert "Avis de la CADA du 30/11/2026 (défavorable)" in inventory
