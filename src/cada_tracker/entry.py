"""The ``cada`` command's entry point: a Ctrl-C while cada is still starting up
(importing its modules, which can take a second on a slow machine) exits 130 with
the same French word as later, instead of Python's KeyboardInterrupt traceback."""

from __future__ import annotations

import sys


def main() -> None:
    try:
        from cada_tracker.cli.main import main as run_cli
    except KeyboardInterrupt:
        sys.stderr.write("\nInterrompu, rien n'a été enregistré.\n")
        sys.exit(130)
    run_cli()
