"""The schema revision this cada writes, importable without SQLAlchemy.

``storage`` migrates up to it; ``plain_sqlite`` reads an SQLite file that is at it
with the standard library alone.
"""

# The newest migration in db/versions (a test checks it against Alembic's head).
SCHEMA_HEAD = "0016"
