"""cada calendar reads the stored clock: for many generated requests its events, dates
and articles are what the engine computes from the events (both back ends), and the
RFC 5545 it writes itself parses back to the same text, however hostile."""

from __future__ import annotations

import random
from datetime import date, timedelta

from hypothesis import example, given
from hypothesis import strategies as st
from icalendar import Calendar

from cada_tracker.services.calendar import Deadline, write_calendar
from cada_tracker.services.calendar_ics import _description

ADMINS = (("Mairie de Grenoble", "38000", "38"), ("Mairie de Strasbourg", "67000", "67"),
          ("Mairie de Saint-Denis", "97400", "974"), ("Mairie de Lyon", "69001", "69"))


def _d(day: date) -> str:
    return day.isoformat()


def _generate(cli, rng: random.Random, count: int) -> None:
    """Requests with varied histories: regimes, zones, extensions, refusals, referrals,
    registrations and written confirmations, acknowledgements with or without mentions."""
    cli("init", "--name", "G", "--address", r"1 rue X\n38000 Grenoble", "--email",
        "g@example.org", "--city", "Grenoble", ok=True)
    ids = [cli("admin", "add", name, "--kind", "commune", "--postcode", postcode, "--city",
               "V", "--department", dept, "--json", ok=True).json()["id"]
           for name, postcode, dept in ADMINS]
    for _ in range(count):
        regime = rng.choice(["general", "general", "environment", "environment", "archives"])
        ref = cli("new", "--to", rng.choice(ids), "--subject", "S", "--doc", "D", "--regime",
                  regime, "--json", ok=True).json()["reference"]
        sent = date(2026, 1, 5) + timedelta(days=rng.randrange(240))
        cli("sent", ref, "--on", _d(sent), "--via", rng.choice(["lrar", "email"]), ok=True)
        day = sent
        if rng.random() < 0.8:
            day = sent + timedelta(days=rng.randrange(1, 5))
            cli("received", ref, "--on", _d(day), ok=True)
        if rng.random() < 0.4:
            cli("ack", ref, "--on", _d(day + timedelta(days=1)),
                "--mentions" if rng.random() < 0.6 else "--no-mentions", ok=True)
        if rng.random() < 0.35:
            cli("answer", ref, "--on", _d(day + timedelta(days=rng.randrange(5, 45))),
                "--outcome", "extension", ok=True)
        if rng.random() < 0.5:
            day += timedelta(days=rng.randrange(10, 70))
            cli("answer", ref, "--on", _d(day), "--outcome", "refusal",
                "--mentions" if rng.random() < 0.5 else "--no-mentions", ok=True)
        if rng.random() < 0.55:
            day += timedelta(days=rng.randrange(35, 80))
            # Refused before the refusal is acquired: the request stays unreferred.
            referred = cli("refer", ref, "--on", _d(day), "--no-letter").exit_code == 0
            if referred and rng.random() < 0.7:
                day += timedelta(days=rng.randrange(1, 6))
                cli("refer", ref, "--registered", _d(day), "--cada-ref", "1", ok=True)
            if referred and rng.random() < 0.3:
                cli("answer", ref, "--on", _d(day + timedelta(days=rng.randrange(5, 60))),
                    "--outcome", "refusal",
                    "--mentions" if rng.random() < 0.5 else "--no-mentions", ok=True)


