"""cada show's plain-SQL read path (services/show_query.py) gives the ORM path's view.

Both back ends: varied requests (events of every kind, a cancelled one, an attached
file, an e-mail, tags, a campaign forming a series, a Ma Dada source, closed ones)
are read both ways and compared as dicts and as the JSON printed; ``cada show``'s
text and ``--json`` are what the ORM view prints. A missing reference names close
ones from the index.
"""

from __future__ import annotations

import pytest

from cada_tracker import paths, storage
from cada_tracker.cli import output
from cada_tracker.readdb import sqlite_reader


def _orm_view(reference: str) -> tuple[dict, str]:
    from cada_tracker.services.requests import get_request
    from cada_tracker.services.views import request_view

    with storage.session_scope(storage.open_db(paths.resolve())) as s:
        request = get_request(s, reference)
        return request_view(s, request), request.letter_html


def _sql_view(reference: str) -> tuple[dict, str]:
    from cada_tracker.readdb import as_reader
    from cada_tracker.services.show_query import show_view

    loc = paths.resolve()
    db = sqlite_reader(loc)
    if db is None:  # PostgreSQL: the same SQL on a SQLAlchemy connection
        assert loc.sqlite_path is None
        with storage.read_scope(storage.open_db(loc)) as connection:
            return show_view(as_reader(connection), reference)
    try:
        return show_view(db, reference)
    finally:
        db.close()


def _sql(statement: str, params: dict) -> None:
    from sqlalchemy import text

    with storage.open_db(paths.resolve()).begin() as conn:
        conn.execute(text(statement), params)


@pytest.fixture
def varied(cli, backend, profile, tmp_path) -> list[str]:
    admins = [cli("admin", "add", f"Mairie de Ville{n}", "--kind", "commune", "--postcode",
                  f"6900{n}", "--city", f"Ville{n}", "--department", "67" if n else "69",
                  "--tag", "rhone", "--tag", f"t{n}", "--json", ok=True).json()["id"]
              for n in range(5)]
    made = cli("new", *[a for i in admins for a in ("--to", str(i))], "--subject",
               "Vidéosurveillance", "--doc", "Liste des caméras", "--doc", "Marché",
               "--campaign", "vsa-test", "--tag", "vsa", "--tag", "urgent", "--json",
               "--yes", ok=True).json()
    refs = [r["reference"] for r in made]
    for ref in refs:
        cli("sent", ref, "--on", "2026-01-05", "--via", "lrar", "--tracking", "1A23", ok=True)
    full, refused, cancelled, court, fresh = refs
    reply = tmp_path / "réponse.pdf"
    reply.write_bytes(b"%PDF-1.4 une reponse\n")
    cli("received", full, "--on", "2026-01-07", ok=True)
    cli("ack", full, "--on", "2026-01-09", "--no-mentions", ok=True)
    cli("answer", full, "--on", "2026-02-01", "--outcome", "partial", "--got", "1",
        "--attach", reply, ok=True)
    cli("note", full, "une note <b>gras</b>", "--on", "2026-02-02", ok=True)
    cli("answer", full, "--on", "2026-02-10", "--outcome", "full", ok=True)
    cli("close", full, "--reason", "obtained", "--on", "2026-02-11", ok=True)
    cli("ack", refused, "--on", "2026-01-08", "--mentions", ok=True)
    cli("answer", refused, "--on", "2026-01-20", "--outcome", "refusal", ok=True)
    cli("refer", refused, "--on", "2026-02-01", "--no-letter", "--hors-serie", ok=True)
    cli("opinion", refused, "--on", "2026-03-20", "--verdict", "favorable", ok=True)
    wrong = cli("received", cancelled, "--on", "2026-01-09", "--json", ok=True).json()
    cli("cancel", cancelled, wrong["number"], "--why", "mauvaise date", ok=True)
    cli("received", cancelled, "--on", "2026-01-06", ok=True)
    cli("answer", court, "--on", "2026-01-20", "--outcome", "refusal", ok=True)
    cli("refer", court, "--on", "2026-01-25", "--no-letter", "--hors-serie", ok=True)
    cli("refer", court, "--registered", "2026-01-27", "--cada-ref", "20260001", ok=True)
    cli("court", court, "--on", "2026-04-01", ok=True)
    draft = cli("new", "--to", admins[0], "--subject", "Brouillon", "--doc", "Un document",
                "--json", ok=True).json()["reference"]
    _sql("UPDATE request SET source_url = :url WHERE reference = :ref",
         {"url": "https://madada.fr/demande/cameras", "ref": fresh})
    _sql("INSERT INTO mail_message (message_id, direction, state, request_id, event_id, kind,"
         " matched_by, subject, sender, recipients, message_date, sha256, size, created_at)"
         " SELECT '<m1@example>', 'in', 'received', r.id, e.id, 'reply', 'sender',"
         " 'Re: demande', 'prada@ville.example', 'lyon@technopolice.example',"
         " '2026-02-01 09:30:00', 'abc', 12, '2026-02-01 09:31:00' FROM request AS r"
         " JOIN event AS e ON e.request_id = r.id AND e.kind = 'answer'"
         " WHERE r.reference = :ref ORDER BY e.id LIMIT 1", {"ref": full})
    return [*refs, draft]


