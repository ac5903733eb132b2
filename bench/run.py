"""Run cada's benchmark and print one table; exit 0 only when every judged target is met.

Every figure is a ratio to a floor measured in the same run, on the same machine,
interleaved with it (floor, figures, floor, figures…), so that a loaded or slow
machine moves both alike. Times are wall times of subprocesses, as a user waits for
them; peak memory is each process's RSS high-water mark (``wait4``). The floors:

- T = ``python -c "import typer"`` (the CLI framework): ``cada --help`` ≤ 1.2 T,
  ``cada deadlines --received 2026-01-31`` ≤ 1.5 T;
- S = ``python -c "import sqlmodel"`` (the ORM stack a database command may need),
  per database size: ``cada overdue`` ≤ 1.1 S at 100k; ``cada list`` (first page),
  ``cada show REF``, ``cada stats``, ``cada campaign show NAME`` (the campaign
  closest to 5,000 requests) and ``cada calendar`` ≤ 1.3 S each at 100k, and at 1M
  ≤ 2 S each with < 150 MB peak memory;
- C = ``python bench/floor_csv.py DB`` (the same CSV straight from sqlite3 and csv):
  ``cada list --csv --all`` ≤ 1.5 C at 100k.

At 1k and 10k the same commands are shown for information (how they grow). The
letter figures come from ``python bench/letters.py --target-rows --json`` (its rows,
ratios to LibreOffice when ``soffice`` is present, are included as they are).

This script installs nothing: it runs the ``cada`` of the interpreter that runs it
(``python -m venv`` + the lock, see the README) and reports the versions, the machine
and the load average. The databases are built once by ``bench/generate.py`` into
``bench/data/`` (1k, 10k, 100k; 1M with ``--huge``). Database commands run with
``--db sqlite:///…``, ``CADA_TODAY=2026-11-23`` and a throw-away ``CADA_HOME``; their
output goes to /dev/null. A figure whose warm-up run is already more than 3 times
over its target is not repeated (the row says 1 run): it fails either way.

    python bench/run.py                    # 1k, 10k, 100k and the letters
    python bench/run.py --huge             # and 1M (builds an 11 GB database once)
    python bench/run.py --quick --no-letters
    python bench/run.py --markdown         # the README's Performance table
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from importlib import metadata
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
DATA_DIR = BENCH_DIR / "data"
TODAY = "2026-11-23"
SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000, "1M": 1_000_000}
CAMPAIGN_SIZE = 5_000
HUGE_MB = 150  # peak memory of each database command at 1M
PACKAGES = ("cada-tracker", "typer", "click", "rich", "sqlalchemy", "sqlmodel", "pydantic",
            "alembic", "jinja2", "weasyprint", "pydyf", "holidays", "icalendar", "babel",
            "python-dateutil")
# (figure, target ratio at 100k, at 1M); None: shown, not judged.
DB_FIGURES = ("overdue", "list", "show", "stats", "campaign show", "calendar", "list --csv")
TARGETS = {"overdue": (1.1, None), "list": (1.3, 2), "show": (1.3, 2), "stats": (1.3, 2),
           "campaign show": (1.3, 2), "calendar": (1.3, 2), "list --csv": (1.5, None)}


@dataclass
class Measure:
    """One command, timed as a subprocess; ``floor`` names its floor (None: a floor)."""

    label: str
    argv: list[str]
    floor: str | None = None
    target: float | None = None
    max_mb: float | None = None
    size: str = ""
    ok_codes: tuple[int, ...] = (0,)
    times: list[float] = field(default_factory=list)
    peak_kb: int = 0
    skip: bool = False  # hopeless after its warm-up: measured once

    def run(self, env: dict[str, str]) -> float:
        t0 = time.perf_counter()
        proc = subprocess.Popen(self.argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                env=env)
        stderr = proc.stderr.read()
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        proc.stderr.close()
        if proc.returncode not in self.ok_codes:
            raise SystemExit(f"{self.label} ({self.size}): exit status {proc.returncode}\n"
                             f"{' '.join(self.argv)}\n{stderr.decode(errors='replace')}")
        self.peak_kb = max(self.peak_kb, usage.ru_maxrss)
        return elapsed


@dataclass
class Row:
    figure: str
    size: str = ""
    runs: int = 0
    median_ms: float | None = None
    peak_mb: float | None = None
    floor: str = ""
    ratio: float | None = None
    target: str = "(info)"
    passed: bool | None = None  # None: information only


# ------------------------------------------------------------------ what is measured

def cada_path() -> str:
    beside = Path(sys.executable).with_name("cada")
    if beside.exists():
        return str(beside)
    raise SystemExit(f"no cada beside {sys.executable}: run this script with the Python of "
                     "the environment where cada is installed (see the README).")


def stale_reason(path: Path) -> str | None:
    """Why a database in bench/data/ cannot be measured as it is, or None.

    One from an older schema would be upgraded by the first command timed (at 1M,
    filling its search index took minutes); one without a search index (built by a
    generator from before it filled it) is not what cada would have stored."""
    import sqlite3

    from cada_tracker.storage import SCHEMA_HEAD

    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        (revision,) = db.execute("SELECT version_num FROM alembic_version").fetchone()
        indexed = revision == SCHEMA_HEAD and db.execute(
            "SELECT 1 FROM search_entry LIMIT 1").fetchone() is not None
    except sqlite3.Error as exc:
        return f"unreadable ({exc})"
    finally:
        db.close()
    if revision != SCHEMA_HEAD:
        return f"schema {revision}, cada's is {SCHEMA_HEAD}"
    return None if indexed else "no search index"


def ensure_database(size: str, quiet: bool) -> Path:
    path = DATA_DIR / f"cada-{size.lower()}.db"
    reason = stale_reason(path) if path.exists() else None
    if reason is not None:
        print(f"rebuilding {path.name}: {reason}", file=sys.stderr, flush=True)
        path.unlink()
    if not path.exists():
        print(f"building {path.name} ({SIZES[size]} requests)…", file=sys.stderr, flush=True)
        proc = subprocess.run([sys.executable, str(BENCH_DIR / "generate.py"), "--requests",
                               str(SIZES[size]), "--out", str(path)]
                              + (["--quiet"] if quiet else []), check=False, stdout=sys.stderr)
        if proc.returncode != 0:
            raise SystemExit(f"bench/generate.py failed for {size} (exit {proc.returncode}): "
                             "see its messages above.")
    return path


def pick(path: Path) -> tuple[str, str, int]:
    """A request in the middle of the archive, and the campaign closest to 5,000."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    top = con.execute("SELECT MAX(id) FROM request").fetchone()[0]
    ref = con.execute("SELECT reference FROM request WHERE id >= ? ORDER BY id LIMIT 1",
                      (top // 2,)).fetchone()[0]
    campaigns = con.execute("SELECT campaign, COUNT(*) FROM request WHERE campaign IS NOT NULL"
                            " GROUP BY campaign").fetchall()
    con.close()
    name, count = min(campaigns, key=lambda c: (abs(c[1] - CAMPAIGN_SIZE), c[0]))
    return ref, name, count


def startup_measures(py: str, cada: str) -> list[Measure]:
    return [Measure("floor T: python -c 'import typer'", [py, "-c", "import typer"]),
            Measure("cada --help", [cada, "--help"], floor="T", target=1.2),
            Measure("cada deadlines --received 2026-01-31",
                    [cada, "deadlines", "--received", "2026-01-31"], floor="T", target=1.5)]


def db_measures(py: str, cada: str, size: str, path: Path, out_dir: Path) -> list[Measure]:
    db = ["--db", f"sqlite:///{path}"]
    ref, campaign, count = pick(path)
    ics = out_dir / f"calendar-{size}.ics"
    commands = {
        "overdue": ("cada overdue", ["overdue"], (0, 1)),
        "list": ("cada list (first page)", ["list"], (0,)),
        "show": (f"cada show {ref}", ["show", ref], (0,)),
        "stats": ("cada stats", ["stats"], (0,)),
        "campaign show": (f"cada campaign show {campaign} ({count} requests)",
                          ["campaign", "show", campaign], (0,)),
        "calendar": ("cada calendar", ["calendar", "--out", str(ics), "--force"], (0,)),
        "list --csv": ("cada list --csv --all", ["list", "--csv", "--all"], (0,)),
    }
    measures = [Measure("floor S: python -c 'import sqlmodel'", [py, "-c", "import sqlmodel"],
                        size=size),
                Measure("floor C: python bench/floor_csv.py DB",
                        [py, str(BENCH_DIR / "floor_csv.py"), str(path)], size=size)]
    for key in DB_FIGURES:
        label, args, codes = commands[key]
        at_100k, at_1m = TARGETS[key]
        target = at_100k if size == "100k" else at_1m if size == "1M" else None
        measures.append(Measure(label, [cada, *db, *args], floor="C" if key == "list --csv"
                                else "S", target=target, size=size, ok_codes=codes,
                                max_mb=HUGE_MB if size == "1M" and at_1m else None))
    return measures


def time_interleaved(measures: list[Measure], repeats: int, env: dict[str, str]) -> None:
    """One warm-up run each (page cache, .pyc files; not counted), then ``repeats``
    rounds of floor, figures, floor, figures…"""
    warm = {m.label: m.run(env) for m in measures}
    floors = {m.label.split(":")[0].removeprefix("floor ").strip(): warm[m.label]
              for m in measures if m.floor is None}
    for m in measures:
        if m.target is not None and warm[m.label] > 3 * m.target * floors[m.floor]:
            m.skip = True
            m.times.append(warm[m.label])
    for _ in range(repeats):
        for m in measures:
            if not m.skip:
                m.times.append(m.run(env))


def rows_of(measures: list[Measure]) -> list[Row]:
    floors = {m.label.split(":")[0].removeprefix("floor ").strip(): statistics.median(m.times)
              for m in measures if m.floor is None}
    rows = []
    for m in measures:
        med = statistics.median(m.times)
        row = Row(m.label, m.size, len(m.times), med * 1000, m.peak_kb / 1024)
        if m.floor is None:
            row.floor, row.ratio, row.target = "—", 1.0, "(floor)"
        else:
            row.floor = f"{m.floor} {floors[m.floor] * 1000:.0f} ms"
            row.ratio = med / floors[m.floor]
            if m.target is not None:
                row.passed = row.ratio <= m.target
                row.target = f"≤ {m.target:g}× {m.floor}"
                if m.max_mb is not None:
                    row.passed = row.passed and row.peak_mb < m.max_mb
                    row.target += f", < {m.max_mb} MB"
        rows.append(row)
    return rows


def letter_rows(quick: bool) -> list[Row]:
    """bench/letters.py's own judged rows, as they are; missing rows fail."""
    argv = [sys.executable, str(BENCH_DIR / "letters.py"), "--target-rows", "--json"]
    proc = subprocess.run(argv + (["--quick"] if quick else []), capture_output=True,
                          text=True, check=False)
    try:
        data = json.loads(proc.stdout) if proc.returncode in (0, 1) else None
    except ValueError:
        data = None
    if not isinstance(data, list) or not data:
        why = (proc.stderr.strip().splitlines() or ["no output"])[-1][:100]
        return [Row("letters: figures missing (bench/letters.py --target-rows --json: "
                    f"{why})", target="letter targets", passed=False)]
    rows = []
    for item in data:
        unit = item.get("unit", "")
        value = item.get("value")
        floor = item.get("floor") or "—"
        if item.get("floor_value") is not None:
            floor += f" {item['floor_value']:g} {unit}"
        rows.append(Row(f"letters: {item['figure']} ({value:g} {unit})"
                        if isinstance(value, (int, float)) else f"letters: {item['figure']}",
                        ratio=item.get("ratio"), floor=floor,
                        target=item.get("target") or "(info)", passed=item.get("passed")))
    return rows


# ------------------------------------------------------------------ what it ran on

def versions() -> str:
    found = [f"Python {platform.python_version()}"]
    for name in PACKAGES:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            if name == "click":
                found.append("click (vendored in typer)")
    try:
        direct = metadata.distribution("cada-tracker").read_text("direct_url.json") or "{}"
        editable = json.loads(direct).get("dir_info", {}).get("editable", False)
    except metadata.PackageNotFoundError:
        editable = False
    found.append("cada installed editable (source tree)" if editable else "cada installed "
                 "as a wheel")
    return ", ".join(found)


def harfbuzz() -> str:
    code = "from cada_tracker.pdf import harfbuzz_subset_available as h; print(h())"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False)
    return {"True": "yes", "False": "NO (font subsetting 5× slower)"}.get(
        proc.stdout.strip(), "unknown")


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
            f"{date.today().isoformat()}")


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


