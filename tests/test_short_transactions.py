"""A large campaign does not hold the write lock while its letters render.

The campaign's first letter is held while eight members write (tests/procs.py):
had the campaign taken the write lock before rendering, every writer would wait
on it past its busy timeout and fail. The campaign then finds its references
taken, prepares again and commits.
"""

from __future__ import annotations

import os

from procs import Child, context, paused_at_first_letter, together, writer
from sqlalchemy import create_engine, text

from cada_tracker.paths import resolve

RECIPIENTS = 100
WRITERS = 8

def _many_administrations(n: int) -> None:
    engine = create_engine(resolve().database_url)
    rows = [{"name": f"Commune {i:05d}", "d": "2026-01-01 00:00:00"} for i in range(n)]
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO administration (name, kind, street, postcode, city, "
                          "department, created_at, updated_at) VALUES (:name, 'commune', "
                          "'1 place de la Mairie', '69001', 'Lyon', '69', :d, :d)"), rows)
        conn.execute(text("INSERT INTO administration_tag (administration_id, tag) "
                          "SELECT id, 'toutes' FROM administration"))
    engine.dispose()


def test_writers_are_not_blocked_by_a_large_campaign(cli, backend, profile):
    cli("admin", "list", ok=True)  # creates the database
    _many_administrations(RECIPIENTS)
    # Writers wait for each other (they start together); a campaign holding the lock
    # while paused would make them wait until they fail, whatever the timeout.
    env = {**os.environ, "CADA_BUSY_TIMEOUT": "60"}
    rendering, resume = context().Event(), context().Event()
    campaign = Child(paused_at_first_letter, rendering, resume, "new", "--to-tag", "toutes",
                     "--subject", "Vidéosurveillance", "--doc", "Liste des caméras",
                     "--campaign", "grande", "--yes", env=env)
    assert rendering.wait(timeout=120), "the campaign never started rendering"
    start = together(WRITERS)
    writers = [Child(writer, n, env=env, barrier=start) for n in range(WRITERS)]
    start.wait(timeout=120)
    failures = []
    for one in writers:
        code, _, err = one.wait()
        if code != 0:
            failures.append(err)
    resume.set()
    code, _, err = campaign.wait()
    assert code == 0, err
    assert failures == []
    created = cli("list", "--campaign", "grande", "--json", ok=True).json()
    assert len(created) == RECIPIENTS
    refs = [r["reference"] for r in cli("list", "--json", ok=True).json()]
    assert len(refs) == RECIPIENTS + 4 * WRITERS == len(set(refs))