def _engine_deadlines(today: date) -> set[tuple]:
    """What the calendar showed when it ran the engine on every pending request."""
    from sqlmodel import select

    from cada_tracker.cli.common import session
    from cada_tracker.models import Administration, Event, Request
    from cada_tracker.services.clock import legal_result
    from cada_tracker.services.lifecycle import active, ev_of

    expected = set()
    with session() as s:
        rows = s.exec(select(Request, Administration).join(
            Administration, Administration.id == Request.administration_id)).all()
        for request, admin in rows:
            if request.next_action is None:
                continue
            events = [ev_of(e) for e in s.exec(select(Event).where(
                Event.request_id == request.id).order_by(Event.id))]
            result = legal_result(request, admin, active(events), documents=1)
            for key in ("implicit_refusal", "cada_deadline", "confirmed_refusal",
                        "court_deadline"):
                step = result.step(key)
                if step is None:
                    continue
                on = step.date if key in ("implicit_refusal", "confirmed_refusal") \
                    else step.safe_date or step.date
                if on >= today:
                    expected.add((request.reference, key, on, "safe", step.safe_date,
                                  step.date, step.basis))
            key = "cada_deadline" if request.next_action == "refer" else "court_deadline"
            step = result.step(key)
            due = step.safe_date or step.date
            if step.date != due and step.date >= today:
                expected.add((request.reference, f"{key}_legal", step.date,
                              "past_safe" if due < today else "safe", step.safe_date,
                              step.date, step.basis))
    return expected


def _undated(path) -> list[bytes]:
    return [line for line in path.read_bytes().split(b"\r\n") if not line.startswith(b"DTSTAMP")]


def test_calendar_gives_what_the_engine_computes(cli, backend, tmp_path):
    from cada_tracker.cli.common import reading
    from cada_tracker.services.calendar import upcoming_deadlines, write_upcoming

    rng = random.Random(20261202)
    _generate(cli, rng, 25)
    seen: set[tuple] = set()
    for today in (date(2026, 3, 1), date(2026, 6, 10), date(2026, 9, 15), date(2026, 12, 20)):
        with reading() as connection:
            got = [(d.reference, d.key, d.on, d.state, d.safe_on, d.legal_on, d.basis)
                   for d in upcoming_deadlines(connection, today=today)]
            # What cada calendar writes from the rows is what those events give.
            write_calendar(tmp_path / "slow.ics", upcoming_deadlines(connection, today=today),
                           database="ab")
            write_upcoming(tmp_path / "fast.ics", connection, today=today, database="ab")
        assert _undated(tmp_path / "fast.ics") == _undated(tmp_path / "slow.ics")
        expected = _engine_deadlines(today)
        assert len(got) == len(set(got))
        assert set(got) == expected, today
        seen |= expected
    # The generated histories reach every step, state and article that can differ.
    assert {k for _r, k, *_x in seen} == {
        "implicit_refusal", "cada_deadline", "confirmed_refusal", "court_deadline",
        "cada_deadline_legal", "court_deadline_legal"}
    assert {s for _r, _k, _o, s, *_x in seen} == {"safe", "past_safe"}
    assert {b for *_x, b in seen if _x[1] == "implicit_refusal"} == {
        "R*311-12 et R311-13 CRPA", "R124-1 C. env.", "R124-1 C. env. (prolongation)",
        "L213-3 C. patrimoine"}


HOSTILE = [
    "Marché; lot 1, lot 2 \\ annexe",
    "Ligne 1\nLigne 2\r\nLigne 3\rfin",
    "Vidéoprotection à Saint-Étienne-de-Saint-Geoirs : délibérations, marchés publics, "
    "études d'impact, conventions, avenants et procès-verbaux — éàèùçœ" * 3,
    "Caméras 📷🎥 et drones 🛸, 🇫🇷; fin\\",
    "\x1b[31mrouge\x1b[0m",
]


