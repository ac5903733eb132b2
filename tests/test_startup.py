"""Start-up: a command imports only what it uses, on the package as installed.

Run in a fresh interpreter (``python -c``), so that what the test process already
imported does not hide a module. ``.ci/run`` runs this file on the locked install
and again in a throwaway environment with the latest allowed versions, so an
upstream release that adds an import to the command path fails CI.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("pydantic", "holidays", "sqlalchemy", "sqlmodel", "alembic", "jinja2", "weasyprint")


def _loaded(args: list[str]) -> tuple[list[str], str]:
    code = ("import sys; from cada_tracker.cli.main import run; "
            f"run({args!r}); import cada_tracker; "
            f"print([m for m in {HEAVY!r} if m in sys.modules]); print(cada_tracker.__file__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    return eval(out[-2]), out[-1]  # a list literal printed just above


@pytest.mark.parametrize("args", [["--help"], ["--version"],
                                  ["deadlines", "--received", "2026-01-01", "--json"]])
def test_light_commands_import_neither_pydantic_nor_the_database(args):
    loaded, _ = _loaded(args)
    assert loaded == []


def test_ci_runs_the_installed_package_not_the_source_tree():
    _, where = _loaded(["--version"])
    source = Path(__file__).resolve().parent.parent / "src"
    if os.environ.get("CI") or os.environ.get("CADA_TEST_INSTALLED"):
        assert not Path(where).resolve().is_relative_to(source), where
        assert "site-packages" in where
