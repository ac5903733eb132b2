"""The floor of ``cada list --csv --all``: the same CSV, straight from sqlite3 and csv.

    python bench/floor_csv.py bench/data/cada-100k.db > /dev/null

No cada, no SQLAlchemy: one query streamed through ``csv.writer``. ``bench/run.py``
judges ``cada list --csv --all`` as a ratio to this, run on the same database.
"""

from __future__ import annotations

import csv
import sqlite3
import sys

QUERY = """
SELECT r.reference, r.status, a.id, a.name, r.subject, r.campaign, r.sent_on,
       r.received_on, r.next_action, r.action_due
FROM request AS r JOIN administration AS a ON a.id = r.administration_id
ORDER BY r.reference
"""
HEADER = ["reference", "status", "administration_id", "administration", "subject",
          "campaign", "sent_on", "received_on", "next_action", "next_deadline"]


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python bench/floor_csv.py DB_PATH", file=sys.stderr)
        return 2
    con = sqlite3.connect(f"file:{argv[0]}?mode=ro", uri=True)
    writer = csv.writer(sys.stdout)
    writer.writerow(HEADER)
    cursor = con.execute(QUERY)
    while rows := cursor.fetchmany(10_000):
        writer.writerows(rows)
    con.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
