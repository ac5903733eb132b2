"""Eight members recording the same fact at the same moment: one event, seven refusals.

Each member is a process forked from a warm interpreter (tests/procs.py) that
waits at a barrier until all eight are ready, so that the eight commands really
overlap; each one records the same step on the same request (a different date per
worker, so a lost lock would show up in the stored clock).
"""

from __future__ import annotations

import os
from datetime import date, timedelta

import pytest
from members import sent_request
from procs import Child, cada, together
from sqlalchemy import create_engine, text

from cada_tracker.paths import resolve

MEMBERS = 8
SENT = date(2026, 3, 2)


def _prepare(cli, kind: str) -> tuple[str, list[list[str]]]:
    """A request in the state where ``kind`` can be recorded, and each member's command."""
    ref = sent_request(cli, SENT.isoformat())

    def day(n: int) -> str:
        return (SENT + timedelta(days=n)).isoformat()

    if kind == "received":
        return ref, [["received", ref, "--on", day(1 + n)] for n in range(MEMBERS)]
    cli("received", ref, "--on", day(2), ok=True)
    if kind == "ack":
        return ref, [["ack", ref, "--on", day(3 + n)] for n in range(MEMBERS)]
    cli("answer", ref, "--on", day(10), "--outcome", "refusal", ok=True)
    if kind == "refer":
        return ref, [["refer", ref, "--on", day(12 + n), "--via", "lrar", "--no-letter"]
                     for n in range(MEMBERS)]
    if kind == "cancel":
        answer = cli("show", ref, "--json", ok=True).json()["events"][-1]
        return ref, [["cancel", ref, str(answer["number"]), "--why", f"membre {n}"]
                     for n in range(MEMBERS)]
    raise AssertionError(kind)


def _stored_clock(ref: str) -> dict:
    engine = create_engine(resolve().database_url)
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT received_on, implicit_refusal_on, cada_deadline_on, next_action, "
                 "status FROM request WHERE reference = :r"), {"r": ref}).mappings().one()
    engine.dispose()
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}


@pytest.mark.parametrize("kind", ["received", "ack", "refer", "cancel"])
def test_eight_members_record_the_same_fact_once(cli, backend, tmp_path, kind):
    ref, commands = _prepare(cli, kind)
    before = cli("show", ref, "--json", ok=True).json()["events"]
    env = {**os.environ, "CADA_TODAY": "2026-06-01"}
    start = together(len(commands))
    members = [Child(cada, *argv, env=env, barrier=start) for argv in commands]
    start.wait(timeout=120)
    results = []
    for member in members:
        code, _, message = member.wait()
        results.append((code, message))
    codes = sorted(code for code, _ in results)
    assert codes == [0] + [4] * (MEMBERS - 1), results
    for code, message in results:
        if code == 4:
            assert ("déjà enregistré" in message or "déjà annulé" in message), message
            assert "Traceback" not in message and "Error" not in message
    shown = cli("show", ref, "--json", ok=True).json()
    added = shown["events"][len(before):]
    wanted = {"received": "received", "ack": "ack", "refer": "referred", "cancel": "cancel"}
    assert [e["kind"] for e in added] == [wanted[kind]]
    stored = _stored_clock(ref)
    steps = {s["key"]: s for s in shown["deadlines"]["steps"]}
    assert stored["received_on"] == shown["received_on"]
    assert stored["status"] == shown["status"]
    implicit = steps.get("implicit_refusal")
    assert stored["implicit_refusal_on"] == (implicit["date"] if implicit else None)
    if kind == "received":
        assert shown["received_on"] == added[0]["on"]