def test_written_calendar_parses_back_to_the_same_text(tmp_path):
    deadlines = [Deadline(f"2026-{i:04d}", f"Mairie {text}", text, "court_deadline_legal",
                          date(2026, 12, 1) + timedelta(days=i), "past_safe",
                          date(2026, 11, 30), date(2026, 12, 1) + timedelta(days=i),
                          "R421-1 et R421-2 CJA ; art. 642 CPC")
                 for i, text in enumerate(HOSTILE)]
    deadlines.append(Deadline("série vsa", "2 administrations", HOSTILE[3], "cada_deadline",
                              date(2027, 1, 4), campaign="vsa; 2026",
                              members=(("2026-0100", HOSTILE[0]), ("2026-0101", HOSTILE[2]))))
    out = tmp_path / "c.ics"
    assert write_calendar(out, iter(deadlines), alarm_cada=3, alarm_court=0, database="ab") == 6
    raw = out.read_bytes()
    lines = raw.split(b"\r\n")
    assert lines[-1] == b"" and b"\n" not in raw.replace(b"\r\n", b"")
    assert max(len(line) for line in lines) <= 75  # octets, CRLF excluded
    assert all(line.decode() for line in lines if line)  # never cut inside a character
    events = list(Calendar.from_ical(raw).walk("VEVENT"))
    assert len(events) == 6
    shown = [t.replace("\r\n", "\n").replace("\r", "\n").replace("\x1b", "\\x1b")
             for t in HOSTILE]
    for event, text, d in zip(events, shown, deadlines):
        assert str(event.get("summary")) == (
            f"Recours au tribunal : dernier jour légal (date prudente dépassée, encore "
            f"possible) — {d.reference} Mairie {text}")
        assert str(event.get("description")) == (
            f"{text}\nDemande {d.reference} (Mairie {text}).\nDate prudente : 30/11/2026 ; "
            f"date légale (dernier jour) : {d.on:%d/%m/%Y}.\nArticles : R421-1 et R421-2 "
            "CJA ; art. 642 CPC.\nAprès ce jour, le délai est expiré.")
        assert event.decoded("dtstart") == d.on
        assert event.decoded("dtend") == d.on + timedelta(days=1)
        assert event.walk("VALARM") == []  # --alarm-court 0
        assert [str(c) for c in event.get("categories").cats] == [
            "cada", "court_deadline_legal", "past_safe"]
    series = events[-1]
    assert str(series.get("uid")) == "serie-vsa-2026-cada-deadline-20270104-ab@cada"
    assert str(series.get("description")).splitlines()[:4] == [
        shown[3], "Série « vsa; 2026 » (L342-1 al. 2 CRPA) : 2 demandes :",
        f"- 2026-0100 ({shown[0]})", f"- 2026-0101 ({shown[2]})"]
    [alarm] = series.walk("VALARM")
    assert alarm.decoded("trigger") == timedelta(days=-3)
    assert str(alarm.get("action")) == "DISPLAY"
    assert str(alarm.get("description")) == (
        "Échéance dans 3 jour(s) : Saisine de la CADA au plus tard")


def test_events_of_one_request_escape_each_part_as_the_whole(tmp_path):
    """The writer escapes a request's reference, name and subject once for all its
    events: every event still parses back to the texts of that event, not of the
    previous one, whatever the text holds at the joins (a carriage return last)."""
    ref, name, subject = "R;1,\\a\r", "Mairie\r", "Objet, 1;\r"
    first = Deadline(ref, name, subject, "cada_deadline", date(2027, 1, 4), "safe",
                     date(2027, 1, 4), date(2027, 1, 6), "L342-1 et R343-1 CRPA")
    second = first._replace(key="cada_deadline_legal", on=date(2027, 1, 6))
    other = first._replace(reference="R2", administration="Autre", subject="Autre objet")
    out = tmp_path / "c.ics"
    assert write_calendar(out, [first, second, other], database="ab") == 3
    events = list(Calendar.from_ical(out.read_bytes()).walk("VEVENT"))
    shown = [t.replace("\r", "\n") for t in (ref, name, subject)]
    assert [str(e.get("uid")) for e in events] == [
        f"{shown[0]}-cada-deadline-20270104-ab@cada",
        f"{shown[0]}-cada-deadline-legal-20270106-ab@cada", "R2-cada-deadline-20270104-ab@cada"]
    for event, d in zip(events, [first, second, other]):
        # What the whole text gives: "\r" then the "\n" that follows is one newline.
        whole = _description(d).replace("\r\n", "\n").replace("\r", "\n")
        assert str(event.get("description")) == whole
        assert str(event.get("summary")).endswith(
            f" — {d.reference} {d.administration}".replace("\r", "\n"))
    assert str(events[0].get("description")).startswith(
        "Objet, 1;\nDemande R;1,\\a\n (Mairie\n).\nDate prudente : 04/01/2027 ;")
    assert str(events[1].get("description")).endswith("Après ce jour, le délai est expiré.")


