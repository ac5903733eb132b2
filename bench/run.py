"""Run every cada benchmark and print one table; exit 0 when every target is met.

Timings are wall times of subprocesses, as a user waits for them, and each one is
judged as a ratio to a floor measured in the same run, on the same machine,
interleaved with it (floor, figure, floor, figure…) so that a noisy or slow
machine moves both alike:

- floor A = ``python -c pass`` (the interpreter's start-up):
  ``cada --help`` ≤ 15 × A, ``cada deadlines --received 2026-01-31`` ≤ 15 × A;
- floor B = ``python -c "import sqlmodel"`` (the ORM every database command needs):
  ``cada overdue`` on 100 000 requests ≤ 1.6 × B,
  ``cada list --csv --all`` on 10 000 requests ≤ 2.5 × B;
- PDF (``bench/letters.py``, absolute targets): 500 letters merged in one PDF
  ≥ 30 letters/s, 500 separate PDFs ≥ 20 letters/s, peak memory < 200 MB (the
  peak of the proportional set sizes of the process and its workers), judged as
  ``cada export`` runs them: with ``pdf.default_workers()`` processes
  (``--pdf-workers N`` changes it); without ``--quick``, the single-process
  renderer is shown too, for information.

Ratios use the medians; min and max show the spread. The databases are built by
``bench/generate.py`` when missing (``bench/data/``). Database commands run with
``--db sqlite:///…``, ``CADA_TODAY=2026-11-23`` and a throw-away ``CADA_HOME``;
their output goes to /dev/null (``cada overdue`` exits 1 when there is something
to do: that is its normal answer here).

    python bench/run.py              # about 2 minutes on 2 cores
    python bench/run.py --quick      # fewer repetitions
    python bench/run.py --markdown   # a table to paste in the README
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
DATA_DIR = BENCH_DIR / "data"
DB_100K = DATA_DIR / "cada-100k.db"
DB_10K = DATA_DIR / "cada-10k.db"
TODAY = "2026-11-23"


@dataclass
class Command:
    """A command timed as a subprocess; ``floor`` names the floor it is judged against."""

    name: str
    argv: list[str]
    floor: str | None = None
    target: float | None = None  # maximum ratio to the floor
    ok_codes: tuple[int, ...] = (0,)
    times: list[float] = field(default_factory=list)

    def run(self, env: dict[str, str]) -> float:
        t0 = time.perf_counter()
        proc = subprocess.run(self.argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              env=env, check=False)
        elapsed = time.perf_counter() - t0
        if proc.returncode not in self.ok_codes:
            raise SystemExit(f"{self.name}: exit status {proc.returncode}\n"
                             f"{' '.join(self.argv)}\n{proc.stderr.decode(errors='replace')}")
        return elapsed


@dataclass
class Row:
    figure: str
    median: float | None
    min: float | None = None
    max: float | None = None
    unit: str = "ms"
    floor: str = ""
    ratio: float | None = None
    target: str = ""
    passed: bool | None = None  # None: information only


def ensure_databases(quiet: bool) -> None:
    for path, count in ((DB_100K, 100_000), (DB_10K, 10_000)):
        if path.exists():
            continue
        print(f"building {path.name} ({count} requests)…", file=sys.stderr, flush=True)
        subprocess.run([sys.executable, str(BENCH_DIR / "generate.py"), "--requests", str(count),
                        "--out", str(path)] + (["--quiet"] if quiet else []),
                       check=True, stdout=sys.stderr)


def commands() -> list[Command]:
    py = sys.executable
    cada = shutil.which("cada") or str(Path(py).with_name("cada"))
    return [
        Command("floor A: python -c pass", [py, "-c", "pass"]),
        Command("cada --help", [cada, "--help"], floor="A", target=15),
        Command("cada deadlines --received 2026-01-31",
                [cada, "deadlines", "--received", "2026-01-31"], floor="A", target=15),
        Command("floor B: python -c 'import sqlmodel'", [py, "-c", "import sqlmodel"]),
        Command("cada overdue (100k requests)",
                [cada, "--db", f"sqlite:///{DB_100K}", "overdue"], floor="B", target=1.6,
                ok_codes=(0, 1)),
        Command("cada list --csv --all (10k requests)",
                [cada, "--db", f"sqlite:///{DB_10K}", "list", "--csv", "--all"], floor="B",
                target=2.5),
    ]


def time_commands(cmds: list[Command], repeats: int, env: dict[str, str]) -> None:
    for cmd in cmds:  # warm-up: page cache, .pyc files; not counted
        cmd.run(env)
    for _ in range(repeats):  # interleaved: floor, figures, floor, figures…
        for cmd in cmds:
            cmd.times.append(cmd.run(env))


def command_rows(cmds: list[Command]) -> list[Row]:
    floors = {c.name.split(":")[0].removeprefix("floor ").strip(): statistics.median(c.times)
              for c in cmds if c.floor is None}
    rows = []
    for c in cmds:
        med = statistics.median(c.times)
        if c.floor is None:
            rows.append(Row(c.name, med * 1000, min(c.times) * 1000, max(c.times) * 1000,
                            floor="—", ratio=1.0, target="(floor)"))
            continue
        ratio = med / floors[c.floor]
        rows.append(Row(c.name, med * 1000, min(c.times) * 1000, max(c.times) * 1000,
                        floor=f"{c.floor} {floors[c.floor] * 1000:.0f} ms", ratio=ratio,
                        target=f"≤ {c.target:g}× {c.floor}", passed=ratio <= c.target))
    return rows


def run_letters(count: int, workers: int) -> dict:
    proc = subprocess.run([sys.executable, str(BENCH_DIR / "letters.py"), "--json",
                           "--letters", str(count), "--workers", str(workers)],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"bench/letters.py failed:\n{proc.stderr}")
    return json.loads(proc.stdout)


def letter_rows(count: int, workers: int = 0) -> tuple[list[Row], dict]:
    """The judged PDF figures (``workers`` processes; 0: as the CLI, 1: one process)."""
    data = run_letters(count, workers)
    s = data["scenarios"]
    how = f", {data['workers']} process(es)"
    rows = [
        Row("PDF: first letter, cold (s)", s["cold"]["seconds"], unit="s", target="(info)"),
        Row(f"PDF: {count} merged{how} (letters/s)", s["merged"]["letters_per_s"], unit="/s",
            target="≥ 30/s", passed=s["merged"]["letters_per_s"] >= 30),
        Row(f"PDF: {count} separate{how} (letters/s)", s["separate"]["letters_per_s"],
            unit="/s", target="≥ 20/s", passed=s["separate"]["letters_per_s"] >= 20),
        Row(f"PDF: peak memory{how} (MB, all processes)", data["peak_total_mb"], unit="MB",
            target="< 200 MB", passed=data["peak_total_mb"] < 200),
    ]
    return rows, data


def single_process_rows(count: int) -> list[Row]:
    """Information: the same batches rendered in one process (no workers)."""
    data = run_letters(count, 1)
    s = data["scenarios"]
    return [
        Row(f"PDF: {count} merged, 1 process (letters/s)", s["merged"]["letters_per_s"],
            unit="/s", target="(info)"),
        Row(f"PDF: {count} separate, 1 process (letters/s)", s["separate"]["letters_per_s"],
            unit="/s", target="(info)"),
        Row("PDF: peak memory, 1 process (MB)", data["peak_total_mb"], unit="MB",
            target="(info)"),
    ]


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "ms":
        return f"{value:.0f} ms"
    if unit == "s":
        return f"{value:.2f} s"
    if unit == "/s":
        return f"{value:.1f}"
    return f"{value:.0f} MB"


HEADERS = ["figure", "median", "min", "max", "floor", "ratio", "target", "result"]


def table_cells(rows: list[Row]) -> list[list[str]]:
    cells = []
    for r in rows:
        result = "—" if r.passed is None else ("pass" if r.passed else "FAIL")
        cells.append([r.figure, fmt(r.median, r.unit), fmt(r.min, r.unit), fmt(r.max, r.unit),
                      r.floor or "—", "—" if r.ratio is None else f"{r.ratio:.2f}",
                      r.target, result])
    return cells


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        from importlib.metadata import version

        cada = version("cada-tracker")
    except Exception:  # noqa: BLE001 - only a label
        cada = "?"
    return (f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}, cada {cada}, {date.today().isoformat()}")


def print_markdown(rows: list[Row], extra: str) -> None:
    print(f"Machine: {machine()}.")
    print()
    print("| " + " | ".join(HEADERS) + " |")
    print("|" + "|".join(["---"] + ["---:"] * 5 + ["---", "---"]) + "|")
    for cells in table_cells(rows):
        print("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    print()
    print(extra)


def print_rich(rows: list[Row], extra: str) -> None:
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:
        widths = [max(len(h), *(len(c[i]) for c in table_cells(rows))) for i, h in enumerate(HEADERS)]
        for cells in [HEADERS] + table_cells(rows):
            print("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)))
        print(extra)
        return
    table = Table(title="cada benchmarks", title_justify="left")
    for i, h in enumerate(HEADERS):
        table.add_column(h, justify="right" if 1 <= i <= 5 else "left", no_wrap=i > 0)
    for r, cells in zip(rows, table_cells(rows), strict=True):
        style = None if r.passed is None else ("green" if r.passed else "bold red")
        table.add_row(*cells[:-1], f"[{style}]{cells[-1]}[/]" if style else cells[-1])
    console = Console(width=max(140, shutil.get_terminal_size().columns))
    console.print(table)
    console.print(f"Machine: {machine()}.")
    console.print(extra)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="5 repetitions instead of 15")
    parser.add_argument("--repeats", type=int, help="repetitions of each command")
    parser.add_argument("--letters", type=int, default=500, help="letters per PDF batch (500)")
    parser.add_argument("--pdf-workers", type=int, default=0,
                        help="processes for the judged PDF batches (0: as the CLI; 1: one)")
    parser.add_argument("--no-pdf", action="store_true", help="skip the PDF benchmarks")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args(argv)
    repeats = args.repeats or (5 if args.quick else 15)

    t0 = time.perf_counter()
    ensure_databases(quiet=args.markdown)
    with tempfile.TemporaryDirectory(prefix="cada-bench-home-") as home:
        env = {**os.environ, "CADA_HOME": home, "CADA_TODAY": TODAY}
        env.pop("CADA_DATABASE_URL", None)
        cmds = commands()
        time_commands(cmds, repeats, env)
    rows = command_rows(cmds)
    harfbuzz = ""
    if not args.no_pdf:
        pdf_rows, data = letter_rows(args.letters, args.pdf_workers)
        rows += pdf_rows
        if not args.quick and args.pdf_workers != 1:
            rows += single_process_rows(args.letters)
        harfbuzz = f"; harfbuzz-subset: {'yes' if data['harfbuzz_subset'] else 'no'}"
    elapsed = time.perf_counter() - t0
    judged = [r for r in rows if r.passed is not None]
    failed = [r for r in judged if not r.passed]
    extra = (f"{repeats} interleaved runs per command (medians, after one warm-up run){harfbuzz}; "
             f"{len(judged) - len(failed)}/{len(judged)} targets met; whole run {elapsed:.0f} s.")
    (print_markdown if args.markdown else print_rich)(rows, extra)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
