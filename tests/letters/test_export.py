"""cada export, cada templates and cada doctor, run as a user runs them."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tests.conftest import set_reference

pypdf = pytest.importorskip("pypdf")
pdfplumber = pytest.importorskip("pdfplumber")

MM = 72 / 25.4


def pdf_pages(path: Path) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(path.read_bytes()))
    return [" ".join((p.extract_text() or "").split()) for p in reader.pages]


def town(i: int) -> str:
    return f"Commune n° {i:02d} d’Évry-Courcouronnes"


@pytest.fixture
def campaign_of_50(cli, profile):
    for i in range(1, 51):
        cli("admin", "add", town(i), "--kind", "commune", "--addressee", "Madame la maire",
            "--street", f"{i} place de l'Hôtel-de-Ville", "--postcode", f"91{i:03d}",
            "--city", "Évry", "--tag", "essonne", ok=True)
    made = cli("new", "--to-tag", "essonne", "--subject", "Vidéosurveillance algorithmique",
               "--doc", "Contrats", "--campaign", "vsa-91", "--yes", "--json", ok=True).json()
    assert len(made) == 50
    return made


def test_campaign_of_50_exports_50_pdfs_each_to_its_administration(cli, campaign_of_50, tmp_path):
    out = tmp_path / "courriers"  # created by export
    data = cli("export", "--campaign", "vsa-91", "--out", out, "--json", ok=True).json()
    files = sorted(out.iterdir())
    assert data["count"] == 50 and len(files) == 50
    assert [Path(f).name for f in data["files"]] == [f.name for f in files]  # names sort
    for i, path in enumerate(files, start=1):
        assert path.name.startswith(f"2026-{i:04d}-commune-n-{i:02d}-d-evry-courcouronnes")
        assert path.stat().st_mode & 0o077 == 0
    # Each address block, inside the window of a DL envelope, names its own administration.
    for i in (1, 17, 50):
        with pdfplumber.open(files[i - 1]) as doc:
            page = doc.pages[0]
            window = page.within_bbox((110 * MM, 55 * MM, 195 * MM, 88 * MM))
            text = " ".join(window.extract_text().split())
        assert town(i) in text and "Madame la maire" in text and f"91{i:03d}" in text
        others = [town(j) for j in range(1, 51) if j != i]
        assert not any(o in text for o in others)


def test_merge_prints_every_letter_in_order(cli, campaign_of_50, tmp_path):
    data = cli("export", "--campaign", "vsa-91", "--merge", "--jobs", "2", "--out", tmp_path,
               "--json", ok=True).json()
    merged = Path(data["files"][0])
    assert merged.name == "vsa-91.pdf"
    pages = pdf_pages(merged)
    firsts = [p for p in pages if "Notre référence" in p]  # first page of each letter
    assert len(firsts) == 50
    for i, text in enumerate(firsts, start=1):
        assert town(i) in text
    meta = pypdf.PdfReader(io.BytesIO(merged.read_bytes())).metadata
    assert meta.title == "Courriers — vsa-91"


def test_export_by_reference_and_status(cli, draft_ref, admin_id, tmp_path):
    second = cli("new", "--to", admin_id, "--subject", "Drones", "--doc", "Journal des vols",
                 "--json", ok=True).json()["reference"]
    cli("sent", second, "--on", "2026-01-05", "--via", "email", ok=True)
    drafts = cli("export", "--status", "draft", "--html", "--out", tmp_path / "d", "--json",
                 ok=True).json()
    assert [Path(f).name for f in drafts["files"]] == [f"{draft_ref}-mairie-de-lyon.html"]
    one = cli("export", second, "--html", "--out", tmp_path / "r", "--json", ok=True).json()
    assert [Path(f).name for f in one["files"]] == [f"{second}-mairie-de-lyon.html"]
    assert "Journal des vols" in Path(one["files"][0]).read_text(encoding="utf-8")


def test_typed_html_is_exported_as_text(cli, profile, tmp_path):
    admin = cli("admin", "add", "<b>Mairie</b> & <script>alert(1)</script>", "--kind",
                "commune", "--postcode", "69001", "--city", "Lyon", "--json", ok=True).json()
    ref = cli("new", "--to", admin["id"], "--subject", "<i>objet</i>", "--doc",
              '<img src="file:///etc/passwd">', "--json", ok=True).json()["reference"]
    data = cli("export", ref, "--html", "--out", tmp_path, "--json", ok=True).json()
    page = Path(data["files"][0]).read_text(encoding="utf-8")
    assert "<script>" not in page and "<b>Mairie" not in page and "<img src=\"file" not in page
    assert "&lt;script&gt;" in page and "&lt;img src=" in page
    pdf = cli("export", ref, "--out", tmp_path / "pdf", "--json", ok=True).json()
    text = " ".join(pdf_pages(Path(pdf["files"][0])))
    assert "<img src=" in text and "<i>objet</i>" in text


@pytest.mark.parametrize("args, code, words", [
    ((), 2, "--campaign"),
    (("--status", "draft", "--merge", "--html"), 2, "--html"),
    (("--campaign", "inconnue"), 3, "inconnue"),
    (("2026-9999",), 3, "2026-9999"),
    (("--status", "brouillon"), 2, "draft"),
    (("--status", "sent"), 3, "Aucune demande"),
])
def test_export_errors(cli, draft_ref, args, code, words):
    result = cli("export", *args)
    assert result.exit_code == code and words in result.stderr
    assert "Traceback" not in result.stderr


def test_export_out_is_a_file(cli, draft_ref, tmp_path):
    target = tmp_path / "pas-un-dossier"
    target.write_text("x")
    result = cli("export", draft_ref, "--out", target)
    assert result.exit_code == 2 and "pas-un-dossier" in result.stderr


def test_templates_list_and_show(cli):
    listed = cli("templates", "list", "--json", ok=True).json()
    kinds = {t["name"]: t["kind"] for t in listed}
    assert kinds["demande"] == "request" and kinds["relance"] == "reminder"
    assert kinds["saisine-cada"] == "referral" and kinds["requete-ta"] == "court"
    assert kinds["saisine-cada-serie"] == "grouped_referral"
    assert kinds["information-serie"] == "series_notice"
    assert {"videosurveillance", "vsa", "drones", "capteurs-sonores",
            "reconnaissance-faciale"} <= set(kinds)
    assert all(t["origin"] == "builtin" and not t["error"] for t in listed)
    shown = cli("templates", "show", "relance", "--json", ok=True).json()
    assert {"missing", "implicit_refusal_on", "cada_deadline_on", "sender"} <= set(
        shown["variables"])
    table = cli("templates", "show", "saisine-cada", ok=True).stdout
    assert "Variables :" in table and "refusal_on" in table
    source = cli("templates", "show", "relance", "--source", ok=True).stdout
    assert source.startswith("{#- title: Relance")
    unknown = cli("templates", "show", "relanse")
    assert unknown.exit_code == 3 and "relance" in unknown.stderr


def test_templates_list_reports_a_broken_user_template(cli, isolated_home):
    user = isolated_home / "modeles"
    user.mkdir(parents=True)
    (user / "maison.html.j2").write_text("{% if %}", encoding="utf-8")
    listed = {t["name"]: t for t in cli("templates", "list", "--json", ok=True).json()}
    assert listed["maison"]["origin"] == "user" and "maison.html.j2" in listed["maison"]["error"]
    doctor = cli("doctor")
    assert doctor.exit_code == 1 and "maison" in doctor.stderr


def test_doctor_reports_harfbuzz(cli, monkeypatch):
    from cada_tracker import pdf

    if pdf.harfbuzz_subset_available():
        ok = cli("doctor")
        assert ok.exit_code == 0 and "HarfBuzz" in ok.stderr and "€" in ok.stderr
    monkeypatch.setattr(pdf, "harfbuzz_subset_available", lambda: False)
    missing = cli("doctor")
    assert missing.exit_code == 1
    assert "libharfbuzz-subset0" in missing.stderr and "apt install" in missing.stderr


def _group(pgid: int) -> list[str]:
    import subprocess

    return subprocess.run(["ps", "-o", "pid=", "-g", str(pgid)], capture_output=True,
                          text=True).stdout.split()


def _wait_for(condition, proc, what: str) -> None:
    """Until ``condition()`` holds (bounded); fails if the export ended first."""
    import time

    deadline = time.monotonic() + 120
    while not condition():
        if proc.poll() is not None:
            pytest.fail(f"cada export ended before {what}")
        if time.monotonic() > deadline:
            pytest.fail(f"cada export never reached {what}")
        time.sleep(0.01)


@pytest.mark.parametrize("moment", ["workers-forked", "first-letter-written"])
def test_ctrl_c_during_a_parallel_export_exits_cleanly(campaign_of_50, tmp_path, moment):
    import os
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "ex"
    proc = subprocess.Popen(
        [sys.executable, "-m", "cada_tracker", "export", "--campaign", "vsa-91", "--jobs", "4",
         "--out", str(out)],
        start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # The signal is sent at a moment the test observes, not after a guessed delay.
    if moment == "workers-forked":
        _wait_for(lambda: len(_group(proc.pid)) >= 5, proc, "forking its 4 workers")
    else:
        _wait_for(lambda: out.is_dir() and any(out.glob("*.pdf")), proc, "its first letter")
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal's Ctrl-C: the whole group
    try:
        _, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail("cada export hung after Ctrl-C")
    # 130, or death by SIGINT itself (-2), which a shell also reports as 130: both say
    # "interrupted" to the caller.
    assert proc.returncode in (130, -signal.SIGINT), err
    assert "Traceback" not in err
    # No worker left behind: terminated workers may take a moment to go on a busy
    # machine, so wait for the group to empty (bounded) rather than sleep a fixed time.
    deadline = time.monotonic() + 30
    while (group := _group(proc.pid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert group == []
    written = sorted(out.glob("*.pdf"))
    assert len(written) < 50, "the export was interrupted before its end"
    leftovers = [p.name for p in out.glob(".*")] if out.exists() else []
    assert leftovers == []  # no temporary file half-written


def test_a_second_merged_export_of_the_day_does_not_overwrite_the_first(cli, draft_ref,
                                                                        tmp_path):
    first = cli("export", "--status", "draft", "--merge", "--out", tmp_path, "--json",
                ok=True).json()["files"][0]
    second = cli("export", draft_ref, "--merge", "--out", tmp_path, "--json",
                 ok=True).json()["files"][0]
    assert first != second and Path(first).is_file() and Path(second).is_file()
    assert Path(second).name.endswith("-2.pdf")


def test_references_past_9999_are_exported_after_the_others(cli, draft_ref, admin_id,
                                                            tmp_path):
    year = draft_ref[:4]
    set_reference(draft_ref, f"{year}-9999")
    later = cli("new", "--to", admin_id, "--subject", "B", "--doc", "y", "--json",
                ok=True).json()["reference"]
    assert later == f"{year}-10000"
    files = cli("export", "--status", "draft", "--html", "--out", tmp_path, "--json",
                ok=True).json()["files"]
    assert [Path(f).name.split("-mairie")[0] for f in files] == [f"{year}-9999", later]


def test_a_user_template_not_in_utf8_is_listed_with_its_error(cli, isolated_home):
    """It used to stop cada templates list and cada doctor with a UnicodeDecodeError."""
    user = isolated_home / "modeles"
    user.mkdir(parents=True)
    (user / "binaire.html.j2").write_bytes(b"\xff\xfe{{ x }}")
    listed = {t["name"]: t for t in cli("templates", "list", "--json", ok=True).json()}
    assert "UTF-8" in listed["binaire"]["error"] and not listed["demande"]["error"]
    shown = cli("templates", "list")
    assert shown.exit_code == 0 and "Traceback" not in shown.stderr + shown.stdout
    doctor = cli("doctor")
    assert doctor.exit_code != 70 and "UnicodeDecodeError" not in doctor.stderr
