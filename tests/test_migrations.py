"""Schema history: from an empty database, from every earlier schema with data, newer refused."""

from __future__ import annotations

import os
import sqlite3
import stat

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text

from cada_tracker import paths, storage
from cada_tracker.errors import StorageError

# These tests are about migrating: every database they open runs the migrations.
pytestmark = pytest.mark.migrations


def _revisions() -> list[str]:
    script = ScriptDirectory.from_config(storage.alembic_config())
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def test_schema_head_constant_matches_alembic():
    script = ScriptDirectory.from_config(storage.alembic_config())
    assert script.get_current_head() == storage.SCHEMA_HEAD


def test_models_match_the_migrations(tmp_path):
    """Autogenerate finds nothing to do: no model change without its migration."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from cada_tracker.models import metadata

    loc = paths.resolve(f"sqlite:///{tmp_path / 'm.db'}")
    engine = storage.open_db(loc)
    with engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"include_name": storage.include_name}),
            metadata)
    assert diff == []


def test_empty_database_is_created_private_and_migrated(isolated_home):
    loc = paths.resolve()
    engine = storage.open_db(loc)
    assert storage.current_revision(engine) == storage.SCHEMA_HEAD
    assert stat.S_IMODE(os.stat(loc.sqlite_path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(loc.data_dir).st_mode) == 0o700
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000


# Rows written with the first schema's columns only: they must survive every upgrade.
FIRST_SCHEMA_DATA = [
    """INSERT INTO administration (id, name, kind, addressee, street, postcode, city, email,
       department, created_at, updated_at)
       VALUES (1, 'Mairie de Lyon', 'commune', 'Monsieur le maire', '1 place de la Comédie',
       '69001', 'Lyon', NULL, '69', '2026-01-02 10:00:00', '2026-01-02 10:00:00')""",
    "INSERT INTO administration_tag (administration_id, tag) VALUES (1, 'rhone')",
    """INSERT INTO request (id, reference, administration_id, subject, mode, regime, template,
       letter_html, profile, sender_name, sender_address, sender_email, sender_city, status,
       sent_on, received_on, created_at, updated_at)
       VALUES (1, '2026-0001', 1, 'Caméras', 'email', 'general', 'demande', '<p>lettre</p>',
       'defaut', 'Marie', '3 rue X', 'm@x.fr', 'Lyon', 'received', '2026-01-05', '2026-01-07',
       '2026-01-02 10:00:00', '2026-01-07 10:00:00')""",
    """INSERT INTO requested_document (id, request_id, position, description, outcome)
       VALUES (1, 1, 1, 'Liste des caméras', 'pending')""",
    """INSERT INTO event (id, request_id, kind, "on", channel, tracking, created_at)
       VALUES (1, 1, 'sent', '2026-01-05', 'lrar', '1A', '2026-01-05 10:00:00')""",
    """INSERT INTO event (id, request_id, kind, "on", created_at)
       VALUES (2, 1, 'received', '2026-01-07', '2026-01-07 10:00:00')""",
]


@pytest.mark.parametrize("start", _revisions())
def test_upgrade_from_every_schema_keeps_the_data(tmp_path, start):
    db = tmp_path / "old.db"
    url = f"sqlite:///{db}"
    engine = create_engine(url)
    with engine.begin() as conn:
        command.upgrade(storage.alembic_config(conn), start)
        for statement in FIRST_SCHEMA_DATA:
            conn.execute(text(statement))
    engine.dispose()

    upgraded = storage.open_db(paths.resolve(url))
    assert storage.current_revision(upgraded) == storage.SCHEMA_HEAD
    with upgraded.connect() as conn:
        row = conn.execute(text(
            "SELECT reference, subject, status, sent_on, received_on FROM request")).one()
        assert tuple(row) == ("2026-0001", "Caméras", "received", "2026-01-05", "2026-01-07")
        assert conn.execute(text("SELECT count(*) FROM event")).scalar() == 2
        assert conn.execute(text("SELECT tag FROM administration_tag")).scalar() == "rhone"
        # 0009: an administration from before has no stored designation (derived when used).
        assert conn.execute(text("SELECT designation FROM administration")).scalar() is None
        # 0010: search keys backfilled for the rows already there (rows written by
        # plain SQL into a later schema have none: cada writes them).
        keys = start < "0010"
        assert not keys or tuple(conn.execute(text(
            "SELECT search_key, name_key FROM administration")).one()) == (
            "mairie de lyon lyon 69001", "mairie lyon")
        assert not keys or conn.execute(text("SELECT search_key FROM request")).scalar() == (
            "2026 0001 cameras")
        assert not keys or conn.execute(text(
            "SELECT search_key FROM requested_document")).scalar() == "liste des cameras"
        # 0012: requests typed in have no Ma Dada source, events no Alaveteli key.
        assert conn.execute(text("SELECT source_url FROM request")).scalar() is None
        assert conn.execute(text("SELECT count(source_key) FROM event")).scalar() == 0
        # 0013: the orders of cada list --sort are indexed.
        indexes = {row[1] for row in conn.execute(text("PRAGMA index_list('request')"))}
        assert {"ix_request_list_created", "ix_request_list_sent", "ix_request_list_status",
                "ix_request_list_deadline", "ix_request_list_admin"} <= indexes
        # 0015: the series query reads a partial index of the sent requests, ordered
        # by subject since 0019 (which replaces 0015's).
        assert "ix_request_series_subject" in indexes
        assert "ix_request_series" not in indexes
        # 0016: the calendar reads its steps from a partial index of pending requests.
        assert "ix_request_calendar" in indexes
        # 0017: cada stats reads a covering index ordered by administration.
        assert "ix_request_stats" in indexes
        # 0020: no answer was recorded, so no response time.
        assert conn.execute(text("SELECT response_days FROM request")).scalar() is None
    if start != storage.SCHEMA_HEAD:
        backups = list(tmp_path.glob(f"old.db.schema-{start}.bak"))
        assert backups, "an existing SQLite file is backed up before it is upgraded"
        copy = sqlite3.connect(backups[0])
        assert copy.execute("SELECT version_num FROM alembic_version").fetchone()[0] == start
        copy.close()


def test_upgraded_database_works_with_the_cli(tmp_path, cli, monkeypatch):
    db = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        command.upgrade(storage.alembic_config(conn), _revisions()[0])
        for statement in FIRST_SCHEMA_DATA:
            conn.execute(text(statement))
    engine.dispose()
    shown = cli("--db", f"sqlite:///{db}", "show", "2026-0001", "--json", ok=True).json()
    assert shown["administration"]["name"] == "Mairie de Lyon"
    assert [e["kind"] for e in shown["events"]] == ["sent", "received"]
    found = cli("--db", f"sqlite:///{db}", "list", "--search", "CAMÉRAS lyon", "--json").json()
    assert [r["reference"] for r in found] == ["2026-0001"]  # keys backfilled by 0010
    # The clock columns added by 0002 were computed for the old request: overdue sees it.
    due = cli("--db", f"sqlite:///{db}", "overdue", "--today", "2026-02-10", "--json").json()
    assert [i["reference"] for i in due["action_needed"]] == ["2026-0001"]


def test_newer_schema_is_refused(tmp_path, cli):
    db = tmp_path / "future.db"
    storage.open_db(paths.resolve(f"sqlite:///{db}"))
    conn = sqlite3.connect(db)
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.commit()
    conn.close()
    storage._engines.clear()
    with pytest.raises(StorageError, match="plus récente"):
        storage.open_db(paths.resolve(f"sqlite:///{db}"))
    result = cli("--db", f"sqlite:///{db}", "list")
    assert result.exit_code == 5 and "plus récente" in result.stderr


# A request recorded with schema 0003, with the clock the engine stored before RULES.md
# §12bis: an express refusal after the implicit refusal of 7 Feb moved the referral's
# first day to the day after the letter (21 Feb), and no legal last day was stored.
CLOCK_0003_DATA = [
    """INSERT INTO event (id, request_id, kind, "on", outcome, mentions, created_at)
       VALUES (3, 1, 'answer', '2026-02-20', 'refusal', 1, '2026-02-20 10:00:00')""",
    """INSERT INTO event (id, request_id, kind, "on", mentions, created_at)
       VALUES (4, 1, 'ack', '2026-01-08', 1, '2026-01-08 10:00:00')""",
    """UPDATE request SET status = 'refused', next_action = 'refer',
       action_from = '2026-02-21', action_due = '2026-04-06',
       implicit_refusal_on = '2026-02-07', cada_deadline_on = '2026-04-06'""",
]


def _clock_0003_database(tmp_path):
    db = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        command.upgrade(storage.alembic_config(conn), "0003")
        for statement in FIRST_SCHEMA_DATA + CLOCK_0003_DATA:
            conn.execute(text(statement))
    engine.dispose()
    return db, f"sqlite:///{db}"


def test_upgrade_from_0003_recomputes_the_stored_clock(tmp_path, cli):
    db, url = _clock_0003_database(tmp_path)
    # On 12 Feb the old clock said "upcoming, from 21 Feb"; the refusal is in fact
    # referable from 8 Feb (the day after the implicit refusal).
    due = cli("--db", url, "overdue", "--today", "2026-02-12", "--json")
    assert "délais recalculés pour 1 demande" in due.stderr
    item = due.json()["action_needed"][0]
    assert (item["category"], item["state"]) == ("refer", "safe")
    assert (item["date"], item["legal_date"]) == ("2026-04-06", "2026-04-20")  # reopened by the letter
    conn = sqlite3.connect(db)
    row = conn.execute("SELECT action_from, action_due, action_due_legal, reasonable_delay_on "
                       "FROM request").fetchone()
    conn.close()
    assert row == ("2026-02-08", "2026-04-06", "2026-04-20", None)
    past = cli("--db", url, "overdue", "--today", "2026-04-07", "--json").json()
    assert past["action_needed"][0]["state"] == "past_safe"


def test_upgrade_to_0010_makes_sous_prefectures_their_own_kind(tmp_path):
    db = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        command.upgrade(storage.alembic_config(conn), "0009")
        conn.execute(text(
            "INSERT INTO administration (id, name, kind, street, postcode, city, created_at, "
            "updated_at) VALUES (1, 'Sous-Préfecture de Gex', 'prefecture', '', '01170', "
            "'Gex', '2026-01-02', '2026-01-02'), (2, 'Préfecture de l''Ain', 'prefecture', "
            "'', '01012', 'Bourg', '2026-01-02', '2026-01-02')"))
    engine.dispose()
    upgraded = storage.open_db(paths.resolve(f"sqlite:///{db}"))
    with upgraded.connect() as conn:
        rows = conn.execute(text("SELECT kind, name_key FROM administration ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [("sous_prefecture", "sous prefecture gex"),
                                            ("prefecture", "prefecture ain")]
        assert conn.execute(text("SELECT count(*) FROM administration_alias")).scalar() == 0


def test_0010_backfills_the_search_keys_on_postgresql(pg_server):
    url = pg_server.create_database()
    engine = create_engine(url)
    with engine.begin() as conn:
        command.upgrade(storage.alembic_config(conn), "0009")
        for statement in FIRST_SCHEMA_DATA:
            conn.execute(text(statement))
    engine.dispose()
    upgraded = storage.open_db(paths.resolve(url))
    with upgraded.connect() as conn:
        assert tuple(conn.execute(text(
            "SELECT search_key, name_key FROM administration")).one()) == (
            "mairie de lyon lyon 69001", "mairie lyon")
        assert conn.execute(text("SELECT search_key FROM request")).scalar() == (
            "2026 0001 cameras")
    upgraded.dispose()


def test_0018_stores_sizes_of_two_gibibytes_and_more_on_postgresql(pg_server):
    """From 0017 (with data): a stored file or e-mail of 3 GiB overflowed PostgreSQL's
    INTEGER; after the upgrade it is stored, and the sizes already there are kept."""
    from sqlalchemy.exc import DataError

    url = pg_server.create_database()
    engine = create_engine(url)
    big = 3 * 2**30
    file_row = ("INSERT INTO stored_file (id, request_id, original_name, path, sha256, size, "
                "created_at) VALUES (:id, 1, 'video.mp4', :path, 'ab', :size, "
                "'2026-01-08 10:00:00')")
    mail_row = ("INSERT INTO mail_message (id, message_id, direction, state, subject, sender, "
                "recipients, sha256, size, created_at) VALUES (:id, :mid, 'in', 'received', "
                "'', '', '', 'ab', :size, '2026-01-08 10:00:00')")
    with engine.begin() as conn:
        command.upgrade(storage.alembic_config(conn), "0017")
        for statement in FIRST_SCHEMA_DATA:
            conn.execute(text(statement))
        conn.execute(text(file_row), {"id": 1, "path": "f/1", "size": 12345})
        conn.execute(text(mail_row), {"id": 1, "mid": "<1@x>", "size": 678})
    for statement, values in ((file_row, {"id": 2, "path": "f/2", "size": big}),
                              (mail_row, {"id": 2, "mid": "<2@x>", "size": big})):
        with pytest.raises(DataError), engine.begin() as conn:  # the bug: 32 bits
            conn.execute(text(statement), values)
    engine.dispose()
    upgraded = storage.open_db(paths.resolve(url))
    with upgraded.begin() as conn:
        conn.execute(text(file_row), {"id": 2, "path": "f/2", "size": big})
        conn.execute(text(mail_row), {"id": 2, "mid": "<2@x>", "size": big})
        assert conn.execute(text("SELECT id, size FROM stored_file ORDER BY id")).all() == [
            (1, 12345), (2, big)]
        assert conn.execute(text("SELECT id, size FROM mail_message ORDER BY id")).all() == [
            (1, 678), (2, big)]
    upgraded.dispose()


# Events recorded before 0014: a cancelled full answer, fees asked, an express partial
# refusal, a referral, and a closing as obtained after a first closing's cancel.
SUMMARY_0012_DATA = [
    """INSERT INTO event (id, request_id, kind, "on", outcome, created_at)
       VALUES (3, 1, 'answer', '2026-01-20', 'full', '2026-01-20 10:00:00')""",
    """INSERT INTO event (id, request_id, kind, "on", cancels_id, text, created_at)
       VALUES (4, 1, 'cancel', '2026-01-21', 3, 'erreur', '2026-01-21 10:00:00')""",
    """INSERT INTO event (id, request_id, kind, "on", outcome, created_at)
       VALUES (5, 1, 'answer', '2026-01-25', 'fees', '2026-01-25 10:00:00')""",
    """INSERT INTO event (id, request_id, kind, "on", outcome, refused, created_at)
       VALUES (6, 1, 'answer', '2026-01-30', 'partial', '1', '2026-01-30 10:00:00')""",
    """INSERT INTO event (id, request_id, kind, "on", channel, created_at)
       VALUES (7, 1, 'referred', '2026-02-10', 'email', '2026-02-10 10:00:00')""",
    """INSERT INTO event (id, request_id, kind, "on", reason, created_at)
       VALUES (8, 1, 'close', '2026-03-01', 'abandoned', '2026-03-01 10:00:00')""",
    """INSERT INTO event (id, request_id, kind, "on", cancels_id, text, created_at)
       VALUES (9, 1, 'cancel', '2026-03-02', 8, 'erreur', '2026-03-02 10:00:00')""",
    """INSERT INTO event (id, request_id, kind, "on", reason, created_at)
       VALUES (10, 1, 'close', '2026-03-05', 'obtained', '2026-03-05 10:00:00')""",
]


def test_upgrade_to_0014_stores_what_the_events_say(tmp_path):
    """The backfill (SQL) gives each request what lifecycle.derive_summary gives."""
    from cada_tracker.services.lifecycle import derive_summary, ev_of

    db = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        command.upgrade(storage.alembic_config(conn), "0012")
        for statement in FIRST_SCHEMA_DATA + SUMMARY_0012_DATA:
            conn.execute(text(statement))
    engine.dispose()
    upgraded = storage.open_db(paths.resolve(f"sqlite:///{db}"))
    with upgraded.connect() as conn:
        stored = dict(conn.execute(text(
            "SELECT answered_on, express_refusal, referred_on, closed_on, closed_reason, "
            "obtained FROM request")).mappings().one())
        events = [ev_of(e) for e in conn.execute(text(
            'SELECT id, kind, "on", outcome, got, refused, cancels_id, mentions, channel, '
            "reason FROM event ORDER BY id"))]
        docs = {1: conn.execute(text("SELECT outcome FROM requested_document")).scalar()}
    from datetime import date

    expected = derive_summary([e.__class__(**{**e.__dict__, "on": date.fromisoformat(e.on)})
                               for e in events], docs)
    expected.pop("response_days")  # 0020's, checked by its own test
    assert stored == {**{k: v.isoformat() if isinstance(v, date) else v
                         for k, v in expected.items()},
                      "express_refusal": int(expected["express_refusal"]),
                      "obtained": int(expected["obtained"])}
    assert stored == {"answered_on": "2026-01-25", "express_refusal": 1,
                      "referred_on": "2026-02-10", "closed_on": "2026-03-05",
                      "closed_reason": "obtained", "obtained": 1}


def test_an_upgrade_killed_while_recomputing_the_clock_leaves_the_old_schema(
        tmp_path, cli, monkeypatch):
    """The clock an upgrade recomputes is part of the upgrade's transaction: a process
    killed after the migrations but before the clock is stored leaves the old schema
    (the next run upgrades again), never a new schema with the old clock, which no
    later run would recompute."""
    from cada_tracker.services import clock

    db, url = _clock_0003_database(tmp_path)
    real = clock.refresh_all

    def killed(session):
        real(session)
        session.flush()  # the new clock written, not committed
        raise KeyboardInterrupt

    monkeypatch.setattr(clock, "refresh_all", killed)
    assert cli("--db", url, "overdue", "--today", "2026-02-12").exit_code == 130
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [("0003",)]
    assert conn.execute("SELECT action_from FROM request").fetchall() == [("2026-02-21",)]
    conn.close()
    monkeypatch.setattr(clock, "refresh_all", real)
    due = cli("--db", url, "overdue", "--today", "2026-02-12", "--json")
    assert "délais recalculés pour 1 demande" in due.stderr
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [
        (storage.SCHEMA_HEAD,)]
    assert conn.execute("SELECT action_from FROM request").fetchall() == [("2026-02-08",)]
    conn.close()


def _one_administration(tmp_path, cli):
    """A new SQLite database with a profile and administration 1: (file, URL, --db)."""
    db = tmp_path / "old.db"
    url = f"sqlite:///{db}"
    base = ["--db", url]
    cli(*base, "init", "--name", "G", "--address", r"1 rue X\n38000 Grenoble", "--email",
        "g@example.org", "--city", "Grenoble", ok=True)
    cli(*base, "admin", "add", "Mairie", "--kind", "commune", "--postcode", "38000", "--city",
        "Grenoble", ok=True)
    return db, url, base


def test_upgrade_to_0016_stores_the_calendar_steps(tmp_path, cli):
    """From 0015: SQL fills what it can, the engine the pending rest; the calendar
    is then the same as before the downgrade."""
    db, url, base = _one_administration(tmp_path, cli)
    refs = []
    for regime, answers, referred in (("environment", [("2026-03-10", "extension")], False),
                                      ("general", [("2026-03-20", "refusal")], True),
                                      ("general", [], False)):
        ref = cli(*base, "new", "--to", "1", "--subject", "S", "--doc", "D", "--regime", regime,
                  "--json", ok=True).json()["reference"]
        cli(*base, "sent", ref, "--on", "2026-03-02", "--via", "lrar", ok=True)
        cli(*base, "received", ref, "--on", "2026-03-04", ok=True)
        for on, outcome in answers:
            cli(*base, "answer", ref, "--on", on, "--outcome", outcome, ok=True)
        if referred:
            cli(*base, "refer", ref, "--on", "2026-04-01", "--no-letter", ok=True)
        refs.append(ref)
    query = ("SELECT reference, implicit_refusal_safe_on, cada_deadline_legal_on FROM request "
             "ORDER BY reference")
    conn = sqlite3.connect(db)
    stored = conn.execute(query).fetchall()
    conn.close()
    assert stored[0][1] == "2026-04-04" and stored[1][2] is not None  # env. extension; referred
    before = tmp_path / "before.ics"
    cli(*base, "calendar", "--out", before, "--today", "2026-04-02", ok=True)
    engine = create_engine(url)
    with engine.begin() as c:
        command.downgrade(storage.alembic_config(c), "0015")
    engine.dispose()
    after = tmp_path / "after.ics"
    upgraded = cli(*base, "calendar", "--out", after, "--today", "2026-04-02", ok=True)
    assert "délais recalculés pour 2 demande(s)" in upgraded.stderr  # SQL did the third
    conn = sqlite3.connect(db)
    assert conn.execute(query).fetchall() == stored
    conn.close()

    def events(path):
        return sorted(line for line in path.read_bytes().split(b"\r\n")
                      if not line.startswith(b"DTSTAMP"))

    assert events(after) == events(before)


def test_0020_stores_the_response_times_the_statistics_computed(cli, backend):
    """From 0019 (a downgrade, then the upgrade ``open_db`` runs): the response time
    filled in SQL is what ``derive_summary`` stores for new events, the statistics
    are unchanged, and the downgrade drops the column without touching the events."""
    from sqlalchemy import inspect

    from cada_tracker.cli.common import locations

    cli("init", "--name", "G", "--address", r"1 rue X\n38000 Grenoble", "--email",
        "g@example.org", "--city", "Grenoble", ok=True)
    cli("admin", "add", "Mairie", "--kind", "commune", "--postcode", "38000", "--city",
        "Grenoble", ok=True)
    histories = (
        [("received", "2026-03-04"), ("answer", "2026-03-20", "full")],  # 16 days
        [("answer", "2026-03-12", "refusal")],  # no receipt: from the sending, 10 days
        [("received", "2026-03-05"), ("answer", "2026-03-09", "extension")],  # none yet
        [("received", "2026-03-03"), ("answer", "2026-03-06", "fees"),
         ("answer", "2026-04-01", "full")],  # the first deciding answer: 3 days
        [],  # nothing answered
    )
    for history in histories:
        ref = cli("new", "--to", "1", "--subject", "S", "--doc", "D", "--json",
                  ok=True).json()["reference"]
        cli("sent", ref, "--on", "2026-03-02", "--via", "lrar", ok=True)
        for kind, on, *outcome in history:
            if kind == "received":
                cli("received", ref, "--on", on, ok=True)
            else:
                cli("answer", ref, "--on", on, "--outcome", *outcome, ok=True)
    query = "SELECT reference, response_days FROM request ORDER BY reference"
    url = locations().database_url
    engine = create_engine(url)
    with engine.connect() as conn:
        stored = [tuple(row) for row in conn.execute(text(query))]
        events = conn.execute(text("SELECT count(*) FROM event")).scalar()
    assert [days for _, days in stored] == [16, 10, None, 3, None]
    stats = cli("stats", "--json", "--today", "2026-06-01", ok=True).json()
    assert stats["overall"]["median_response_days"] == 10
    with engine.begin() as conn:
        command.downgrade(storage.alembic_config(conn), "0019")
    with engine.connect() as conn:
        assert "response_days" not in {c["name"] for c in inspect(conn).get_columns("request")}
        assert conn.execute(text("SELECT count(*) FROM event")).scalar() == events
    engine.dispose()
    assert cli("stats", "--json", "--today", "2026-06-01", ok=True).json() == stats
    engine = create_engine(url)
    with engine.connect() as conn:
        assert [tuple(row) for row in conn.execute(text(query))] == stored
    engine.dispose()


def test_upgrade_to_0021_recomputes_the_clocks_the_engine_corrections_change(tmp_path, cli):
    """0021 changes no table: it recomputes, with the corrected engine, the stored
    clock of the pending requests its corrections reach. The court date below was
    stored one week late by the engine before (§12bis-7)."""
    db, url, base = _one_administration(tmp_path, cli)
    refs = []
    for _ in range(2):
        refs.append(cli(*base, "new", "--to", "1", "--subject", "S", "--doc", "D", "--json",
                        ok=True).json()["reference"])
        cli(*base, "sent", refs[-1], "--on", "2025-11-28", "--via", "lrar", ok=True)
        cli(*base, "received", refs[-1], "--on", "2025-12-01", ok=True)
    cli(*base, "refer", refs[0], "--on", "2026-02-01", "--no-letter", ok=True)
    cli(*base, "refer", refs[0], "--registered", "2026-02-20", ok=True)
    cli(*base, "answer", refs[0], "--on", "2026-04-10", "--outcome", "refusal", ok=True)
    query = "SELECT reference, court_deadline_on, action_due FROM request ORDER BY reference"
    conn = sqlite3.connect(db)
    stored = conn.execute(query).fetchall()
    assert stored[0][1] == "2026-06-01"
    # As the engine before 0021 stored it; the other request is out of reach (received,
    # never referred): a wrong date there must stay as it is, proving the selection.
    conn.execute("UPDATE request SET court_deadline_on = '2026-06-10', "
                 "action_due = '2026-06-10' WHERE reference = ?", (refs[0],))
    conn.execute("UPDATE request SET action_due = '2026-01-30' WHERE reference = ?", (refs[1],))
    conn.commit()
    conn.close()
    engine = create_engine(url)
    with engine.begin() as c:
        command.downgrade(storage.alembic_config(c), "0020")
    engine.dispose()
    upgraded = cli(*base, "overdue", "--today", "2026-05-01", "--json")
    assert "délais recalculés pour 1 demande(s)" in upgraded.stderr
    conn = sqlite3.connect(db)
    after = conn.execute(query).fetchall()
    conn.close()
    assert after[0] == stored[0] and after[1] == (refs[1], stored[1][1], "2026-01-30")
