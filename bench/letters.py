"""PDF throughput of cada's letters: letters per second and peak memory.

Three scenarios, each in a fresh Python process (so that its peak memory, the
RSS high-water mark ``VmHWM``, belongs to that scenario alone and nothing is
warm that a user's command would not have warm):

- ``cold``: ONE letter, timed from the creation of ``cada_tracker.pdf.Renderer``
  (which imports WeasyPrint, loads fonts and parses ``lettre.css``) to the PDF on
  disk: what a user waits for with ``cada remind`` / ``cada refer``.
- ``merged``: N letters (default 500) in ONE PDF with ``Renderer.write_merged``
  (a campaign's batch to print).
- ``separate``: N letters, one PDF each, with ``Renderer.write_pdf``.

Batch timings include the Renderer creation and the Jinja rendering of each letter
(``cada_tracker.letters.render``), i.e. the whole job; the breakdown is printed too.
``--workers 1`` (the default) renders in the one process (``write_merged`` /
``write_pdf``); ``--workers N`` (0: ``pdf_workers.default_workers()``, what the CLI uses for
batches of more than 10 letters) passes ``workers=N`` to ``write_merged`` and
writes separate PDFs with ``write_many``. Memory: ``peak_rss_mb`` is the largest
single process (``VmHWM``, ``RUSAGE_CHILDREN``); ``peak_total_mb`` is the peak of
the proportional set sizes of the process and its workers, sampled every 10 ms
(shared pages counted once): the memory the batch takes on the machine.
Each letter has its own recipient (names and towns with accents), subject and
documents (some with « € »), built like ``services.letter_context`` builds them.

    python bench/letters.py                 # 500 letters, a table
    python bench/letters.py --letters 100 --json
    python bench/letters.py --target-rows --json [--quick]   # cada export vs LibreOffice
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

SCENARIOS = ("cold", "merged", "separate")

FIRST_NAMES = ["Mairie de", "Communauté de communes de", "Centre hospitalier de",
               "Syndicat des eaux de", "Préfecture de", "Conseil départemental de"]
TOWNS = ["Saint-Étienne", "Besançon", "Orléans", "Nîmes", "Chambéry", "Évreux", "Mâcon",
         "Épinal", "Sèvres", "Pézenas", "Lœuilly", "Aÿ", "Gérardmer", "Châtellerault",
         "Villeneuve-d'Ascq", "Pointe-à-Pitre", "L'Haÿ-les-Roses", "Montréal-la-Cluse",
         "Bourg-en-Bresse", "Fréjus", "Hyères", "Créteil", "Vénissieux", "Périgueux"]
ADDRESSEES = ["Monsieur le maire", "Madame la maire", "Madame la présidente",
              "Monsieur le directeur", "Monsieur le préfet", None]
SUBJECTS = ["Vidéosurveillance algorithmique", "Budget de la vidéoprotection (en €)",
            "Drones de la police municipale", "Marchés publics — capteurs sonores",
            "Qualité de l'air : rejets déclarés", "Frais de représentation des élus (€)"]
DOCUMENTS = ["Liste et localisation des caméras, avec leur date de mise en service",
             "Marché de maintenance (CCAP & CCTP)", "Délibérations du conseil municipal",
             "Factures acquittées (montants en €, HT et TTC)", "Analyse d'impact (AIPD)",
             "Convention de financement État–commune", "Registre des accès aux images"]


def context_for(i: int) -> dict:
    """The context of letter ``i``: a different recipient, subject and documents."""
    town = TOWNS[i % len(TOWNS)]
    name = f"{FIRST_NAMES[i % len(FIRST_NAMES)]} {town}"
    if i >= len(TOWNS):
        name += f" (site n° {i})"
    n_docs = 1 + i % 5
    return {
        "sender": {"name": "Observatoire citoyen des libertés",
                   "address_lines": ["12 rue de la Paix", "69003 Lyon"],
                   "email": "contact@observatoire.example", "city": "Lyon"},
        "recipient": {
            "name": name,
            "addressee": ADDRESSEES[i % len(ADDRESSEES)],
            "street_lines": [f"{1 + i % 97} place de l'Hôtel de ville", "Service courrier"],
            "postcode": f"{1000 + (i * 37) % 94000:05d}",
            "city": town,
            "email": f"contact{i}@mairie.example",
            "prada_name": "Service des affaires juridiques" if i % 3 == 0 else None,
            "prada_email": f"prada{i}@mairie.example" if i % 4 == 0 else None,
        },
        "request": {
            "reference": f"2026-{i + 1:04d}",
            "subject": SUBJECTS[i % len(SUBJECTS)],
            "mode": ("email", "paper", "consultation")[i % 3],
            "regime": "general",
            "campaign": "bench-2026",
            "documents": [{"position": p, "description": DOCUMENTS[(i + p) % len(DOCUMENTS)],
                           "outcome": "pending"} for p in range(1, n_docs + 1)],
            "sent_on": None, "received_on": None, "channel": None, "tracking": None,
        },
        "letter": {"date": date(2026, 3, 2) + timedelta(days=i % 20), "place": "Lyon",
                   "tracking": None},
    }


def peak_rss_mb() -> float:
    """This process's RSS high-water mark (VmHWM), in MB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


