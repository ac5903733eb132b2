"""Floor of ``cada list --csv --all``: the same columns, rows and order, written by
the standard library alone (``sqlite3`` + ``csv``), as a user would script it.

    python bench/floor_csv.py DB_PATH > /dev/null

``DB_PATH`` is an SQLite file built by ``bench/generate.py`` (a path, not a URL).
Writes the header and one CRLF line per request on stdout, exit 0; exit 2 with a
message on stderr when the file is missing. cada's export must stay within the
ratio its target gives to this script, timed in the same run.
"""

import csv
import sqlite3
import sys
from pathlib import Path

SQL = """
SELECT r.reference, r.status, a.id, a.name, r.subject, r.campaign, r.sent_on,
       r.received_on, r.next_action, r.action_due
FROM request r JOIN administration a ON a.id = r.administration_id
ORDER BY r.reference
"""
HEADER = ["reference", "status", "administration_id", "administration", "subject",
          "campaign", "sent_on", "received_on", "next_action", "next_deadline"]


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not Path(argv[0]).is_file():
        print("usage: python bench/floor_csv.py DB_PATH (an existing SQLite file)",
              file=sys.stderr)
        return 2
    connection = sqlite3.connect(f"file:{argv[0]}?mode=ro", uri=True)
    writer = csv.writer(sys.stdout)
    writer.writerow(HEADER)
    writer.writerows(connection.execute(SQL))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
