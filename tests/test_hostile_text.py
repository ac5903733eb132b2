"""What users and administrations write is data: never markup, formula, escape code or code.

A catalogue of hostile strings goes through every command that prints or exports
user text, on every output (table, plain text, --json, --csv, letters, ICS), and
comes back as text.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import sys
import textwrap

import pytest

from cada_tracker import escape

ESC = "\x1b"
CSI = "\x9b"
RLO = "\u202e"

# What each string is meant to break, and the hostile strings themselves.
CATALOGUE = {
    "rich_close": "Mairie [/] de Nice",
    "rich_close_named": "Mairie [/x] de Nice",
    "rich_brackets": "Commune nouvelle [fusion 2016]",
    "rich_link": "[link=https://evil.example]Mairie[/link]",
    "rich_style": "[bold red]Mairie[/bold red]",
    "ansi_colour": f"Mairie {ESC}[31mrouge{ESC}[0m",
    "osc_link": f"Mairie {ESC}]8;;https://evil.example{ESC}\\clic{ESC}]8;;{ESC}\\",
    "c1_csi": f"Mairie {CSI}2J effacée",
    "bell_backspace": "Mairie\x07\x08\x08",
    "carriage_return": "Mairie de Nice\rFAUX",
    "bidi_override": f"Mairie {RLO}fdp.exe",
    "formula_equal": '=HYPERLINK("https://evil.example";"clic")',
    "formula_plus": "+33 1 23 45 67 89",
    "formula_minus": "-2+3",
    "formula_at": "@SUM(A1:A2)",
    "html": "<b>Mairie</b> <script>alert(1)</script> &amp;",
    "jinja": "{{ 7*7 }} {% for x in range(3) %}x{% endfor %}",
    "long": "Mairie " + "très longue " * 25,
}

# What must never reach the terminal from user text (the consoles are not terminals
# in tests, so Rich itself emits no escape codes: any one seen came from the data).
RAW_CONTROLS = (ESC, CSI, RLO, "\x07", "\x08", "\r")


def _no_raw_controls(text: str, where: str) -> None:
    for char in RAW_CONTROLS:
        assert char not in text, f"{where}: raw {char!r} reached the output"


def _visible(value: str) -> str:
    """The value as a terminal shows it: control characters escaped."""
    return escape.terminal(value)


def _strings(data) -> set[str]:
    """Every string value in a JSON document."""
    if isinstance(data, str):
        return {data}
    if isinstance(data, dict):
        return set().union(*(_strings(v) for v in data.values())) if data else set()
    if isinstance(data, list):
        return set().union(*(_strings(v) for v in data)) if data else set()
    return set()


def _csv_cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def _assert_inert_csv(text: str, where: str) -> None:
    for cell in _csv_cells(text):
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), f"{where}: {cell!r}"


# ------------------------------------------------------------------ the escapers


def test_terminal_escapes_every_control_but_newline_and_tab():
    assert escape.terminal("a\x1b[31mb") == "a\\x1b[31mb"
    assert escape.terminal("a\x9bb\x00c\x7f") == "a\\x9bb\\x00c\\x7f"
    assert escape.terminal(f"x{RLO}y\u2066z") == "x\\u202ey\\u2066z"
    assert escape.terminal("ligne 1\nligne 2\tfin") == "ligne 1\nligne 2\tfin"
    assert escape.terminal("Saint-Étienne — « ok »") == "Saint-Étienne — « ok »"


@pytest.mark.parametrize("cell, expected", [
    ("=1+1", "'=1+1"), ("+33", "'+33"), ("-2", "'-2"), ("@x", "'@x"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("Mairie", "Mairie"), ("", ""), ("a=b", "a=b"),
])
def test_csv_cell_follows_owasp(cell, expected):
    assert escape.csv_cell(cell) == expected
    assert escape.csv_cell(cell, raw=True) == cell
    assert escape.unquote_csv_cell(escape.csv_cell(cell)) == cell


def test_csv_cell_keeps_numbers_and_dates():
    from datetime import date

    assert escape.csv_cell(-3) == -3
    assert escape.csv_cell(date(2026, 1, 2)) == "2026-01-02"
    assert escape.csv_cell(None) == ""


def test_json_safe_round_trips_and_is_inert():
    value = f"a{CSI}b{RLO}c{ESC}d"
    encoded = escape.json_safe(json.dumps({"v": value}, ensure_ascii=False))
    _no_raw_controls(encoded, "json")
    assert json.loads(encoded) == {"v": value}


def test_rich_text_shows_markup_as_typed():
    from rich.console import Console

    console = Console(file=io.StringIO(), width=200, color_system=None)
    for value in CATALOGUE.values():
        console.print(escape.rich_text(value))
    printed = console.file.getvalue()
    assert "[/]" in printed and "[fusion 2016]" in printed and "[link=" in printed


# ------------------------------------------------------------------ every command


def _story(cli, name: str, subject: str, tmp_path) -> str:
    """A profile, an administration and a sent request, all carrying hostile text."""
    cli("init", "--name", f"Collectif {name[:40]}", "--address", r"1 rue X\n69001 Lyon",
        "--email", "c@example.org", "--city", "Lyon", ok=True)
    admin = cli("admin", "add", "--kind", "commune", "--postcode", "69001",
                "--city", "Lyon", "--street", name[:60], "--addressee", "Monsieur le maire",
                "--tag", "hostile", "--json", "--", name, ok=True).json()
    assert admin["name"] == " ".join(name.split()) or admin["name"] == name
    ref = cli("new", "--to", admin["id"], "--subject", subject, "--doc", subject,
              "--campaign", "hostile", "--json", ok=True).json()["reference"]
    cli("sent", ref, "--on", "2026-11-20", "--via", "email", ok=True)
    cli("note", ref, "--", subject, ok=True)
    return ref


COMMANDS = [
    ("list",), ("list", "--json"), ("list", "--csv"), ("list", "--search", "Mairie"),
    ("show", "{ref}"), ("show", "{ref}", "--json"),
    ("overdue", "--within", "60"), ("overdue", "--within", "60", "--json"),
    ("overdue", "--within", "60", "--csv"),
    ("admin", "list"), ("admin", "list", "--json"), ("admin", "list", "--csv"),
    ("admin", "show", "1"), ("admin", "show", "1", "--json"), ("admin", "export"),
    ("campaign", "list"), ("campaign", "list", "--json"),
    ("campaign", "show", "hostile"), ("campaign", "show", "hostile", "--json"),
    ("campaign", "show", "hostile", "--csv"),
    ("stats",), ("stats", "--json"),
]


@pytest.mark.parametrize("kind", sorted(CATALOGUE))
def test_hostile_text_comes_back_as_text_everywhere(cli, kind, tmp_path, monkeypatch):
    monkeypatch.setenv("CADA_TODAY", "2026-12-01")
    value = CATALOGUE[kind]
    ref = _story(cli, value, value[:300], tmp_path)
    stored = cli("show", ref, "--json", ok=True).json()
    name, subject = stored["administration"]["name"], stored["subject"]
    for args in COMMANDS:
        args = [a.format(ref=ref) for a in args]
        result = cli(*args)
        where = "cada " + " ".join(args)
        assert result.exit_code in (0, 1), f"{where} → {result.exit_code}\n{result.stderr}"
        assert "Traceback" not in result.stderr and "MarkupError" not in result.stderr
        is_csv = "--csv" in args or args[:2] == ["admin", "export"]
        # CSV written to a file keeps the data exact (a spreadsheet shows no escape
        # codes); on a terminal it is escaped, see test_csv_on_a_terminal_is_escaped.
        _no_raw_controls(result.stderr if is_csv else result.stdout + result.stderr, where)
        if "--json" in args:
            strings = _strings(result.json())
            if args[0] != "stats" and args[:2] != ["campaign", "list"]:
                assert name in strings, f"{where}: the name did not come back exactly"
        elif "--csv" in args or args[:2] == ["admin", "export"]:
            _assert_inert_csv(result.stdout, where)
    # Plain text shows the name and the subject exactly as typed (controls made visible).
    shown = cli("show", ref, ok=True).stdout
    assert _visible(name) in shown and _visible(subject) in shown
    admin_shown = cli("admin", "show", "1", ok=True).stdout
    assert _visible(name) in admin_shown
    # Tables keep short bracketed text instead of swallowing it as markup.
    if kind.startswith("rich"):
        table = cli("list", ok=True).stdout + cli("admin", "list", ok=True).stdout
        for token in ("[/]", "[/x]", "[fusion", "[link=", "[bold"):
            if token in value:
                assert token in table, f"{token} vanished from a table"


def test_json_gives_the_exact_strings_back(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("CADA_TODAY", "2026-12-01")
    value = f"Mairie [/] {ESC}[31m{CSI}{RLO} =x"
    ref = _story(cli, value, value, tmp_path)
    data = cli("show", ref, "--json", ok=True).json()
    assert data["subject"] == value
    listed = cli("list", "--json", ok=True).json()
    assert listed[0]["administration"] == value and listed[0]["subject"] == value


def test_letter_and_calendar_hold_hostile_text_as_text(cli, tmp_path, monkeypatch):
    from cada_tracker.services.calendar import upcoming_deadlines  # noqa: F401 - exists

    monkeypatch.setenv("CADA_TODAY", "2026-11-21")
    value = f"<b>Mairie</b> {{{{ 7*7 }}}} [/] {ESC}[31m"
    ref = _story(cli, value, value, tmp_path)
    html = cli("show", ref, "--json", "--letter", ok=True).json()["letter_html"]
    assert "<b>Mairie</b>" not in html and "&lt;b&gt;Mairie&lt;/b&gt;" in html
    assert "{{ 7*7 }}" in html and "49" not in html.split("{{ 7*7 }}")[0][-5:]
    assert ESC not in html and "\\x1b[31m" in html
    ics = tmp_path / "c.ics"
    cli("calendar", "--out", ics, ok=True)
    from icalendar import Calendar

    calendar = Calendar.from_ical(ics.read_bytes())
    texts = [str(e.get("summary")) + str(e.get("description")) for e in calendar.walk("VEVENT")]
    assert texts and any("<b>Mairie</b>" in t for t in texts)


def test_acceptance_name_imported_from_a_csv(cli, tmp_path, monkeypatch):
    """The issue's acceptance: a hostile name from a directory file, through the tour."""
    monkeypatch.setenv("CADA_TODAY", "2026-12-01")
    name = f'Mairie [/] de =CMD("x") <b> {ESC}[2J{ESC}]0;titre{ESC}\\'
    source = tmp_path / "annuaire.csv"
    with source.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["key", "name", "kind", "addressee", "street", "postcode", "city",
                         "email", "prada_name", "prada_email", "department", "tags"])
        writer.writerow(["x1", name, "commune", "Monsieur le maire", "=1+1", "06000", "Nice",
                         "mairie@nice.example", "", "", "06", "vsa"])
    cli("init", "--name", "T", "--address", r"1 rue X\n69001 Lyon", "--email", "t@e.org",
        "--city", "Lyon", ok=True)
    imported = cli("admin", "import", source, "--json")
    assert imported.exit_code == 0, imported.stderr
    _no_raw_controls(imported.stdout + imported.stderr, "admin import")
    admin = cli("admin", "show", "1", "--json", ok=True).json()
    assert admin["name"] == name
    ref = cli("new", "--to", "1", "--subject", "=WEBSERVICE(\"x\") [/]", "--doc", "Liste",
              "--campaign", "vsa", "--json", ok=True).json()["reference"]
    cli("sent", ref, "--on", "2026-10-01", "--via", "email", ok=True)
    for args in COMMANDS:
        args = [a.format(ref=ref) for a in args]
        args = ["vsa" if a == "hostile" else a for a in args]
        result = cli(*args)
        where = "cada " + " ".join(args)
        assert result.exit_code in (0, 1), f"{where} → {result.exit_code}\n{result.stderr}"
        if "--csv" in args or args[:2] == ["admin", "export"]:
            _assert_inert_csv(result.stdout, where)
            _no_raw_controls(result.stderr, where)
        else:
            _no_raw_controls(result.stdout + result.stderr, where)
    assert _visible(name) in cli("show", ref, ok=True).stdout
    # cada's own export goes back in unchanged, although its cells were made inert.
    exported = tmp_path / "export.csv"
    cli("admin", "export", "--out", exported, ok=True)
    _assert_inert_csv(exported.read_text(encoding="utf-8"), "export file")
    again = cli("admin", "import", exported, "--json", ok=True).json()
    assert again["created"] == 0
    shown = cli("admin", "show", "1", "--json", ok=True).json()
    assert shown["name"] == name and shown["street"] == ["=1+1"]
    raw = cli("list", "--csv", "--raw-csv", ok=True).stdout
    assert '=WEBSERVICE(""x"") [/]' in raw