class TreeMemory:
    """Peak memory of a process (this one by default) and all its descendants,
    sampled every 10 ms.

    Sums each process's proportional set size (``Pss`` in
    ``/proc/PID/smaps_rollup``): pages shared by forked workers (WeasyPrint, the
    fonts, the stylesheet) count once in all, so the sum is the memory the batch
    really takes. Falls back to RSS where ``smaps_rollup`` is missing.
    """

    def __init__(self, root: int | None = None) -> None:
        import threading

        self.root = os.getpid() if root is None else root
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    def _run(self) -> None:
        while not self._stop.wait(0.01):
            self._sample()

    def _sample(self) -> None:
        total = sum(self._pss_kb(pid) for pid in self._tree(self.root))
        self.peak_mb = max(self.peak_mb, total / 1024)

    @staticmethod
    def _tree(pid: int) -> list[int]:
        pids, todo = [], [pid]
        while todo:
            current = todo.pop()
            pids.append(current)
            for task in Path(f"/proc/{current}/task").glob("*/children"):
                try:
                    todo.extend(int(c) for c in task.read_text().split())
                except OSError:
                    pass
        return pids

    @staticmethod
    def _pss_kb(pid: int) -> int:
        for name, key in (("smaps_rollup", "Pss:"), ("status", "VmRSS:")):
            try:
                for line in Path(f"/proc/{pid}/{name}").read_text().splitlines():
                    if line.startswith(key):
                        return int(line.split()[1])
            except (OSError, ValueError):
                continue
        return 0


# ------------------------------------------------------------------- one scenario (child)

