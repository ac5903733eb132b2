"""``cada export`` through the CLI, as a user runs it, against LibreOffice headless.

Databases of 50 and 500 requests are built by ``bench/generate.py`` (letters as
``cada new`` stores them) in a temporary folder; every request is put in one
campaign so that ``cada export --campaign`` selects them all. Figures, all
measured in this run, interleaved (LibreOffice, cada, LibreOffice, cada…):

- 50 separate letters, ``cada export --campaign … --jobs 2``: letters per second
  (the whole command: start-up, database, rendering, files written), against
  LibreOffice converting the same 50 letters (``cada export --html`` of the same
  database) in one batch (see ``libreoffice.py``): target ≥ 2× LibreOffice;
- one letter, cold ``cada export REF``: seconds, against LibreOffice converting
  that letter alone: target ≤ 0.5× LibreOffice;
- 500 letters, ``cada export --campaign …`` (default workers): the peak of the
  summed proportional set sizes of the command and all its processes
  (``letters.TreeMemory``): target < 150 MB.

Timed runs are not sampled: peak memories (500 letters; 50 letters, for
information, cada's and LibreOffice's) come from runs of their own.

    python bench/letters.py --target-rows --json [--quick]
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
CAMPAIGN = "bench-courriers"
TODAY = "2026-11-23"


def build_db(path: Path, requests: int) -> list[str]:
    """A database of ``requests`` requests, all in :data:`CAMPAIGN`; their references."""
    subprocess.run([sys.executable, str(BENCH_DIR / "generate.py"), "--requests", str(requests),
                    "--out", str(path), "--administrations", str(min(2000, max(50, requests))),
                    "--jobs", "1", "--quiet", "--verify", "0"], check=True, stdout=sys.stderr)
    con = sqlite3.connect(path)
    with con:
        con.execute("UPDATE request SET campaign = ?", (CAMPAIGN,))
    refs = [r for (r,) in con.execute("SELECT reference FROM request ORDER BY id")]
    con.close()
    return refs


class Cada:
    """``cada --db … export …`` as a subprocess, with a throw-away CADA_HOME."""

    def __init__(self, workdir: Path) -> None:
        py = Path(sys.executable)
        self.cada = shutil.which("cada", path=str(py.parent)) or shutil.which("cada") or "cada"
        self.env = {**os.environ, "CADA_HOME": str(workdir / "home"), "CADA_TODAY": TODAY}
        (workdir / "home").mkdir(exist_ok=True)

    def export(self, db: Path, args: list[str], out: Path, expect: int, memory=None):
        """Run one export into a fresh ``out``; (seconds, peak MB or None)."""
        shutil.rmtree(out, ignore_errors=True)
        t0 = time.perf_counter()
        proc = subprocess.Popen([self.cada, "--db", f"sqlite:///{db}", "export", *args,
                                 "--out", str(out)], env=self.env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        sampler = memory(proc.pid).__enter__() if memory is not None else None
        _, err = proc.communicate()
        seconds = time.perf_counter() - t0
        if sampler is not None:
            sampler.__exit__(None, None, None)
        written = len(list(out.glob("*.pdf"))) + len(list(out.glob("*.html")))
        if proc.returncode != 0 or written != expect:
            raise SystemExit(f"cada export {' '.join(args[:3])}: exit {proc.returncode}, "
                             f"{written}/{expect} files\n{err.decode(errors='replace')}")
        return seconds, (sampler.peak_mb if sampler is not None else None)


def measure(quick: bool) -> dict:
    from letters import TreeMemory  # bench/letters.py
    from libreoffice import LibreOffice, soffice

    repeats = 2 if quick else 3
    with tempfile.TemporaryDirectory(prefix="cada-bench-cli-") as tmp:
        work = Path(tmp)
        db50, db500 = work / "cada-50.db", work / "cada-500.db"
        refs50 = build_db(db50, 50)
        build_db(db500, 500)
        cada = Cada(work)
        html = work / "html50"
        cada.export(db50, ["--campaign", CAMPAIGN, "--html"], html, 50)
        sources = sorted(html.glob("*.html"))
        one_ref, one_source = refs50[0], next(s for s in sources if s.name.startswith(refs50[0]))
        command = soffice()
        lo = LibreOffice(command, work) if command else None
        if lo is not None:
            lo.warm_up(one_source)
        batch = ["--campaign", CAMPAIGN, "--jobs", "2"]
        cada.export(db50, batch, work / "warm", 50)  # page cache, .pyc files: not counted
        t = {"cada50": [], "cada1": [], "lo50": [], "lo1": [], "cada50_mb": [], "lo50_mb": []}
        for _ in range(repeats):
            if lo is not None:
                t["lo50"].append(lo.convert(sources, work / "lo50"))
            t["cada50"].append(cada.export(db50, batch, work / "cada50", 50)[0])
            if lo is not None:
                t["lo1"].append(lo.convert([one_source], work / "lo1"))
            t["cada1"].append(cada.export(db50, [one_ref], work / "cada1", 1)[0])
        # Memory in runs of their own: the sampler reads every process's smaps_rollup
        # every 10 ms (a fifth of a core, and it holds their memory maps' lock), which
        # slowed the timed runs, more so with more processes.
        if lo is not None:
            lo.convert(sources, work / "lo50", TreeMemory)
            t["lo50_mb"].append(lo.last_peak_mb)
        t["cada50_mb"].append(cada.export(db50, batch, work / "cada50", 50, TreeMemory)[1])
        _, peak500 = cada.export(db500, ["--campaign", CAMPAIGN], work / "cada500", 500,
                                 TreeMemory)
    med = {k: statistics.median(v) if v else None for k, v in t.items()}
    med["cada500_mb"] = peak500
    med["soffice"] = command
    return med


def target_rows(quick: bool = False) -> list[dict]:
    """The rows ``bench/run.py`` prints as they are."""
    m = measure(quick)
    present = m["soffice"] is not None
    absent = "LibreOffice absent (apt install libreoffice-writer-nogui to compare)"
    rate, lo_rate = 50 / m["cada50"], (50 / m["lo50"] if present else None)
    rows = [
        _row("letters/s, 50 separate, cada export --jobs 2", rate, "/s",
             "LibreOffice headless, same 50 letters, one batch", lo_rate,
             "≥ 2× LibreOffice", lambda r: r >= 2, absent=absent),
        _row("one letter, cold cada export REF", m["cada1"], "s",
             "LibreOffice headless, that letter", m["lo1"],
             "≤ 0.5× LibreOffice", lambda r: r <= 0.5, absent=absent),
        {"figure": "peak memory, 500 letters, cada export, all processes",
         "value": m["cada500_mb"], "unit": "MB", "floor": None, "floor_value": None,
         "ratio": None, "target": "< 150 MB", "passed": m["cada500_mb"] < 150},
        _info("peak memory, 50 letters, cada export --jobs 2, all processes",
              m["cada50_mb"], "MB"),
    ]
    if present:
        rows += [_info("LibreOffice headless: 50 letters, one batch", lo_rate, "/s"),
                 _info("LibreOffice headless: one letter", m["lo1"], "s"),
                 _info("LibreOffice headless: peak memory, 50 letters", m["lo50_mb"], "MB")]
    return rows


def _row(figure, value, unit, floor, floor_value, target, ok, *, absent) -> dict:
    if floor_value is None:
        return {"figure": figure, "value": value, "unit": unit, "floor": None,
                "floor_value": None, "ratio": None, "target": f"{target}: {absent}",
                "passed": None}
    ratio = value / floor_value
    return {"figure": figure, "value": value, "unit": unit, "floor": floor,
            "floor_value": floor_value, "ratio": ratio, "target": target, "passed": ok(ratio)}


def _info(figure, value, unit) -> dict:
    return {"figure": figure, "value": value, "unit": unit, "floor": None, "floor_value": None,
            "ratio": None, "target": "(information)", "passed": None}


def print_rows(rows: list[dict]) -> None:
    for r in rows:
        value = "—" if r["value"] is None else f"{r['value']:.2f} {r['unit']}"
        floor = "" if r["floor_value"] is None else f"  vs {r['floor_value']:.2f} {r['unit']}"
        ratio = "" if r["ratio"] is None else f"  = {r['ratio']:.2f}×"
        mark = {True: "ok", False: "FAILED", None: ""}[r["passed"]]
        print(f"{r['figure']}: {value}{floor}{ratio}  [{r['target']}] {mark}")
