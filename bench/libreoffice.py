"""LibreOffice headless on the same letters as ``cada export``: the tool a user would
otherwise pick for mail-merged letters, as the floor of the letter benchmarks.

LibreOffice converts the letters' HTML, exactly as cada stores them and as
``cada export --html`` writes them (same database, same 50 letters), with
``soffice --headless --convert-to pdf`` (filter ``writer_web_pdf_Export``), in one
batch (one ``soffice`` process for all the files), in a private profile
directory created by an untimed first run: a user's LibreOffice has its profile.

Install it to compare (Debian, Ubuntu): ``apt install libreoffice-writer-nogui``.
Nothing else needs it; without ``soffice`` the benchmark says LibreOffice is absent.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path


def soffice() -> str | None:
    """The ``soffice`` command, or None when LibreOffice is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


class LibreOffice:
    """Runs ``soffice --headless --convert-to pdf`` in its own profile under ``workdir``."""

    def __init__(self, command: str, workdir: Path) -> None:
        self.command = command
        self.profile = workdir / "lo-profile"
        self.workdir = workdir

    def argv(self, sources: list[Path], outdir: Path) -> list[str]:
        return [self.command, f"-env:UserInstallation={self.profile.as_uri()}", "--headless",
                "--norestore", "--convert-to", "pdf", "--outdir", str(outdir),
                *map(str, sources)]

    def warm_up(self, source: Path) -> None:
        """First start: creates the profile (not timed; a user's LibreOffice has one)."""
        self.convert([source], self.workdir / "lo-warm-up")

    def convert(self, sources: list[Path], outdir: Path, memory=None) -> float:
        """Convert ``sources`` in one batch; the wall time. Checks every PDF is there.

        ``memory``: a class like ``letters.TreeMemory`` sampling the soffice tree."""
        shutil.rmtree(outdir, ignore_errors=True)
        outdir.mkdir(parents=True)
        t0 = time.perf_counter()
        proc = subprocess.Popen(self.argv(sources, outdir), stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)
        sampler = memory(proc.pid).__enter__() if memory is not None else None
        _, err = proc.communicate()
        seconds = time.perf_counter() - t0
        if sampler is not None:
            sampler.__exit__(None, None, None)
            self.last_peak_mb = sampler.peak_mb
        missing = [s.name for s in sources if not (outdir / f"{s.stem}.pdf").is_file()]
        if proc.returncode != 0 or missing:
            raise SystemExit(f"soffice failed (exit {proc.returncode}, missing {missing[:3]}):\n"
                             f"{err.decode(errors='replace')}")
        return seconds
