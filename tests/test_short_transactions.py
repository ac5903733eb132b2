"""A large campaign does not hold the write lock while its letters render."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from sqlalchemy import create_engine, text
from test_concurrency import WORKER as WRITER  # 4 x (new, sent, note)

from cada_tracker.paths import resolve

RECIPIENTS = 2000
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
    env = {**os.environ, "CADA_BUSY_TIMEOUT": "5"}
    campaign = subprocess.Popen(
        [sys.executable, "-m", "cada_tracker", "new", "--to-tag", "toutes", "--subject",
         "Vidéosurveillance", "--doc", "Liste des caméras", "--campaign", "grande", "--yes"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    time.sleep(3)  # the campaign is rendering its letters
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(n)], env=env,
                                stderr=subprocess.PIPE, text=True) for n in range(WRITERS)]
    failures = []
    for proc in writers:
        _, err = proc.communicate(timeout=300)
        if proc.returncode != 0:
            failures.append(err)
    _, err = campaign.communicate(timeout=600)
    assert campaign.returncode == 0, err
    assert failures == []
    created = cli("list", "--campaign", "grande", "--json", ok=True).json()
    assert len(created) == RECIPIENTS
    refs = [r["reference"] for r in cli("list", "--json", ok=True).json()]
    assert len(refs) == RECIPIENTS + 4 * WRITERS == len(set(refs))
