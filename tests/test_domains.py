"""Every value has a domain: the edges of each, on every option of every command.

The options are read from the CLI itself, so a new command or option is covered
without editing this file. Whatever is drawn, cada answers with exit status other
than 70, in French, without a traceback.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# The edges of each domain: dates, integers, texts, bytes that are not UTF-8.
EDGES = [
    "0026-01-01", "9999-12-31", "1899-12-31", "2101-01-01", "0001-01-01", "31/02/2026",
    "2026-13-01", "00/00/0000", "2026-1-1", "1e20", "-1", "0", "2147483648",
    "99999999999999999999", "9" * 5000, "1-999999999", "", " ", "%", "_", "%_%" * 40000,
    "x" * 100_000, "[/]", "\x1b[2J", "\u202e", "=1+1", "..", "/", "../../etc/passwd",
    b"\xe9t\xe9".decode("utf-8", "surrogateescape"), "\udcff", "nan", "inf", "true",
    "mail@", "-", "--", "é" * 120,
]
ENGLISH = re.compile(
    r"Input should|is not a valid|Invalid value|No such|Error:|Traceback|Exceeds the limit|"
    r"unexpected|out of range|codec|Got unexpected|requires an argument|not allowed|"
    r"unable to|must be|Missing (argument|option|parameter)")


def _options():
    """(command path, option flag) for every option of every command that takes a value."""
    import typer

    from cada_tracker.cli import i18n
    from cada_tracker.cli.main import build_app

    i18n.install()
    root = typer.main.get_command(build_app())
    found = []

    def walk(command, path):
        subcommands = getattr(command, "commands", None)
        if subcommands:
            for name, sub in sorted(subcommands.items()):
                walk(sub, [*path, name])
            return
        for param in command.params:
            if param.param_type_name == "option" and not param.is_flag and param.opts[0] != \
                    "--help":
                found.append((tuple(path), param.opts[0]))
            elif param.param_type_name == "argument":
                found.append((tuple(path), None))

    walk(root, [])
    return sorted(set(found), key=str)


OPTIONS = _options()


def _arguments(path: tuple[str, ...], ref: str) -> list[str]:
    """Valid positional arguments for ``path``, so the option under test is reached."""
    from cada_tracker.cli.main import build_app  # noqa: F401 - the tree is already built

    command = _command(path)
    args = []
    for param in command.params:
        if param.param_type_name != "argument" or not param.required:
            continue
        metavar = (param.metavar or param.name or "").upper()
        if "REF" in metavar:
            args += [ref] * (param.nargs if param.nargs > 0 else 1)
        elif metavar in ("ID", "EVENT", "ADMIN_ID", "EVENT_ID"):
            args.append("1")
        elif "FICHIER" in metavar or "FILE" in metavar or "PATH" in metavar:
            args.append("absent.csv")
        else:
            args.append("vsa")
    return args


def _command(path):
    import typer

    from cada_tracker.cli.main import build_app

    command = typer.main.get_command(build_app())
    for name in path:
        command = command.commands[name]
    return command


def _check(result, where: str) -> None:
    assert result.exit_code != 70, f"{where}: {result.stderr}"
    assert "Traceback" not in result.stderr + result.stdout, where
    if result.exit_code not in (0, 1):
        assert result.stderr.startswith("Erreur :"), f"{where}: {result.stderr!r}"
        english = ENGLISH.search(result.stderr)
        assert english is None, f"{where}: English in {result.stderr!r}"


@pytest.fixture
def story(cli, draft_ref, tmp_path, monkeypatch):
    monkeypatch.setenv("EDITOR", "true")
    monkeypatch.setenv("CADA_TODAY", "2026-06-01")
    cli("sent", draft_ref, "--on", "2026-01-05", "--via", "lrar", ok=True)
    return draft_ref


@settings(max_examples=250, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(target=st.sampled_from(OPTIONS), value=st.sampled_from(EDGES))
def test_every_option_at_its_domain_edges(cli, story, target, value):
    path, flag = target
    args = [*path, *_arguments(path, story)]
    if flag is None:  # the first argument itself takes the edge value
        args = [*path, value, *_arguments(path, story)[1:]]
    else:
        args += [flag, value]
    result = cli(*args)
    _check(result, "cada " + " ".join(a[:30] for a in args))


@pytest.mark.parametrize("value", ["0026-01-01", "9999-12-31", "1899-12-31", "2101-01-01"])
def test_dates_outside_1900_2100_are_refused(cli, story, value):
    for args in (("deadlines", "--received", value), ("overdue", "--today", value),
                 ("received", story, "--on", value)):
        result = cli(*args)
        assert result.exit_code == 2 and "entre 1900 et 2100" in result.stderr, args


def test_big_numbers_are_refused_not_crashed(cli, story):
    for args in (("new", "--to", "99999999999999999999", "--subject", "x", "--doc", "y"),
                 ("admin", "show", "2147483648"), ("cancel", story, "99999999999999999999"),
                 ("answer", story, "--on", "2026-02-01", "--outcome", "partial",
                  "--got", "9" * 5000)):
        result = cli(*args)
        assert result.exit_code == 2, (args, result.stderr)
        assert len(result.stderr) < 600


def test_search_is_bounded_and_literal(cli, story):
    long = cli("list", "--search", "%" * 100_000)
    assert long.exit_code == 2 and "trop long" in long.stderr
    assert cli("list", "--search", "%", "--json", ok=True).json() == []
    assert len(cli("list", "--search", "vidéo", "--json", ok=True).json()) == 1
    assert cli("admin", "list", "--search", "_", "--json", ok=True).json() == []


def test_texts_have_limits(cli, admin_id, story):
    from cada_tracker.services.events import NOTE_MAX
    from cada_tracker.services.requests import DOCUMENT_MAX

    too_long_doc = cli("new", "--to", admin_id, "--subject", "x", "--doc", "d" * (DOCUMENT_MAX + 1))
    assert too_long_doc.exit_code == 2 and f"{DOCUMENT_MAX} au" in too_long_doc.stderr
    note = cli("note", story, "n" * (NOTE_MAX + 1))
    assert note.exit_code == 2 and str(NOTE_MAX) in note.stderr


def test_directory_file_size_is_limited(cli, profile, tmp_path, monkeypatch):
    from cada_tracker.directory import reader

    monkeypatch.setattr(reader, "DIRECTORY_FILE_MAX", 1000)
    big = tmp_path / "gros.csv"
    big.write_text("name,postcode,city\n" + "Mairie,69001,Lyon\n" * 100)
    result = cli("admin", "import", big)
    assert result.exit_code == 2 and "Mo" in result.stderr and "gros.csv" in result.stderr


def test_every_option_out_of_its_range_answers_in_french(cli, story):
    """Each option once, with a value out of every range: a negative number too big for
    any integer, not a date, not a choice, and read as an option by a text one."""
    value = "-99999999999"
    for path, flag in OPTIONS:
        args = [*path, *_arguments(path, story)]
        if flag is None:
            args = [*path, value, *_arguments(path, story)[1:]]
        else:
            args += [flag, value]
        _check(cli(*args), "cada " + " ".join(args))
