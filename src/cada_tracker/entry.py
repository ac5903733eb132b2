"""The ``cada`` command's entry point: a Ctrl-C while cada is still starting up
(importing its modules, which can take a second on a slow machine) exits 130 with
the same French word as later, instead of Python's KeyboardInterrupt traceback.

``cada export`` to PDF starts its rendering process here, before the CLI is
imported (``pdf_service.prestart``): WeasyPrint's import overlaps Typer's."""

from __future__ import annotations

import sys


def main() -> None:
    try:
        if pdf_export(sys.argv[1:]):
            from cada_tracker.pdf_service import prestart

            prestart()
        from cada_tracker.cli.main import main as run_cli
    except KeyboardInterrupt:
        sys.stderr.write("\nInterrompu, rien n'a été enregistré.\n")
        sys.exit(130)
    run_cli()


def pdf_export(argv: list[str]) -> bool:
    """Whether ``argv`` looks like ``cada [--db URL] export …`` writing PDFs.

    A guess before the options are parsed: a wrong one only starts (then stops) a
    rendering process for nothing, or leaves it to start later, as usual."""
    i = 0
    while i < len(argv) and (argv[i] == "--db" or argv[i].startswith("--db=")):
        i += 2 if argv[i] == "--db" else 1
    rest = argv[i + 1:]
    return argv[i:i + 1] == ["export"] and not {"--html", "--help", "-h"} & set(rest)
