"""Stored files: streamed whatever their size, safely named, limited, never orphaned."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time

from members import sent_request
from procs import Child, cada

from cada_tracker.filestore import safe_name


LIMITED = r"""
import resource, sys
limit = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from cada_tracker.cli.main import run
sys.exit(run(sys.argv[2:]))
"""


def _limited(argv, *, memory: int, env=None):
    return subprocess.run([sys.executable, "-c", LIMITED, str(memory), *argv],
                          capture_output=True, text=True, env=env or os.environ, timeout=600)


def _sparse(path, size: int) -> str:
    """A sparse file of ``size`` bytes, data at both ends; returns its SHA-256."""
    head, tail = b"%PDF-1.4 debut", b"fin %%EOF"
    with open(path, "wb") as fh:
        fh.write(head)
        fh.truncate(size - len(tail))
        fh.seek(size - len(tail))
        fh.write(tail)
    sha = hashlib.sha256(head)
    zeros = bytes(1 << 22)
    left = size - len(head) - len(tail)
    while left:
        n = min(left, len(zeros))
        sha.update(zeros[:n])
        left -= n
    sha.update(tail)
    return sha.hexdigest()


#: Address space of the limited commands: ``cada answer`` on SQLite peaks at about
#: 75 MB of it, with PostgreSQL about 110 MB, whatever the file's size.
MEMORY = 128 * 1024 * 1024


def test_an_attachment_three_times_the_memory_is_stored_and_checked_in_flat_memory(
        cli, isolated_home, tmp_path):
    # The bound is relative to the file: reading it whole, or even a third of it on top
    # of what cada needs anyway, raises MemoryError. (It was a 3 GB file under 1 GB,
    # then 768 MB under 256 MB: the same proof, and the hashing was the suite's
    # largest cost.)
    ref = sent_request(cli)
    video = tmp_path / "video.mp4"
    size = 3 * MEMORY
    expected = _sparse(video, size)
    answered = _limited(["answer", ref, "--on", "2026-03-20", "--outcome", "full",
                         "--attach", str(video)], memory=MEMORY)
    assert answered.returncode == 0, answered.stderr
    stored = cli("show", ref, "--json", ok=True).json()["files"][0]
    assert stored["sha256"] == expected and stored["size"] == size
    copy = isolated_home / stored["path"]
    assert os.stat(copy).st_blocks * 512 < 10 * 1024 * 1024, "the copy stays sparse"
    checked = _limited(["db", "check"], memory=MEMORY)
    assert checked.returncode == 0, checked.stderr
    assert "Base saine" in checked.stderr


def test_attachments_above_the_limit_are_refused(cli, tmp_path, monkeypatch, isolated_home):
    ref = sent_request(cli)
    big = tmp_path / "gros.pdf"
    big.write_bytes(b"x" * (2 * 1024 * 1024 + 1))
    monkeypatch.setenv("CADA_MAX_ATTACHMENT_MB", "2")
    refused = cli("answer", ref, "--on", "2026-03-20", "--outcome", "full", "--attach", big)
    assert refused.exit_code == 2
    assert "taille maximale" in refused.stderr and "2 Mo" in refused.stderr
    assert "CADA_MAX_ATTACHMENT_MB" in refused.stderr
    assert [e["kind"] for e in cli("show", ref, "--json", ok=True).json()["events"]] == ["sent"]
    monkeypatch.setenv("CADA_MAX_ATTACHMENT_MB", "deux")
    bad = cli("answer", ref, "--on", "2026-03-20", "--outcome", "full", "--attach", big)
    assert bad.exit_code == 2 and "CADA_MAX_ATTACHMENT_MB" in bad.stderr
    monkeypatch.setenv("CADA_MAX_ATTACHMENT_MB", "3")
    cli("answer", ref, "--on", "2026-03-20", "--outcome", "full", "--attach", big, ok=True)


def test_long_accented_names_are_shortened_and_kept_in_the_record(cli, tmp_path, isolated_home):
    ref = sent_request(cli)
    name = "é" * 120 + ".pdf"  # 244 bytes: with the hash prefix, past 255
    source = tmp_path / name
    source.write_bytes(b"%PDF-1.4 reponse")
    cli("answer", ref, "--on", "2026-03-20", "--outcome", "full", "--attach", source, ok=True)
    stored = cli("show", ref, "--json", ok=True).json()["files"][0]
    assert stored["name"] == name
    on_disk = isolated_home / stored["path"]
    assert on_disk.read_bytes() == b"%PDF-1.4 reponse"
    assert len(on_disk.name.encode()) <= 255 and on_disk.name.endswith(".pdf")
    assert cli("db", "check").exit_code == 0


def test_safe_names_never_split_a_letter_nor_hide_the_file():
    for name in ("é" * 200, "a" * 300 + ".tar.gz", "../../etc/passwd", ".bashrc", "", "日本" * 90,
                 "x." + "y" * 40):
        safe = safe_name(name)
        assert 0 < len(safe.encode()) <= 150
        safe.encode("utf-8").decode("utf-8")
        assert "/" not in safe and not safe.startswith(".")
    assert safe_name("rapport.pdf") == "rapport.pdf"
    assert safe_name("é" * 200 + ".pdf").endswith(".pdf")


def _campaign(cli, name: str) -> None:
    for i in range(1, 6):  # a series is five requests or more (L342-1 al. 2)
        cli("admin", "add", f"Commune {i} {name}", "--kind", "commune", "--postcode",
            f"69{i:03d}", "--city", f"Ville {i}", "--tag", name, ok=True)
    refs = [r["reference"] for r in cli("new", "--to-tag", name, "--subject", "Caméras",
                                        "--doc", "Liste", "--campaign", name, "--json",
                                        ok=True).json()]
    for ref in refs:
        cli("sent", ref, "--on", "2026-01-05", "--via", "lrar", ok=True)
        cli("received", ref, "--on", "2026-01-07", ok=True)


def _kill_when(proc, ready, extra: float) -> bool:
    """SIGKILL ``proc`` ``extra`` seconds after ``ready()`` holds; False if it ended first.

    ``proc`` is a ``subprocess.Popen`` or a ``procs.Child`` (a warm forked command)."""
    while proc.poll() is None and not ready():
        time.sleep(0.001)
    time.sleep(extra)
    if proc.poll() is not None:
        return False
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    return True


def _leftovers(home) -> list:
    journals = home / ".en-cours"
    return [p for p in journals.iterdir()] if journals.is_dir() else []


def test_sigkill_during_a_campaign_referral_leaves_nothing_after_the_next_command(
        cli, tmp_path, isolated_home, profile):
    interrupted = 0
    for series in ("vsa", "lapi", "drones"):  # a run that finished first: a new series
        _campaign(cli, series)
        argv = ["refer", "--campaign", series, "--on", "2026-03-10", "--via", "lrar",
                "--html", "--out", str(tmp_path / series)]
        # The last run is never killed: however slow the machine, it ends and commits
        # (a fixed "5 s later" could still land before its end on a loaded machine).
        for extra in (0.0, 0.0, 0.002, 0.005, 0.01, 0.02, 0.05, None):
            proc = Child(cada, *argv)
            if extra is None:
                finished = proc.wait()
                assert finished[0] == 0, finished[2]
                killed = False
            else:
                killed = _kill_when(proc, lambda: bool(_leftovers(isolated_home)), extra)
            if killed and _leftovers(isolated_home):
                interrupted += 1  # killed while writing: files and a journal left behind
            cli("list", ok=True)  # the next command cleans up
            assert not _leftovers(isolated_home)
            check = cli("db", "check")
            assert check.exit_code == 0, check.stderr
            if not killed:
                if extra is not None:
                    assert proc.wait()[0] == 0
                break
            statuses = {r["status"] for r in cli("list", "--campaign", series, "--json",
                                                 ok=True).json()}
            if statuses == {"referred"}:
                break  # killed after its commit, while copying to --out: the referral holds
        shown = cli("list", "--campaign", series, "--json", ok=True).json()
        assert {r["status"] for r in shown} == {"referred"}
        if interrupted:
            break
    assert interrupted, "at least one run was killed while writing its files"


def test_sigkill_while_copying_an_attachment(cli, tmp_path, isolated_home):
    ref = sent_request(cli)
    small, big = tmp_path / "lettre.pdf", tmp_path / "video.mp4"
    small.write_bytes(b"%PDF-1.4 petit")
    big.write_bytes(b"\x01" * (300 * 1024 * 1024))
    proc = subprocess.Popen([sys.executable, "-m", "cada_tracker", "answer", ref, "--on",
                             "2026-03-20", "--outcome", "full", "--attach", small,
                             "--attach", big], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    folder = isolated_home / "fichiers" / ref

    def copying_the_big_one() -> bool:
        for p in folder.iterdir() if folder.is_dir() else []:
            try:
                if p.name.endswith(".tmp") and p.stat().st_size > 2**20:
                    return True
            except FileNotFoundError:
                pass  # the small one, renamed meanwhile
        return False

    assert _kill_when(proc, copying_the_big_one, 0.0)
    left = sorted(p.name for p in folder.iterdir())
    assert any(n.endswith("-lettre.pdf") for n in left) and any(n.endswith(".tmp") for n in left)
    cleaned = cli("show", ref)
    assert "Nettoyage : 2 fichier(s)" in cleaned.stderr
    assert list(folder.iterdir()) == []
    assert cli("db", "check").exit_code == 0


def test_db_check_reports_files_no_event_mentions(cli, isolated_home, tmp_path):
    ref = sent_request(cli)
    stray = isolated_home / "fichiers" / ref / "0123456789abcdef-perdu.pdf"
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(b"perdu")
    (stray.parent / ".abc.tmp").write_bytes(b"")
    report = cli("db", "check", "--json")
    assert report.exit_code == 1
    problems = report.json()["problems"]
    assert any("aucun événement" in p and "perdu.pdf" in p for p in problems)
    assert any("temporaire" in p for p in problems)


def test_files_are_copied_out_never_over_another_file(cli, tmp_path, isolated_home):
    ref = sent_request(cli)
    reply = tmp_path / "réponse.pdf"
    reply.write_bytes(b"%PDF-1.4 reponse")
    cli("answer", ref, "--on", "2026-03-20", "--outcome", "full", "--attach", reply, ok=True)
    out = tmp_path / "copie"
    copied = cli("files", ref, "--out", out, "--json", ok=True).json()
    assert [c["name"] for c in copied] == ["réponse.pdf"] and copied[0]["written"]
    copy = out / os.path.basename(copied[0]["copy"])
    assert copy.read_bytes() == b"%PDF-1.4 reponse"
    copy.write_bytes(b"autre chose")
    clash = cli("files", ref, "--out", out)
    assert clash.exit_code == 2 and "existe déjà" in clash.stderr
    assert copy.read_bytes() == b"autre chose"
    empty = cli("files", sent_request_ref(cli), "--out", out)
    assert empty.exit_code == 0 and "aucun fichier" in empty.stderr


def sent_request_ref(cli) -> str:
    return cli("new", "--to", "1", "--subject", "Autre", "--doc", "Liste", "--json",
               ok=True).json()["reference"]