def test_csv_on_a_terminal_is_escaped(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("CADA_TODAY", "2026-12-01")
    value = f"Mairie {ESC}[2J{CSI}"
    _story(cli, value, "=1+1", tmp_path)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    for args in (("list", "--csv"), ("admin", "list", "--csv"),
                 ("campaign", "show", "hostile", "--csv"), ("overdue", "--csv")):
        result = cli(*args)
        assert result.exit_code in (0, 1)
        _no_raw_controls(result.stdout.replace("\r\n", "\n"), " ".join(args))
        _assert_inert_csv(result.stdout, " ".join(args))
    assert "\\x1b[2J" in cli("list", "--csv").stdout


# ------------------------------------------------------------------ arguments


def test_argument_that_is_not_utf8_is_refused_by_position(cli):
    bad = b"Mairie \xe9".decode("utf-8", "surrogateescape")
    result = cli("admin", "add", bad, "--kind", "commune")
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert "argument n° 3" in result.stderr and "UTF-8" in result.stderr


# ------------------------------------------------------------------ output files


def test_output_files_are_not_replaced_without_force(cli, tmp_path, admin_id):
    ics = tmp_path / "cada.ics"
    ics.write_text("mon calendrier")
    refused = cli("calendar", "--out", ics)
    assert refused.exit_code == 2 and "--force" in refused.stderr
    assert ics.read_text() == "mon calendrier"
    cli("calendar", "--out", ics, "--force", ok=True)
    assert ics.read_text().startswith("BEGIN:VCALENDAR")
    export = tmp_path / "annuaire.csv"
    export.write_text("précieux")
    assert cli("admin", "export", "--out", export).exit_code == 2
    assert export.read_text() == "précieux"
    cli("admin", "export", "--out", export, "--force", ok=True)


def test_a_second_reminder_the_same_day_gets_a_new_name(cli, draft_ref, tmp_path):
    cli("sent", draft_ref, "--on", "2026-01-05", "--via", "lrar", ok=True)
    out = tmp_path / "courriers"
    first = cli("remind", draft_ref, "--on", "2026-02-20", "--html", "--out", out, "--json",
                ok=True).json()["copy"]
    second = cli("remind", draft_ref, "--on", "2026-02-20", "--html", "--out", out, "--json",
                 ok=True).json()["copy"]
    assert first != second and second.endswith("-2.html")
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [first.rsplit("/", 1)[1], second.rsplit("/", 1)[1]])


