"""cada campaign report: an HTML page with SVG charts, checked in headless Chromium, and its PDF."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from pypdf import PdfReader

GREEN, RED, ORANGE = (0x2E, 0x7D, 0x32), (0xC6, 0x28, 0x28), (0xEF, 0x6C, 0x00)
HOSTILE = "Mairie <script>alert(1)</script> & [bold]co[/]"


@pytest.fixture
def campaign(cli, admin_id, tmp_path):
    ids = [admin_id]
    for name in ("Mairie de Bron", HOSTILE):
        ids.append(cli("admin", "add", name, "--kind", "commune", "--postcode", "69500",
                       "--city", "Bron", "--json", ok=True).json()["id"])
    cli("new", *[a for i in ids for a in ("--to", i)], "--subject", "VSA", "--doc", "Contrat",
        "--campaign", "vsa-69", ok=True)
    rows = cli("campaign", "show", "vsa-69", "--json", ok=True).json()["requests"]
    refs = {r["administration"]: r["reference"] for r in rows}
    lyon, bron, other = refs["Mairie de Lyon"], refs["Mairie de Bron"], refs[HOSTILE]
    for ref in (lyon, bron, other):
        cli("sent", ref, "--on", "2026-10-01", "--via", "email", ok=True)
    cli("answer", lyon, "--on", "2026-10-20", "--outcome", "full", ok=True)
    cli("answer", bron, "--on", "2026-10-25", "--outcome", "refusal", ok=True)
    cli("refer", bron, "--on", "2026-11-02", "--no-letter", ok=True)
    cli("refer", bron, "--registered", "2026-11-05", "--cada-ref", "20264242", ok=True)
    cli("opinion", bron, "--on", "2026-11-28", "--verdict", "favorable", ok=True)
    cli("campaign", "field", "add", "vsa-69", "nombre_cameras", "--type", "int", ok=True)
    cli("campaign", "set", lyon, "nombre_cameras", "148", ok=True)
    return lyon, bron, other


def _report(cli, tmp_path, *extra):
    html = tmp_path / "bilan.html"
    cli("campaign", "report", "vsa-69", "--out", html, "--today", "2026-11-10", *extra, ok=True)
    return html


def test_report_html_has_its_charts_tables_and_escapes_names(cli, campaign, tmp_path):
    lyon, bron, _ = campaign
    page = _report(cli, tmp_path).read_text(encoding="utf-8")
    assert page.count("<svg") == 2 and "<script" not in page
    assert "default-src 'none'" in page  # no network, no script, even from a name
    assert "Mairie &lt;script&gt;alert(1)&lt;/script&gt; &amp; [bold]co[/]" in page
    assert page.count('fill="#2e7d32"') == 2  # obtained: the outcome bar and Lyon's delay
    assert "20264242" in page and "favorable" in page and "148" in page
    assert f"Mairie de Lyon ({lyon})" in page


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium must be installed under CI (.ci/run installs it)")
        pytest.skip("Chromium absent (Debian package chromium): the report is not rendered")
    return found


def _colours(image) -> list[tuple[int, tuple[int, int, int]]]:
    """(pixels, colour) for each colour of the image: counted by Pillow, not pixel by
    pixel in Python (1.4 million of them, seconds per count)."""
    rgb = image.convert("RGB")
    return rgb.getcolors(maxcolors=rgb.width * rgb.height)


def _count(image, colour, tolerance=24) -> int:
    return sum(n for n, px in _colours(image)
               if all(abs(a - b) <= tolerance for a, b in zip(px, colour, strict=True)))


def test_report_renders_in_headless_chromium(cli, campaign, tmp_path):
    from PIL import Image

    chromium = _chromium()
    html = _report(cli, tmp_path)
    shot = tmp_path / "bilan.png"
    subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", f"--user-data-dir={tmp_path / 'chromium-profile'}",
         "--hide-scrollbars", "--window-size=1000,1400", f"--screenshot={shot}",
         html.as_uri()],
        check=True, capture_output=True, timeout=120, cwd=tmp_path)
    image = Image.open(shot).convert("RGB")
    assert image.size == (1000, 1400)
    blank = sum(n for n, px in _colours(image) if min(px) > 245)
    assert blank < 0.97 * 1000 * 1400, "the page is not blank"
    # The charts are drawn: bars of each outcome's colour (obtained, refused, implicit).
    for colour in (GREEN, RED, ORANGE):
        assert _count(image, colour) > 2000, colour


def test_report_pdf_opens_with_its_charts(cli, campaign, tmp_path):
    import pypdfium2

    pdf = tmp_path / "bilan.pdf"
    _report(cli, tmp_path, "--pdf", pdf)
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(pdf).pages).split())
    assert "Campagne « vsa-69 »" in text and "20264242" in text
    assert "saisines de la cada et avis" in text.lower()
    page = pypdfium2.PdfDocument(str(pdf))[0].render(scale=1).to_pil().convert("RGB")
    for colour in (GREEN, RED, ORANGE):
        assert _count(page, colour) > 500, colour


def test_report_of_an_unknown_campaign(cli, tmp_path):
    result = cli("campaign", "report", "inconnue", "--out", tmp_path / "x.html")
    assert result.exit_code == 3 and "inconnue" in result.stderr
    assert not (tmp_path / "x.html").exists()
