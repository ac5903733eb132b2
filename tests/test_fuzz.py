"""Hostile input never crashes cada nor half-writes (Hypothesis drives the CLI)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from markupsafe import escape

from cada_tracker.escape import terminal
from hypothesis import strategies as st

# The extraction itself is under test: the real worker subprocess (tests/conftest.py).
pytestmark = pytest.mark.real_extraction

ANY_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                   max_size=40)
DATEISH = st.one_of(ANY_TEXT, st.dates().map(str), st.dates().map(lambda d: d.strftime("%d/%m/%Y")),
                    st.from_regex(r"\A\d{1,4}[-/]\d{1,3}[-/]\d{1,5}\Z"))
FUZZ = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])
OK_CODES = {0, 2, 3, 4}


def _clean(result):
    assert result.exit_code in OK_CODES, (result.exit_code, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout


@FUZZ
@given(on=DATEISH, via=ANY_TEXT, tracking=ANY_TEXT)
def test_random_event_input(cli, draft_ref, on, via, tracking):
    before = cli("show", draft_ref, "--json", ok=True).json()
    result = cli("sent", draft_ref, "--on", on, "--via", via, "--tracking", tracking)
    _clean(result)
    if result.exit_code:
        assert cli("show", draft_ref, "--json", ok=True).json() == before  # nothing written
    else:  # a valid sending: cancel it so that the next example starts from a draft again
        last = cli("show", draft_ref, "--json", ok=True).json()["events"][-1]["number"]
        cli("cancel", draft_ref, last, ok=True)


@FUZZ
@given(got=ANY_TEXT, refused=ANY_TEXT, outcome=st.sampled_from(
    ["full", "partial", "refusal", "fees", "extension", "nope", ""]))
def test_random_answer_positions(cli, draft_ref, got, refused, outcome):
    if not _events(cli, draft_ref):
        cli("sent", draft_ref, "--on", "2026-01-05", "--via", "lrar", ok=True)
    result = cli("answer", draft_ref, "--on", "2026-02-01", "--outcome", outcome,
                 "--got", got, "--refused", refused)
    _clean(result)


def _events(cli, ref):
    return cli("show", ref, "--json", ok=True).json()["events"]


@FUZZ
@given(name=ANY_TEXT, kind=ANY_TEXT, postcode=ANY_TEXT, city=ANY_TEXT, email=ANY_TEXT,
       department=ANY_TEXT, street=ANY_TEXT)
def test_random_administration(cli, profile, name, kind, postcode, city, email, department,
                               street):
    before = cli("admin", "list", "--json", ok=True).stdout
    result = cli("admin", "add", name, "--kind", kind, "--postcode", postcode, "--city", city,
                 "--email", email, "--department", department, "--street", street)
    _clean(result)
    if result.exit_code:
        assert cli("admin", "list", "--json", ok=True).stdout == before


@FUZZ
@given(subject=ANY_TEXT, docs=st.lists(ANY_TEXT, max_size=4), mode=ANY_TEXT, text=ANY_TEXT)
def test_random_request_and_note(cli, admin_id, subject, docs, mode, text):
    args = ["new", "--to", str(admin_id), "--subject", subject, "--mode", mode]
    for d in docs:
        args += ["--doc", d]
    result = cli(*args, "--json")
    _clean(result)
    if result.exit_code == 0:
        ref = result.json()["reference"]
        _clean(cli("note", ref, text))
        html = cli("show", ref, "--json", "--letter", ok=True).json()["letter_html"]
        # What the user typed is in the letter, escaped: never as markup, and its
        # control characters shown (\\x08), never slipped into the letter raw.
        assert str(escape(terminal(subject.strip()))) in html


@FUZZ
@given(received=DATEISH, zone=ANY_TEXT, regime=ANY_TEXT)
def test_random_deadline_calculator(cli, received, zone, regime):
    _clean(cli("deadlines", "--received", received, "--zone", zone, "--regime", regime,
               "--json"))


@FUZZ
@given(content=st.binary(max_size=300))
def test_random_selection_file(cli, admin_id, tmp_path_factory, content):
    path = tmp_path_factory.mktemp("sel") / "liste.txt"
    path.write_bytes(content)
    before = cli("list", "--json", ok=True).stdout
    result = cli("new", "--to-file", path, "--subject", "X", "--doc", "Y")
    _clean(result)
    if result.exit_code:
        assert cli("list", "--json", ok=True).stdout == before


@FUZZ
@given(content=st.binary(max_size=2000), name=st.from_regex(r"\A[\w .()-]{1,30}\Z"))
def test_random_attachment_is_stored_exactly(cli, draft_ref, tmp_path_factory, isolated_home,
                                             content, name):
    import hashlib

    if not _events(cli, draft_ref):
        cli("sent", draft_ref, "--on", "2026-01-05", "--via", "lrar", ok=True)
    path = tmp_path_factory.mktemp("att") / name.strip(" .") if name.strip(" .") else None
    if path is None:
        return
    path.write_bytes(content)
    result = cli("answer", draft_ref, "--on", "2026-02-01", "--outcome", "partial",
                 "--attach", path, "--json")
    _clean(result)
    stored = cli("show", draft_ref, "--json", ok=True).json()["files"][-1]
    assert stored["sha256"] == hashlib.sha256(content).hexdigest()
    assert (isolated_home / stored["path"]).read_bytes() == content


CSV_CELL = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
HEADERS = st.sampled_from([
    "Département de l'autorité,Nom de l'administration,Prénom PRADA,Nom PRADA,"
    "Courriel 1 PRADA,Adresse PRADA,Code postal/Ville de l'autorité",
    "#id,name,request_email,notes,home_page,tag_string",
    "key,name,kind,addressee,street,postcode,city,email,prada_name,prada_email,department,tags",
    "", "nom;ville", "a,a,b",
])


@FUZZ
@given(header=HEADERS, rows=st.lists(st.lists(CSV_CELL, max_size=8), max_size=6),
       raw=st.binary(max_size=200))
def test_random_csv_never_crashes_the_directory_parser(header, rows, raw):
    from cada_tracker.directory import DirectoryError, parse_bytes

    text = header + "\n" + "\n".join(",".join(r) for r in rows)
    for data in (text.encode("utf-8"), text.encode("utf-8", "replace") + raw, raw):
        try:
            result = parse_bytes(data, source_name="fuzz.csv")
        except DirectoryError as exc:
            assert exc.message  # a French message naming the problem
            continue
        for error in result.errors:
            assert error.line >= 1 and error.message
