"""cada calendar: globally unique stable UIDs, one event per series deadline, dates and
articles in the description, alarms 7 days before the CADA steps and 14 before court."""

from __future__ import annotations

from datetime import date, timedelta

from icalendar import Calendar


def _series(cli, db: list[str], count: int = 6) -> list[str]:
    cli(*db, "init", "--name", "G", "--address", r"1 rue X\n38000 Grenoble", "--email",
        "g@example.org", "--city", "Grenoble", ok=True)
    for i in range(count):
        cli(*db, "admin", "add", f"Commune {i}", "--kind", "commune", "--postcode",
            f"38{i:03d}", "--city", "V", "--tag", "s", ok=True)
    refs = [r["reference"] for r in cli(*db, "new", "--to-tag", "s", "--subject", "VSA",
                                        "--doc", "Contrats", "--campaign", "vsa-isere",
                                        "--json", ok=True).json()]
    cli(*db, "sent", "--campaign", "vsa-isere", "--on", "2026-09-07", "--via", "lrar", ok=True)
    cli(*db, "received", "--campaign", "vsa-isere", "--on", "2026-09-09", ok=True)
    return refs


def _events(path):
    return list(Calendar.from_ical(path.read_bytes()).walk("VEVENT"))


def test_series_is_one_event_per_deadline_with_dates_articles_and_alarms(cli, tmp_path):
    refs = _series(cli, [])
    out = tmp_path / "cada.ics"
    cli("calendar", "--out", out, "--today", "2026-09-20", ok=True)
    events = _events(out)
    summaries = [str(e.get("summary")) for e in events]
    assert all("série vsa-isere" in s for s in summaries), summaries
    keys = sorted(str(e.get("categories").to_ical().decode()).split(",")[1] for e in events)
    assert len(keys) == len(set(keys))  # one event per step, not one per member
    implicit = next(e for e in events if "implicit_refusal" in e.get("categories").to_ical()
                    .decode())
    text = str(implicit.get("description"))
    assert all(ref in text for ref in refs) and "L342-1 al. 2" in text
    assert "Date prudente : 09/10/2026 ; date légale (dernier jour) : 09/10/2026." in text
    assert "Articles : R*311-12 et R311-13 CRPA." in text
    referral = next(e for e in events
                    if e.get("categories").to_ical().decode().split(",")[1] == "cada_deadline")
    assert "Articles : L342-1 et R343-1 CRPA" in str(referral.get("description"))
    [alarm] = referral.walk("VALARM")
    assert alarm.decoded("trigger") == timedelta(days=-7)
    uids = [str(e.get("uid")) for e in events]
    assert len(set(uids)) == len(uids)
    assert all(u.startswith("serie-vsa-isere-") and u.endswith("@cada") for u in uids)


def test_uids_are_stable_and_differ_between_databases(cli, tmp_path, profile, admin_id):
    ref = cli("new", "--to", admin_id, "--subject", "S", "--doc", "D", "--json",
              ok=True).json()["reference"]
    cli("sent", ref, "--on", "2026-09-01", "--via", "lrar", ok=True)
    cli("received", ref, "--on", "2026-09-03", ok=True)
    other = ["--db", f"sqlite:///{tmp_path / 'autre.db'}"]
    cli(*other, "admin", "add", "Mairie", "--kind", "commune", "--postcode", "69001",
        "--city", "Lyon", ok=True)
    cli(*other, "new", "--to", "1", "--subject", "S", "--doc", "D", "--mode", "email", ok=True)
    cli(*other, "sent", ref, "--on", "2026-09-01", "--via", "lrar", ok=True)
    cli(*other, "received", ref, "--on", "2026-09-03", ok=True)

    def uids(db, name):
        path = tmp_path / name
        cli(*db, "calendar", "--out", path, "--today", "2026-09-10", ok=True)
        return {str(e.get("uid")) for e in _events(path)}

    first, again, elsewhere = uids([], "a.ics"), uids([], "b.ics"), uids(other, "c.ics")
    assert first == again and len(first) >= 2
    assert all(u.startswith(f"{ref}-") for u in first)
    assert not first & elsewhere  # same reference and step, another database