def test_database_id_is_the_one_earlier_versions_gave(cli, backend, profile, admin_id):
    """The UIDs of a subscribed calendar keep their database part: the identifier is
    the hash of the first request's reference and UTC creation instant, as the ORM
    reads it (an aware datetime), on both back ends."""
    import hashlib

    from sqlmodel import select

    from cada_tracker.cli.common import reading, session
    from cada_tracker.models import Request
    from cada_tracker.services.calendar import database_id

    with reading() as connection:
        assert database_id(connection) == ""
    for _ in range(2):
        cli("new", "--to", admin_id, "--subject", "S", "--doc", "D", ok=True)
    with session() as s:
        reference, created = s.exec(select(Request.reference, Request.created_at)
                                    .order_by(Request.created_at, Request.reference)).first()
    assert created.utcoffset() is not None
    expected = hashlib.sha256(f"{reference}|{created.isoformat()}".encode()).hexdigest()[:12]
    with reading() as connection:
        assert database_id(connection) == expected


@given(st.lists(st.text(st.characters(blacklist_categories=("Cs",)), max_size=200),
                min_size=1, max_size=4))
@example(["a" * 10, "é" * 80, "b;" * 100])
def test_parts_folded_apart_unfold_to_the_whole_line(parts):
    """``ics.start`` then ``ics.more`` for each further part: the calendar folds a
    request's head and a step's tail once each; the line must still be one valid
    content line (75 octets at most, no character cut) that unfolds to the whole."""
    from cada_tracker import ics

    first, *rest = [ics.text(p) for p in parts]
    raw = ics.start("DESCRIPTION", first) + b"".join(ics.more(p) for p in rest) + ics.CRLF
    lines = raw.split(b"\r\n")
    assert lines[-1] == b"" and all(line.startswith(b" ") for line in lines[1:-1])
    assert max(len(line) for line in lines) <= 75
    for line in lines:
        line.decode()  # never cut inside a character
    assert raw.replace(b"\r\n ", b"") == f"DESCRIPTION:{''.join([first, *rest])}\r\n".encode()


def test_a_reference_too_long_for_one_line_folds_its_uid(tmp_path):
    ref = "2026-" + "é" * 40 + ";x"  # 86 octets: the UID line must be folded
    d = Deadline(ref, "Mairie", "Objet", "cada_deadline", date(2027, 1, 4), "safe",
                 date(2027, 1, 4), date(2027, 1, 6), "L342-1 et R343-1 CRPA")
    out = tmp_path / "c.ics"
    write_calendar(out, [d], database="ab")
    raw = out.read_bytes()
    assert max(len(line) for line in raw.split(b"\r\n")) <= 75
    [event] = Calendar.from_ical(raw).walk("VEVENT")
    assert str(event.get("uid")) == f"{ref}-cada-deadline-20270104-ab@cada"


@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=200),
       st.text(st.characters(blacklist_categories=("Cs",)), max_size=200))
@example("a" * 62, "é" * 40)
@example("😀" * 18, "b")
def test_a_line_begun_once_and_continued_folds_as_the_whole(first, rest):
    """``ics.open_start`` then ``ics.go_on``: the calendar folds a subject's part of
    the description once; the rest must fold exactly where the whole line would."""
    from cada_tracker import ics

    head, free = ics.open_start("DESCRIPTION", first)
    assert head + ics.go_on(rest, free) == ics.start("DESCRIPTION", first + rest)
