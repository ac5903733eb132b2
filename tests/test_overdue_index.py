"""cada overdue reads the covering partial index, never the request table (SQLite)."""

from __future__ import annotations

from sqlalchemy import text

from cada_tracker import paths, storage
from cada_tracker.services.overdue_query import _QUERY


def test_overdue_query_uses_the_covering_index(cli, draft_ref):
    engine = storage.open_db(paths.resolve())
    with engine.connect() as conn:
        plan = " ".join(str(row[-1]) for row in conn.execute(
            text("EXPLAIN QUERY PLAN " + _QUERY), {"horizon": "2026-12-01"}))
    engine.dispose()
    assert "USING COVERING INDEX ix_request_pending_clock" in plan, plan
    assert "SCAN r " not in plan.replace("SCAN r USING COVERING INDEX", "")


def test_series_query_reads_only_its_covering_index(cli, draft_ref):
    """The subjects of the campaigns waiting for a grouped referral are counted from
    the partial index of sent requests (migrations 0015, 0019) in its order: no table
    row, no temporary B-tree."""
    from cada_tracker.readdb import in_list
    from cada_tracker.services.overdue_query import _SUBJECTS

    engine = storage.open_db(paths.resolve())
    names, params = in_list("name", ["a", "b"])
    with engine.connect() as conn:
        plan = " ".join(str(row[-1]) for row in conn.execute(
            text("EXPLAIN QUERY PLAN " + _SUBJECTS.format(names=names)), params))
    engine.dispose()
    assert "USING COVERING INDEX ix_request_series_subject" in plan, plan
    assert "TEMP B-TREE" not in plan, plan


def test_series_of_several_campaigns_come_from_one_query(cli, draft_ref):
    """Two campaigns awaiting a grouped referral: one ``IN`` list of both names (it was
    rendered ``IN ((?, ?))``, a row value SQLite refuses as soon as there are two)."""
    from cada_tracker.services.overdue_query import series_members
    from cada_tracker.services.series_rule import SERIES_THRESHOLD

    for n in range(SERIES_THRESHOLD):
        cli("admin", "add", f"Mairie {n}", "--kind", "commune", "--postcode", "69001",
            "--city", "Lyon", ok=True)
    engine = storage.open_db(paths.resolve())
    expected = {}
    with engine.begin() as conn:
        admins = [row[0] for row in conn.execute(text(
            "SELECT id FROM administration ORDER BY id DESC LIMIT :n"), {"n": SERIES_THRESHOLD})]
        for campaign in ("vsa-2025", "drones-2026"):
            expected[campaign] = {f"{campaign}-{admin}" for admin in admins}
            for admin in admins:
                conn.execute(text(
                    "INSERT INTO request (reference, administration_id, subject, mode, regime,"
                    " campaign, template, letter_html, profile, sender_name, sender_address,"
                    " sender_email, sender_city, status, sent_on, created_at, updated_at)"
                    " SELECT :ref, :admin, 'Caméras', mode, regime, :campaign, template,"
                    " letter_html, profile, sender_name, sender_address, sender_email,"
                    " sender_city, 'sent', '2026-01-05', created_at, updated_at"
                    " FROM request WHERE reference = :template"),
                    {"ref": f"{campaign}-{admin}", "admin": admin, "campaign": campaign,
                     "template": draft_ref})
        members = series_members(conn, {"vsa-2025", "drones-2026"})
    engine.dispose()
    assert members == expected


def test_series_members_follow_the_series_rule(cli, backend, draft_ref):
    """The SQL grouping gives pick_members' members: subjects compared case- and
    space-insensitively, a tie won by the subject seen first in reference order, one
    request per administration (its first), drafts left out."""
    from cada_tracker.services.overdue_query import series_members
    from cada_tracker.services.series_rule import SERIES_THRESHOLD, pick_members

    for n in range(8):
        cli("admin", "add", f"Mairie {n}", "--kind", "commune", "--postcode", "69001",
            "--city", "Lyon", ok=True)
    engine = storage.open_db(paths.resolve())
    subjects = ["Drones ", "Caméras", "caméras", "Drones", "CAMÉRAS  ", "Drones", "drones",
                "Caméras", "Autre", "caméras", "Drones", "Caméras"]
    insert = text(
        "INSERT INTO request (reference, administration_id, subject, mode, regime,"
        " campaign, template, letter_html, profile, sender_name, sender_address,"
        " sender_email, sender_city, status, sent_on, created_at, updated_at)"
        " SELECT :ref, :admin, :subject, mode, regime, :campaign, template,"
        " letter_html, profile, sender_name, sender_address, sender_email,"
        " sender_city, 'sent', :sent, created_at, updated_at"
        " FROM request WHERE reference = :template")
    with engine.begin() as conn:
        admins = [row[0] for row in conn.execute(text(
            "SELECT id FROM administration ORDER BY id DESC LIMIT 8"))]
        sent = []
        for i, subject in enumerate(subjects):
            for campaign, shift in (("most", 0), ("tie", 1)):
                admin = admins[(i + shift) % 8]  # some administrations twice
                ref = f"{campaign}-{i:02d}"
                on = None if i == 4 and campaign == "tie" else "2026-01-05"  # a draft
                conn.execute(insert, {"ref": ref, "admin": admin, "subject": subject,
                                      "campaign": campaign, "sent": on,
                                      "template": draft_ref})
                if on is not None:
                    sent.append((campaign, ref, subject, admin))
        small = [(f"small-{n}", admins[n]) for n in range(SERIES_THRESHOLD - 1)]
        for ref, admin in small:
            conn.execute(insert, {"ref": ref, "admin": admin, "subject": "X",
                                  "campaign": "small", "sent": "2026-01-05",
                                  "template": draft_ref})
        members = series_members(conn, {"tie", "most", "small", "none"})
    engine.dispose()
    expected = {}
    for campaign in ("tie", "most"):
        rows = sorted((ref, subject, admin) for c, ref, subject, admin in sent if c == campaign)
        picked = set(pick_members(rows))
        if len(picked) >= SERIES_THRESHOLD:
            expected[campaign] = picked
    assert members == expected
    # Cameras win by six to five; without the draft, the drones seen first win the tie.
    assert members["most"] == {f"most-{i:02d}" for i in (1, 2, 4, 7, 11)}
    assert members["tie"] == {f"tie-{i:02d}" for i in (0, 3, 5, 6, 10)}