# ------------------------------------------------------------------ output

HEADERS = ["figure", "size", "runs", "median", "peak", "floor", "ratio", "target", "result"]


def cells(rows: list[Row]) -> list[list[str]]:
    return [[r.figure, r.size or "—", str(r.runs) if r.runs else "—",
             "—" if r.median_ms is None else f"{r.median_ms:.0f} ms",
             "—" if r.peak_mb is None else f"{r.peak_mb:.0f} MB", r.floor or "—",
             "—" if r.ratio is None else f"{r.ratio:.2f}", r.target,
             "—" if r.passed is None else ("pass" if r.passed else "FAIL")] for r in rows]


def print_markdown(rows: list[Row], notes: list[str]) -> None:
    print("| " + " | ".join(HEADERS) + " |")
    print("|" + "|".join(["---", "---", "---:", "---:", "---:", "---", "---:", "---", "---"])
          + "|")
    for line in cells(rows):
        print("| " + " | ".join(c.replace("|", "\\|") for c in line) + " |")
    print()
    for note in notes:
        print(f"- {note}")


def print_rich(rows: list[Row], notes: list[str]) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(title="cada benchmark", title_justify="left")
    for i, h in enumerate(HEADERS):
        table.add_column(h, justify="right" if i in (2, 3, 4, 6) else "left")
    for r, line in zip(rows, cells(rows), strict=True):
        style = "" if r.passed is None else ("green" if r.passed else "bold red")
        table.add_row(*[Text(c) for c in line[:-1]], Text(line[-1], style=style))
    console = Console(width=max(150, os.get_terminal_size(sys.stdout.fileno()).columns
                                if sys.stdout.isatty() else 150))
    console.print(table)
    for note in notes:
        console.print(Text(note))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 repetitions instead of 5")
    parser.add_argument("--repeats", type=int, help="repetitions of each command")
    parser.add_argument("--huge", action="store_true", help="add the 1M database")
    parser.add_argument("--sizes", help="comma-separated sizes among 1k,10k,100k,1M")
    parser.add_argument("--no-letters", action="store_true", help="skip the letter rows")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args(argv)
    repeats = args.repeats or (3 if args.quick else 5)
    sizes = args.sizes.split(",") if args.sizes else ["1k", "10k", "100k"] + (
        ["1M"] if args.huge else [])
    if unknown := [s for s in sizes if s not in SIZES]:
        parser.error(f"unknown size(s): {', '.join(unknown)}")

    t0 = time.perf_counter()
    start_load = load()
    py, cada = sys.executable, cada_path()
    paths = {size: ensure_database(size, quiet=args.markdown) for size in sizes}
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="cada-bench-") as tmp:
        env = {**os.environ, "CADA_HOME": str(Path(tmp) / "home"), "CADA_TODAY": TODAY}
        for name in ("CADA_DATABASE_URL", "PYTHONDONTWRITEBYTECODE", "NO_COLOR"):
            env.pop(name, None)  # an installed package has its .pyc files: so does this run
        groups = [startup_measures(py, cada)] + [
            db_measures(py, cada, size, path, Path(tmp)) for size, path in paths.items()]
        for group in groups:
            time_interleaved(group, repeats, env)
            rows += rows_of(group)
    if not args.no_letters:
        rows += letter_rows(args.quick)
    judged = [r for r in rows if r.passed is not None]
    failed = [r for r in judged if not r.passed]
    notes = [
        f"Machine: {machine()}; load average {start_load} at the start, {load()} at the end.",
        f"Versions: {versions()}; harfbuzz-subset: {harfbuzz()}.",
        f"{repeats} interleaved runs per figure after one warm-up run (medians; peak = "
        f"largest RSS of the runs); {len(judged) - len(failed)}/{len(judged)} targets met; "
        f"whole run {time.perf_counter() - t0:.0f} s.",
    ]
    (print_markdown if args.markdown else print_rich)(rows, notes)
    return 1 if failed or not judged else 0


if __name__ == "__main__":
    sys.exit(main())