def test_plain_sql_view_is_the_orm_view(cli, varied):
    kinds = set()
    for ref in varied:
        orm, orm_letter = _orm_view(ref)
        sql, sql_letter = _sql_view(ref)
        assert sql == orm, ref
        assert output.to_json(sql) == output.to_json(orm)
        assert sql_letter == orm_letter and sql_letter
        kinds |= {e["kind"] for e in sql["events"]}
        assert cli("show", f" {ref} ", "--json", ok=True).json() == output_json(orm)
    assert kinds >= {"sent", "received", "ack", "answer", "note", "close", "cancel",
                     "referred", "registered", "opinion", "court"}
    views = {ref: _sql_view(ref)[0] for ref in varied}
    assert any(v["files"] for v in views.values())
    assert any(v["messages"] for v in views.values())
    assert any(v["source_url"] for v in views.values())
    assert any(e["mentions"] is False for v in views.values() for e in v["events"])
    assert any(e["cancelled_by"] for v in views.values() for e in v["events"])


def output_json(view: dict):
    import json

    return json.loads(output.to_json(view))


def test_cli_show_prints_the_orm_view(cli, varied, monkeypatch):
    """The text of ``cada show`` from the plain path is the text of the ORM view."""
    plain = {ref: cli("show", ref, ok=True).stdout for ref in varied}
    monkeypatch.setattr("cada_tracker.services.show_query.show_view",
                        lambda _db, reference: _orm_view(reference))
    for ref in varied:
        assert cli("show", ref, ok=True).stdout == plain[ref], ref
    assert "Publiée sur    https://madada.fr/demande/cameras" in "".join(plain.values())


def test_missing_reference_names_close_ones(cli, backend, draft_ref):
    typo = draft_ref + "9"
    missing = cli("show", typo)
    assert missing.exit_code != 0 and "Traceback" not in missing.stderr
    assert f"Aucune demande de référence « {typo} »" in missing.stderr
    assert f"Références proches : {draft_ref}" in missing.stderr
    inside = cli("show", draft_ref.split("-")[1])  # part of a reference: containment
    assert f"Références proches : {draft_ref}" in inside.stderr
    assert "proches" not in cli("show", "zzzz").stderr
    # Commands reading through the ORM name the same close references.
    assert f"Références proches : {draft_ref}" in cli("sent", typo, "--on", "2026-01-05",
                                                      "--via", "lrar").stderr


def test_a_huge_reference_is_missing_not_an_sqlite_error(cli, backend, draft_ref):
    """SQLite refuses a LIKE pattern over 50,000 bytes ("LIKE or GLOB pattern too
    complex", exit 70); no stored reference is that long, so none contains it."""
    huge = "%_%" * 40000
    missing = cli("show", huge)
    assert missing.exit_code == 3 and "Traceback" not in missing.stderr, missing.stderr
    assert "Aucune demande de référence" in missing.stderr and "proches" not in missing.stderr