def test_alarms_are_configurable(cli, tmp_path, profile, admin_id):
    ref = cli("new", "--to", admin_id, "--subject", "S", "--doc", "D", "--json",
              ok=True).json()["reference"]
    cli("sent", ref, "--on", "2026-09-01", "--via", "lrar", ok=True)
    cli("received", ref, "--on", "2026-09-03", ok=True)
    cli("answer", ref, "--on", "2026-09-10", "--outcome", "refusal", ok=True)
    cli("refer", ref, "--on", "2026-09-15", "--no-letter", ok=True)
    cli("refer", ref, "--registered", "2026-09-17", "--cada-ref", "1", ok=True)
    out = tmp_path / "c.ics"
    cli("calendar", "--out", out, "--today", "2026-09-20", ok=True)
    by_key = {e.get("categories").to_ical().decode().split(",")[1]: e for e in _events(out)}
    assert by_key["court_deadline"].walk("VALARM")[0].decoded("trigger") == timedelta(days=-14)
    cli("calendar", "--out", out, "--today", "2026-09-20", "--alarm-court", "21", "--force",
        ok=True)
    by_key = {e.get("categories").to_ical().decode().split(",")[1]: e for e in _events(out)}
    assert by_key["court_deadline"].walk("VALARM")[0].decoded("trigger") == timedelta(days=-21)
    cli("calendar", "--out", out, "--today", "2026-09-20", "--alarm-court", "0", "--force",
        ok=True)
    by_key = {e.get("categories").to_ical().decode().split(",")[1]: e for e in _events(out)}
    assert by_key["court_deadline"].walk("VALARM") == []


def test_two_series_at_once(cli, tmp_path, backend):
    """Two campaigns forming series: one grouped event each (the series query takes a
    list of campaigns; it once rendered it as a row value, an error past one name)."""
    cli("init", "--name", "G", "--address", r"1 rue X\n38000 Grenoble", "--email",
        "g@example.org", "--city", "Grenoble", ok=True)
    for name in ("vsa", "drones"):
        for i in range(5):
            cli("admin", "add", f"Commune {name} {i}", "--kind", "commune", "--postcode",
                f"38{i:03d}", "--city", "V", "--tag", name, ok=True)
        cli("new", "--to-tag", name, "--subject", name.upper(), "--doc", "Contrats",
            "--campaign", name, ok=True)
        cli("sent", "--campaign", name, "--on", "2026-09-07", "--via", "lrar", ok=True)
    overdue = cli("overdue", "--today", "2026-11-20", "--json")
    assert overdue.exit_code == 1, overdue.stderr
    out = tmp_path / "cada.ics"
    cli("calendar", "--out", out, "--today", "2026-09-20", ok=True)
    summaries = {str(e.get("summary")) for e in _events(out)}
    assert any("série vsa" in s for s in summaries), summaries
    assert any("série drones" in s for s in summaries), summaries
    assert not any("Commune" in s for s in summaries), summaries


def test_a_series_deadline_only_one_member_has_is_that_request_s_own_event(cli, tmp_path,
                                                                         backend):
    """One member refused early: its referral deadline is its own, so its event is
    the request's (its UID, its reference in the summary), the others stay grouped."""
    refs = _series(cli, [])
    cli("answer", refs[0], "--on", "2026-09-15", "--outcome", "refusal", ok=True)
    out = tmp_path / "cada.ics"
    cli("calendar", "--out", out, "--today", "2026-09-20", ok=True)
    own = [e for e in _events(out) if refs[0] in str(e.get("summary"))]
    assert own and all(str(e.get("uid")).startswith(f"{refs[0]}-") for e in own)
    assert all("L342-1 al. 2" not in str(e.get("description")) for e in own)
    grouped = [e for e in _events(out) if "série vsa-isere" in str(e.get("summary"))]
    assert grouped and all(refs[1] in str(e.get("description")) for e in grouped)
    # Line for line what the same events written one by one give.
    from cada_tracker.cli.common import reading
    from cada_tracker.services.calendar import database_id, upcoming_deadlines, write_calendar

    slow = tmp_path / "slow.ics"
    with reading() as connection:
        write_calendar(slow, upcoming_deadlines(connection, today=date(2026, 9, 20)),
                       database=database_id(connection))
    assert _undated(out) == _undated(slow)


def _undated(path) -> list[bytes]:
    return [line for line in path.read_bytes().split(b"\r\n") if not line.startswith(b"DTSTAMP")]
