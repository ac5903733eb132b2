"""Start-up: a command imports only what it uses, on the package as installed.

Every check runs in a fresh interpreter (``python -c``), so that what the test process
already imported does not hide a module, and on cada as a wheel installs it: when the
running cada is the source tree (an editable install), the wheel is built once and
unpacked in a temporary directory put first on ``PYTHONPATH``. ``.ci/run`` runs this
file on the locked install and again in a throwaway environment with the latest
allowed versions, so an upstream release that adds an import to the command path
fails CI.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("pydantic", "holidays", "sqlalchemy", "sqlmodel", "alembic", "jinja2", "weasyprint",
         "icalendar", "babel")
# Rich costs as much as Typer itself: only what draws a table imports it.
NOT_FOR_LIGHT = (*HEAVY, "rich")


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict[str, str]:
    """The environment under which ``python`` imports cada from an installed wheel."""
    import cada_tracker

    if not Path(cada_tracker.__file__).resolve().is_relative_to(ROOT / "src"):
        return {}  # already a wheel (the CI's non-editable installs)
    where = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                    "--no-build-isolation", "-w", str(where / "dist"), str(ROOT)],
                   check=True, capture_output=True)
    wheel = next((where / "dist").glob("cada_tracker-*.whl"))
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps",
                    "--no-compile", "--target", str(where / "site"), str(wheel)],
                   check=True, capture_output=True)
    return {"PYTHONPATH": str(where / "site")}


def _loaded(installed: dict[str, str], args: list[str], modules=NOT_FOR_LIGHT,
            prefix: str = "") -> tuple[list[str], str]:
    """The ``modules`` (or, with ``prefix``, the modules under it) that ``cada ARGS``
    imported, and where cada was imported from."""
    code = ("import sys; from cada_tracker.cli.main import run; "
            f"run({args!r}); import cada_tracker; "
            f"print(sorted(m for m in sys.modules if m in {tuple(modules)!r} "
            f"or ({prefix!r} and m.startswith({prefix!r})))); print(cada_tracker.__file__)")
    env = {**os.environ, **installed}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env=env, cwd=ROOT / "tests").stdout.splitlines()
    return eval(out[-2]), out[-1]  # a list literal printed just above


def test_the_checks_run_on_the_installed_wheel_not_the_source_tree(installed):
    _, where = _loaded(installed, ["--version"])
    assert not Path(where).resolve().is_relative_to(ROOT / "src"), where
    assert Path(where).parent.joinpath("cli", "command_index.py").is_file()


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["deadlines", "--help"],
                                  ["deadlines", "--received", "2026-01-01", "--json"],
                                  ["deadlines", "--received", "2026-01-01"]])
def test_light_commands_import_neither_pydantic_nor_the_database_nor_rich(installed, args):
    loaded, _ = _loaded(installed, args)
    assert loaded == []


@pytest.mark.parametrize("args, modules", [
    (["--help"], []),
    (["--version"], []),
    (["deadlines", "--received", "2026-01-01"], ["cada_tracker.cli.clock_cmds"]),
    (["admin", "--help"], ["cada_tracker.cli.admin_cmds", "cada_tracker.cli.directory_cmds"]),
])
def test_a_command_imports_its_own_cli_module_only(installed, args, modules):
    loaded, _ = _loaded(installed, args, modules=(), prefix="cada_tracker.cli.")
    commands = [m for m in loaded if m.endswith("_cmds") and m != "cada_tracker.cli.completion_cmds"]
    assert commands == modules


@pytest.mark.parametrize("command", ["overdue", "show", "stats", "calendar"])
def test_read_commands_import_neither_the_database_layer_nor_templates(installed, cli,
                                                                       draft_ref, command,
                                                                       tmp_path):
    """On an SQLite database at the current schema, not even SQLAlchemy (readdb.py)."""
    args = {"show": [command, draft_ref],
            "calendar": [command, "--out", str(tmp_path / "cada.ics")]}.get(command, [command])
    loaded, _ = _loaded(installed, args,
                        modules=("pydantic", "sqlmodel", "sqlalchemy", "alembic", "jinja2",
                                 "weasyprint", "holidays", "icalendar", "cada_tracker.models"))
    assert loaded == []


@pytest.mark.parametrize("args", [["stats"], ["campaign", "show", "vsa"],
                                  ["campaign", "show", "vsa", "--json"],
                                  ["campaign", "show", "vsa", "--csv"], ["campaign", "list"]])
def test_stats_and_campaigns_read_without_sqlalchemy(installed, cli, admin_id, args):
    """The figures and a campaign's requests and fields come from plain SQL, read with
    sqlite3 from an SQLite file at the current schema (readdb.py)."""
    cli("new", "--to", admin_id, "--subject", "VSA", "--doc", "Contrat", "--campaign", "vsa",
        ok=True)
    cli("campaign", "field", "add", "vsa", "cameras", "--type", "int", ok=True)
    loaded, _ = _loaded(installed, args,
                        modules=("pydantic", "sqlmodel", "sqlalchemy", "alembic",
                                 "jinja2", "cada_tracker.models"))
    assert loaded == []


def test_the_csv_export_of_an_sqlite_file_imports_no_sqlalchemy(installed, cli, draft_ref):
    loaded, _ = _loaded(installed, ["list", "--csv", "--all"])
    assert loaded == []  # neither SQLAlchemy nor Rich: sqlite3 and csv
    searched, _ = _loaded(installed, ["list", "--csv", "--search", "caméras"])
    assert "sqlalchemy" in searched  # a search builds its conditions with SQLAlchemy


def test_the_command_index_is_what_the_modules_register():
    spec = importlib.util.spec_from_file_location("command_index_script",
                                                  ROOT / "scripts" / "command_index.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    from cada_tracker.cli.command_index import COMMANDS

    assert list(COMMANDS) == script.index(), "regenerate: python scripts/command_index.py"


@pytest.mark.parametrize("width", [60, 80, 200])
def test_the_lazy_command_list_is_the_one_typer_would_print(width):
    import typer.main
    from typer._click import Context, HelpFormatter
    from typer.core import TyperGroup

    from cada_tracker.cli.lazy import module_commands
    from cada_tracker.cli.main import COMMAND_MODULES, build_app

    lazy = typer.main.get_command(build_app())
    commands, groups = {}, {}
    for module in COMMAND_MODULES:
        for name, command in module_commands(module).items():
            (groups if isinstance(command, TyperGroup) else commands)[name] = command
    eager = TyperGroup(name="cada", commands={**commands, **groups})
    shown = []
    for group in (lazy, eager):
        formatter = HelpFormatter(width=width)
        group.format_commands(Context(group), formatter)
        shown.append(formatter.getvalue())
    assert shown[0] == shown[1] and "deadlines" in shown[0]


def test_a_mistyped_command_is_answered_in_french(cli):
    result = cli("lsit")
    assert result.exit_code == 2
    assert "Commande inconnue : 'lsit'. Vouliez-vous dire 'list' ?" in result.stderr
    assert "Did you mean" not in cli("admin", "lsit").stderr
