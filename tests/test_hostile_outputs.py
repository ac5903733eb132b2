"""Hostile text through the outputs test_hostile_text.py does not tour: search, publish,
the plain tables (campaign fields, dossier), the published manifest, the directory
export on a terminal, the CADA's opinions and the e-mails of cada show.

Each case was a finding of a review: a raw escape code or bidi override reaching the
terminal, a formula left live in a CSV meant for anyone's spreadsheet, markers taken
from the text itself.
"""

from __future__ import annotations

import csv
import io
import sys
import zipfile

from tests.test_hostile_text import (ESC, RLO, _assert_inert_csv, _no_raw_controls, _story,
                                     _visible)

NAME = f"Mairie [bold red]X[/] {ESC}[31mrouge{ESC}[0m {RLO}abc [fusion 2016]"
SUBJECT = f'=HYPERLINK("http://x") [fusion 2016] {ESC}[31mR{ESC}[0m'
FILE_NAME = f"r{ESC}[31mep{RLO}fdp.txt"
WORD = "zorglubesque"  # in the attached file, so that cada search finds it


def _answered(cli, tmp_path, name: str = NAME) -> str:
    ref = _story(cli, name, SUBJECT, tmp_path)
    attached = tmp_path / FILE_NAME
    attached.write_text(f"Réponse de la mairie : {WORD}.\n", encoding="utf-8")
    cli("answer", ref, "--on", "2026-11-25", "--outcome", "full", "--no-mentions",
        "--attach", attached, ok=True)
    return ref


def test_search_publish_and_plain_tables_show_control_codes_as_text(cli, tmp_path,
                                                                     monkeypatch):
    monkeypatch.setenv("CADA_TODAY", "2026-12-01")
    ref = _answered(cli, tmp_path)
    cli("campaign", "field", "add", "hostile", "choix", "--type", "choice", "--choices",
        f"[b]A[/b],{ESC}[31mB{RLO}", ok=True)
    cli("campaign", "field", "add", "hostile", "notes", "--type", "text", ok=True)
    cli("campaign", "set", ref, "notes", f"=1+1 {ESC}[31mR{RLO}", ok=True)
    runs = {
        "search": ("search", WORD),
        "publish": ("publish", "--campaign", "hostile", "--dry-run"),
        "field list": ("campaign", "field", "list", "hostile"),
        "campaign show": ("campaign", "show", "hostile"),
        "dossier": ("dossier", ref, "--out", tmp_path / "dossier"),
    }
    shown = {}
    for what, args in runs.items():
        result = cli(*args)
        assert result.exit_code == 0, f"{what}: {result.stderr}"
        _no_raw_controls(result.stdout + result.stderr, what)
        shown[what] = result.stdout + result.stderr
    # Shown as written, control codes made visible; markup neither applied nor escaped.
    assert _visible(NAME) in shown["search"] and "\\[" not in shown["search"]
    # The index holds the file's name cleaned (control characters become spaces).
    assert WORD in shown["search"] and "r [31mep fdp.txt" in shown["search"]
    assert _visible(FILE_NAME) in shown["publish"]
    assert "[b]A[/b]" in shown["field list"] and "\\x1b[31mB" in shown["field list"]
    assert "\\x1b[31mR" in shown["campaign show"]
    assert _visible(FILE_NAME) in shown["dossier"]


def test_a_campaign_named_with_control_codes_is_shown_as_text_by_publish(cli, tmp_path,
                                                                          monkeypatch):
    monkeypatch.setenv("CADA_TODAY", "2026-12-01")
    _story(cli, "Mairie de Lyon", "Vidéo", tmp_path)
    campaign = f"camp{ESC}[31mR{RLO}"
    admin = cli("admin", "list", "--json", ok=True).json()[0]["id"]
    ref = cli("new", "--to", admin, "--subject", "x", "--doc", "y", "--campaign", campaign,
              "--json", ok=True).json()["reference"]
    cli("sent", ref, "--on", "2026-11-20", "--via", "email", ok=True)
    result = cli("publish", "--campaign", campaign, "--dry-run")
    assert result.exit_code == 0, result.stderr
    _no_raw_controls(result.stdout + result.stderr, "publish")
    assert _visible(campaign) in result.stdout


def test_the_published_manifest_csv_holds_no_live_formula(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("CADA_TODAY", "2026-12-01")
    formula = '=HYPERLINK("http://evil.example","clic")'
    ref = _answered(cli, tmp_path, name=formula)
    out = tmp_path / "publication.zip"
    cli("publish", "--campaign", "hostile", "--out", out, "--licence", "@SUM(1+1)",
        "--include-unchecked", ok=True)
    with zipfile.ZipFile(out) as archive:
        table = archive.read("manifest.csv").decode()
        exact = archive.read("manifest.json").decode()
    _assert_inert_csv(table, "manifest.csv")
    rows = list(csv.DictReader(io.StringIO(table)))
    assert rows and {r["reference"] for r in rows} == {ref}
    assert {(r["administration"], r["licence"]) for r in rows} == {("'" + formula, "'@SUM(1+1)")}
    assert '"licence": "@SUM(1+1)"' in exact  # the JSON keeps the exact values


def test_admin_export_on_a_terminal_shows_control_codes_as_text(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("CADA_TODAY", "2026-12-01")
    _story(cli, NAME, SUBJECT, tmp_path)
    saved = tmp_path / "annuaire.csv"
    cli("admin", "export", "--out", saved, ok=True)
    assert NAME in saved.read_text(encoding="utf-8")  # a file keeps the data exact
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    shown = cli("admin", "export", ok=True).stdout
    assert shown.count("\r\n") >= 2  # the rows still end as CSV lines
    _no_raw_controls(shown.replace("\r\n", "\n"), "admin export")
    assert _visible(NAME) in shown


def test_the_published_readme_shows_names_as_typed_in_markdown(cli, tmp_path, monkeypatch):
    from markdown_it import MarkdownIt

    monkeypatch.setenv("CADA_TODAY", "2026-12-01")
    name = "[clic](https://evil.example) <img src=x onerror=alert(1)> *gras* a|b &amp;"
    _answered(cli, tmp_path, name=name)
    out = tmp_path / "publication.zip"
    cli("publish", "--campaign", "hostile", "--out", out, "--licence", "![i](http://x/t.png)",
        "--public-name", "_le_ `demandeur`", "--include-unchecked", ok=True)
    with zipfile.ZipFile(out) as archive:
        text = archive.read("README.md").decode()
    html = MarkdownIt("commonmark").enable("table").render(text)
    for tag in ("<a ", "<img", "<em>", "<strong>"):
        assert tag not in html, f"{tag} made from the data:\n{html}"
    assert html.count("<code>") == 2  # cada's own: `manifest.csv` and `manifest.json`
    # The name is one cell of the request's row (its | did not split it), as typed.
    assert html.count("<th>") == 4 and html.count("<td>") == 4
    assert "[clic](https://evil.example) &lt;img src=x onerror=alert(1)&gt; *gras* a|b " \
           "&amp;amp;" in html
    assert "![i](http://x/t.png)" in html and "_le_ `demandeur`" in html
