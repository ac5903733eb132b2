"""cada publish: the campaign's files in a ZIP, with no trace of the sender's data."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile

import pytest
from pypdf import PdfReader, PdfWriter

from tests.test_dossier import _png
from tests.test_search import invented_word, make_pdf, strip_accents

EMAIL = "lyon@technopolice.example"
STREET = "12 rue de la Paix"


@pytest.fixture
def campaign(cli, admin_id, tmp_path):
    other = cli("admin", "add", "Mairie de Bron", "--kind", "commune", "--postcode", "69500",
                "--city", "Bron", "--json", ok=True).json()["id"]
    cli("new", "--to", admin_id, "--to", other, "--subject", "VSA", "--doc", "Contrat",
        "--campaign", "vsa-69", ok=True)
    rows = cli("campaign", "show", "vsa-69", "--json", ok=True).json()["requests"]
    refs = {r["administration"]: r["reference"] for r in rows}
    lyon, bron = refs["Mairie de Lyon"], refs["Mairie de Bron"]
    word = invented_word(31)
    contract = tmp_path / "marche.pdf"
    make_pdf(contract, f"Marché public : logiciel {word}.")
    _with_author(contract, "Jean Agent")
    reply = tmp_path / "courrier-reponse.pdf"
    make_pdf(reply, f"Technopolice Lyon<br>{STREET}<br>69003 Lyon<br>{EMAIL}",
             "Veuillez trouver ci-joint le marché.")
    mail = tmp_path / "reponse.eml"
    mail.write_bytes(f"From: prada@mairie-bron.example\r\nTo: {EMAIL}\r\nSubject: Refus\r\n\r\n"
                     f"Madame, nous refusons. Adresse : {STREET}.\r\n".encode())
    scan = tmp_path / "scan.png"
    _png(scan)
    for ref in (lyon, bron):
        cli("sent", ref, "--on", "2026-11-02", "--via", "email", ok=True)
    cli("answer", lyon, "--on", "2026-11-20", "--outcome", "full", "--attach", contract,
        "--attach", reply, "--attach", scan, ok=True)
    cli("answer", bron, "--on", "2026-11-21", "--outcome", "refusal", "--attach", mail, ok=True)
    cli("remind", bron, "--on", "2026-11-23", "--out", tmp_path / "courriers", ok=True)
    return lyon, bron, word


def _with_author(path, author: str) -> None:
    reader = PdfReader(path)
    writer = PdfWriter(clone_from=reader)
    writer.add_metadata({"/Author": author, "/Creator": "Logiciel de la mairie"})
    with open(path, "wb") as fh:
        writer.write(fh)
    assert PdfReader(path).metadata["/Author"] == author


def _text(name: str, data: bytes) -> str:
    if data.startswith(b"%PDF"):
        return "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages)
    return data.decode("utf-8", errors="replace")


def _folded(value: str) -> str:
    return " ".join(strip_accents(value).lower().split())


def test_zip_has_no_trace_of_the_sender_and_a_manifest(backend, cli, campaign, tmp_path):
    lyon, bron, word = campaign
    out = tmp_path / "vsa-69.zip"
    report = cli("publish", "--campaign", "vsa-69", "--out", out, "--licence",
                 "Licence Ouverte 2.0", "--json", ok=True).json()
    with zipfile.ZipFile(out) as archive:
        contents = {n: archive.read(n) for n in archive.namelist()}
    for name, data in contents.items():
        text = _folded(_text(name, data))
        assert _folded(EMAIL) not in text, name
        assert _folded(STREET) not in text, name
    assert {"manifest.csv", "manifest.json", "README.md"} <= set(contents)
    files = {n for n in contents if "/" in n}
    assert "mairie-de-lyon/documents/marche.pdf" in files
    assert f"mairie-de-lyon/courriers-envoyes/{lyon}-demande.pdf" in files
    assert "mairie-de-lyon/documents/courrier-reponse-transcription.pdf" in files
    assert "mairie-de-bron/courriers-recus/reponse-transcription.pdf" in files
    assert not any("scan" in n for n in files)  # a scan cannot be checked: left out
    # The document obtained is there, as it is, without its metadata.
    contract = PdfReader(io.BytesIO(contents["mairie-de-lyon/documents/marche.pdf"]))
    assert word in contract.pages[0].extract_text()
    info = contract.metadata or {}
    assert "/Author" not in info and "/Creator" not in info
    assert contract.xmp_metadata is None
    # The request letter and the transcriptions name the sender publicly.
    letter = _text("", contents[f"mairie-de-lyon/courriers-envoyes/{lyon}-demande.pdf"])
    assert "le demandeur" in letter and "Vidéo" not in letter and "Contrat" in letter
    # Manifests: every file, its SHA-256, the licence.
    rows = json.loads(contents["manifest.json"])
    assert sorted(r["file"] for r in rows) == sorted(files)
    for row in rows:
        assert hashlib.sha256(contents[row["file"]]).hexdigest() == row["sha256"]
        assert row["licence"] == "Licence Ouverte 2.0"
    table = list(csv.DictReader(io.StringIO(contents["manifest.csv"].decode())))
    assert [r["file"] for r in table] == [r["file"] for r in rows]
    assert {r["reference"] for r in table} == {lyon, bron}
    readme = contents["README.md"].decode()
    assert "Campagne « vsa-69 »" in readme and "Mairie de Bron" in readme
    excluded = [f for f in report["files"] if f["action"] == "excluded"]
    assert [f["name"] for f in excluded] == ["scan.png"]


def test_dry_run_lists_and_flags_without_writing(cli, campaign, tmp_path):
    out = tmp_path / "x.zip"
    report = cli("publish", "--campaign", "vsa-69", "--out", out, "--dry-run", "--json",
                 ok=True).json()
    assert not out.exists()
    flags = {f["name"]: f["flags"] for f in report["files"]}
    assert "e-mail du demandeur" in flags["courrier-reponse.pdf"]
    assert "nom du demandeur" in flags["courrier-reponse.pdf"]
    assert flags["marche.pdf"] == []
    assert flags["scan.png"] == ["texte non vérifiable"]
    shown = cli("publish", "--campaign", "vsa-69", "--dry-run", ok=True)
    assert "courrier-reponse.pdf" in shown.stdout and "à vérifier" in shown.stdout


def test_unchecked_files_only_on_request(cli, campaign, tmp_path):
    out = tmp_path / "avec-scans.zip"
    cli("publish", "--campaign", "vsa-69", "--out", out, "--include-unchecked", ok=True)
    with zipfile.ZipFile(out) as archive:
        assert "mairie-de-lyon/documents/scan.png" in archive.namelist()


def test_bad_publish_requests(cli, campaign, tmp_path):
    missing = cli("publish", "--campaign", "vsa-69")
    assert missing.exit_code == 2 and "--out" in missing.stderr
    unknown = cli("publish", "--campaign", "inconnue", "--dry-run")
    assert unknown.exit_code == 3 and "inconnue" in unknown.stderr
    folder = cli("publish", "--campaign", "vsa-69", "--out", tmp_path)
    assert folder.exit_code == 2 and "dossier" in folder.stderr


def test_an_existing_file_is_replaced_only_with_force(cli, campaign, tmp_path, isolated_home):
    """Neither --out replaced an existing file: given the database itself, the report
    and the publication overwrote it, exit 0."""
    database = isolated_home / "cada.db"
    before = database.read_bytes()
    for args in (("campaign", "report", "vsa-69", "--out", database),
                 ("publish", "--campaign", "vsa-69", "--out", database)):
        refused = cli(*args)
        assert refused.exit_code == 2 and "--force" in refused.stderr, args
    assert database.read_bytes() == before
    page = tmp_path / "bilan.html"
    cli("campaign", "report", "vsa-69", "--out", page, ok=True)
    assert cli("campaign", "report", "vsa-69", "--out", page).exit_code == 2
    cli("campaign", "report", "vsa-69", "--out", page, "--force", ok=True)
    archive = tmp_path / "p.zip"
    cli("publish", "--campaign", "vsa-69", "--out", archive, ok=True)
    cli("publish", "--campaign", "vsa-69", "--out", archive, "--force", ok=True)