def children_peak_rss_mb() -> float:
    """The largest RSS high-water mark of this process's finished children, in MB."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def resolve_workers(workers: int) -> int:
    if workers > 0:
        return workers
    try:
        from cada_tracker.pdf_workers import default_workers
    except ImportError:
        return 1
    return default_workers()


def run_scenario(name: str, count: int, template: str, workdir: Path, workers: int = 1) -> dict:
    from cada_tracker import letters

    letters.render(template, context_for(0))  # the Jinja environment is not what we measure
    n = 1 if name == "cold" else count
    t0 = time.perf_counter()
    from cada_tracker.pdf import Renderer

    renderer = Renderer()
    t_renderer = time.perf_counter() - t0
    t_html = 0.0

    def htmls():
        nonlocal t_html
        for i in range(n):
            t = time.perf_counter()
            html = letters.render(template, context_for(i))
            t_html += time.perf_counter() - t
            yield html

    parallel = {"workers": workers} if workers > 1 else {}
    memory = TreeMemory().__enter__()
    if name == "merged":
        target = workdir / "merged.pdf"
        renderer.write_merged(target, htmls(), **parallel)
        size = target.stat().st_size
    elif name == "separate" and workers > 1:
        renderer.write_many(((workdir / f"letter-{i:04d}.pdf", html)
                             for i, html in enumerate(htmls())), **parallel)
        size = sum(p.stat().st_size for p in workdir.glob("letter-*.pdf"))
    else:
        size = 0
        for i, html in enumerate(htmls()):
            target = workdir / f"letter-{i:04d}.pdf"
            renderer.write_pdf(target, html)
            size += target.stat().st_size
    seconds = time.perf_counter() - t0
    memory.__exit__(None, None, None)
    if renderer.refused:
        raise SystemExit(f"resources refused: {renderer.refused}")
    return {"scenario": name, "letters": n, "seconds": seconds,
            "letters_per_s": n / seconds, "renderer_s": t_renderer, "html_s": t_html,
            "pdf_mb": size / 1e6, "workers": workers if name != "cold" else 1,
            "peak_rss_mb": max(peak_rss_mb(), children_peak_rss_mb()),
            "parent_peak_rss_mb": peak_rss_mb(), "worker_peak_rss_mb": children_peak_rss_mb(),
            "peak_total_mb": memory.peak_mb}


# ------------------------------------------------------------------------ orchestration

def measure(count: int, template: str = "demande", scenarios=SCENARIOS, workers: int = 1) -> dict:
    """Every scenario in its own subprocess; returns the JSON document."""
    from cada_tracker.pdf import harfbuzz_subset_available

    results = {}
    with tempfile.TemporaryDirectory(prefix="cada-bench-letters-") as tmp:
        for name in scenarios:
            workdir = Path(tmp) / name
            workdir.mkdir()
            proc = subprocess.run(
                [sys.executable, __file__, "--child", name, "--letters", str(count),
                 "--template", template, "--workdir", str(workdir),
                 "--workers", str(workers)],
                capture_output=True, text=True, check=False,
            )
            if proc.returncode != 0:
                raise SystemExit(f"scenario {name} failed:\n{proc.stderr}")
            results[name] = json.loads(proc.stdout.strip().splitlines()[-1])
    return {
        "letters": count,
        "template": template,
        "workers": workers,
        "harfbuzz_subset": harfbuzz_subset_available(),
        "scenarios": results,
        "peak_rss_mb": max(r["peak_rss_mb"] for r in results.values()),
        "peak_total_mb": max(r["peak_total_mb"] for r in results.values()),
    }


def print_table(data: dict) -> None:
    print(f"{data['letters']} letters, template « {data['template']} », "
          f"workers {data['workers']}, "
          f"harfbuzz-subset: {'yes' if data['harfbuzz_subset'] else 'NO (slow font subsetting)'}")
    header = f"{'scenario':<10} {'letters':>7} {'seconds':>8} {'letters/s':>10} " \
             f"{'renderer s':>10} {'jinja s':>8} {'PDF MB':>7} {'peak RSS MB':>11}"
    print(header)
    print("-" * len(header))
    for r in data["scenarios"].values():
        print(f"{r['scenario']:<10} {r['letters']:>7} {r['seconds']:>8.2f} "
              f"{r['letters_per_s']:>10.1f} {r['renderer_s']:>10.2f} {r['html_s']:>8.2f} "
              f"{r['pdf_mb']:>7.1f} {r['peak_rss_mb']:>11.0f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--letters", type=int, default=500, help="letters per batch (500)")
    parser.add_argument("--template", default="demande", help="letter template (demande)")
    parser.add_argument("--scenario", action="append", choices=SCENARIOS,
                        help="only this scenario (repeatable)")
    parser.add_argument("--workers", type=int, default=1,
                        help="processes for the batches (1; 0: pdf_workers.default_workers(), as the CLI)")
    parser.add_argument("--json", action="store_true", help="print JSON (for bench/run.py)")
    parser.add_argument("--target-rows", action="store_true",
                        help="the target rows through the CLI vs LibreOffice (letters_cli.py)")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (--target-rows)")
    parser.add_argument("--child", choices=SCENARIOS, help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.target_rows:
        from letters_cli import print_rows, target_rows

        rows = target_rows(args.quick)
        if args.json:
            print(json.dumps(rows, indent=2))
        else:
            print_rows(rows)
        return 0
    if args.child:
        print(json.dumps(run_scenario(args.child, args.letters, args.template, args.workdir,
                                      args.workers)))
        return 0
    data = measure(args.letters, args.template, tuple(args.scenario or SCENARIOS),
                   resolve_workers(args.workers))
    if args.json:
        print(json.dumps(data, indent=2))
    else:
        print_table(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