# ------------------------------------------------------------------ cada edit


def _editor(tmp_path, body: str):
    script = tmp_path / "editor.py"
    script.write_text(f"#!{sys.executable}\n" + textwrap.dedent(body))
    script.chmod(0o755)
    return script


def test_edit_holds_no_lock_while_the_editor_is_open(cli, draft_ref, tmp_path, monkeypatch,
                                                     admin_id):
    """Two other commands of the group succeed while the letter is being edited."""
    report = tmp_path / "codes.json"
    script = _editor(tmp_path, f"""
        import json, subprocess, sys
        def cada(*args):
            return subprocess.run([{sys.executable!r}, "-m", "cada_tracker", *args],
                                  capture_output=True, text=True, timeout=60).returncode
        codes = [cada("note", {draft_ref!r}, "pendant l’édition"),
                 cada("admin", "add", "Mairie de Bron", "--kind", "commune",
                      "--postcode", "69500", "--city", "Bron")]
        json.dump(codes, open({str(report)!r}, "w"))
        path = sys.argv[1]
        text = open(path, encoding="utf-8").read()
        open(path, "w", encoding="utf-8").write(text.replace("Liste des caméras", "Liste ÉDITÉE"))
    """)
    monkeypatch.setenv("EDITOR", str(script))
    cli("edit", draft_ref, ok=True)
    assert json.loads(report.read_text()) == [0, 0]
    html = cli("show", draft_ref, "--json", "--letter", ok=True).json()["letter_html"]
    assert "Liste ÉDITÉE" in html


def test_edit_detects_a_draft_changed_meanwhile(cli, draft_ref, tmp_path, monkeypatch):
    from cada_tracker.paths import resolve

    database = resolve().sqlite_path
    script = _editor(tmp_path, f"""
        import sqlite3, sys
        db = sqlite3.connect({str(database)!r})
        db.execute("UPDATE request SET letter_html = letter_html || '<p>autre</p>'")
        db.commit()
        path = sys.argv[1]
        open(path, "a", encoding="utf-8").write("<p>mon ajout</p>")
    """)
    monkeypatch.setenv("EDITOR", str(script))
    result = cli("edit", draft_ref)
    assert result.exit_code == 4 and "modifié par une autre commande" in result.stderr
    kept = list((tmp_path / "work").glob(f"{draft_ref}-courrier-modifie*.html"))
    assert len(kept) == 1 and "<p>mon ajout</p>" in kept[0].read_text(encoding="utf-8")
    with sqlite3.connect(database) as db:
        letter = db.execute("SELECT letter_html FROM request").fetchone()[0]
    assert "<p>autre</p>" in letter and "mon ajout" not in letter
